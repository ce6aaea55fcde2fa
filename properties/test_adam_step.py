"""Properties of adam_step (docs/contract.md 3.4 and section 4, "Optimizers").

Compared per element against the operand scale (see :mod:`properties.optim_common`, which holds the family's
sizes, strategies, float64 references, the properties it shares with adamw_step and helpers).
"""
from __future__ import annotations

from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.optim_common import _register_adam


_register_adam("adam_step", __name__)
