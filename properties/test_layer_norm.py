"""Properties of layer_norm (docs/contract.md 3.1 and section 4, "Norms").

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
_register_oracle("layer_norm", __name__)
_register_standardises("layer_norm", __name__)
_register_invariance("layer_norm", __name__)
_register_affine("layer_norm", __name__)


# --- half precision and gradients (properties.norms_properties) -------------------------------------------------
_register_finite("layer_norm", __name__)
_register_vjp("layer_norm", __name__)
_register_gradient_invariance("layer_norm", __name__)


# --- bad input -------------------------------------------------------------------------------------------------
@prop("layer_norm", "rejects_bad_input", inputs=_bad_inputs, dtypes=("float32",), max_examples=1,
      statement="layer_norm raises ValueError/TypeError for normalized_ndim 0 or > x.ndim and weight/bias whose "
                "shape is not that of the normalised axes.")
def layer_norm_rejects(subject, case):
    x = _f32((2, 3, 4))
    assert_rejects(subject, "layer_norm", x, 0, why="normalized_ndim 0")
    assert_rejects(subject, "layer_norm", x, 4, why="normalized_ndim 4 > x.ndim 3")
    assert_rejects(subject, "layer_norm", x, 2, _f32((4, 3)), why="weight of shape (4, 3) for normalised axes (3, 4)")
    assert_rejects(subject, "layer_norm", x, 1, _f32((1,)), why="weight of shape (1,) for a normalised axis of 4")
    assert_rejects(subject, "layer_norm", x, 1, None, _f32((5,)), why="bias of shape (5,) for a normalised axis of 4")
