"""Adam and AdamW that validate shapes, betas and the step index but not the signs of lr, eps and weight
decay: a negative lr silently ascends, a negative eps can divide by zero.

Real bug class: range checks left out of a hand-written optimizer (``torch.optim.Adam`` raises for each).
Correct for valid hyperparameters. Caught by: ``rejects_bad_input`` of adam_step and adamw_step.
"""
import types

from impls._validate import optim as optim_checks
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import optim as numpy_optim
from tests.patching import patched

NAME = "mutant-optim-adam-negative-hyperparameters"
DTYPES = ("float32", "float64")
CATCHES = ("adam_step:rejects_bad_input", "adamw_step:rejects_bad_input")


def _check_adam(*arrays, lr, eps, weight_decay, **options):
    """The shared check on the magnitudes of lr, eps and weight_decay (BUG: no sign is ever rejected)."""
    return optim_checks.adam_step(*arrays, lr=abs(float(lr)), eps=abs(float(eps)),
                                  weight_decay=abs(float(weight_decay)), **options)


# NumPy's Adam and AdamW with this file's check in their validation module
_numpy_optim = patched(numpy_optim, V=types.SimpleNamespace(**{**vars(optim_checks), "adam_step": _check_adam}))
adam_step = _numpy_optim.adam_step
adamw_step = _numpy_optim.adamw_step
