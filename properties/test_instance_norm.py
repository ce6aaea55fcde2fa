"""Properties of instance_norm (docs/contract.md 3.1 and section 4, "Norms").

The family's groups, strategies, condition numbers and shared properties: :mod:`properties.norms_common`.
"""
from __future__ import annotations

from properties.assertions import assert_rejects
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.norms_properties import (_bad_inputs, _f32, _register_affine, _register_finite,
                                         _register_gradient_invariance, _register_invariance, _register_oracle,
                                         _register_standardises, _register_vjp)
from properties.registry import prop


# --- the family's properties (properties.norms_properties) ------------------------------------------------------
_register_oracle("instance_norm", __name__)
_register_standardises("instance_norm", __name__)
_register_invariance("instance_norm", __name__)
_register_affine("instance_norm", __name__)


# --- half precision and gradients (properties.norms_properties) -------------------------------------------------
_register_finite("instance_norm", __name__)
_register_vjp("instance_norm", __name__)
_register_gradient_invariance("instance_norm", __name__)


# --- bad input -------------------------------------------------------------------------------------------------
@prop("instance_norm", "rejects_bad_input", inputs=_bad_inputs, dtypes=("float32",), max_examples=1,
      statement="instance_norm raises ValueError/TypeError for x without a spatial axis (rank < 3) and weight/bias "
                "whose shape is not (C,).")
def instance_norm_rejects(subject, case):
    x = _f32((2, 3, 4))
    assert_rejects(subject, "instance_norm", _f32((2, 3)), why="x of shape (2, 3) (no spatial axis)")
    assert_rejects(subject, "instance_norm", x, _f32((4,)), why="weight of shape (4,) for C=3")
    assert_rejects(subject, "instance_norm", x, None, _f32((1,)), why="bias of shape (1,) for C=3")
