"""Properties of group_norm (docs/contract.md 3.1 and section 4, "Norms").

The family's groups, strategies, condition numbers and shared properties: :mod:`properties.norms_common`.
"""
from __future__ import annotations

import numpy as np

from properties import strategies
from properties.assertions import assert_close, assert_rejects
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.norms_common import (GROUP_LAYOUTS, MODERATE, affine_floor, condition, feature_shape, group_size,
                                     norm_inputs, output)
from properties.norms_properties import (_bad_inputs, _f32, _register_affine, _register_finite,
                                         _register_gradient_invariance, _register_invariance, _register_oracle,
                                         _register_standardises, _register_vjp)
from properties.registry import prop


# --- the family's properties (properties.norms_properties) ------------------------------------------------------
_register_oracle("group_norm", __name__)
_register_standardises("group_norm", __name__)
_register_invariance("group_norm", __name__)
_register_affine("group_norm", __name__)


# --- group norm: its two extremes ------------------------------------------------------------------------------
@strategies.composite
def extreme_groups(draw, dtype):
    case = draw(norm_inputs(dtype, "group_norm", regimes=MODERATE,
                            layouts=tuple(lay for lay in GROUP_LAYOUTS if len(lay[0]) >= 3)))
    case["groups"] = draw(strategies.sampled_from([1, case["x"].shape[1]]), label="num_groups")
    return case


@prop("group_norm", "extremes_are_layer_and_instance_norm", inputs=extreme_groups,
      needs=("layer_norm", "instance_norm"),
      statement="group_norm with 1 group equals layer_norm over (C, *spatial) followed by the per-channel affine "
                "map; with C groups it equals instance_norm (same eps, weight, bias).")
def group_norm_extremes(subject, case):
    x, eps = case["x"], case.get("eps")
    y = output(subject, "group_norm", case)
    kw = {} if eps is None else {"eps": eps}
    if case["groups"] == 1:
        ref = subject.expect(subject.layer_norm(x, x.ndim - 1, **kw), shape=x.shape).astype(np.float64)
        fshape = feature_shape("group_norm", case, x.ndim)
        if case.get("weight") is not None:
            ref = ref * case["weight"].astype(np.float64).reshape(fshape)
        if case.get("bias") is not None:
            ref = ref + case["bias"].astype(np.float64).reshape(fshape)
        what = "group_norm(x, 1) vs layer_norm over (C, *spatial)"
    else:
        ref = subject.expect(subject.instance_norm(x, case.get("weight"), case.get("bias"), **kw),
                          shape=x.shape).astype(np.float64)
        what = "group_norm(x, C) vs instance_norm(x)"
    assert_close(y, ref, dtype=subject.dtype, what=what, n=group_size("group_norm", case),
                 cond=2 * condition("group_norm", case), floor=affine_floor(case))


# --- half precision and gradients (properties.norms_properties) -------------------------------------------------
_register_finite("group_norm", __name__)
_register_vjp("group_norm", __name__)
_register_gradient_invariance("group_norm", __name__)


# --- bad input -------------------------------------------------------------------------------------------------
@prop("group_norm", "rejects_bad_input", inputs=_bad_inputs, dtypes=("float32",), max_examples=1,
      statement="group_norm raises ValueError/TypeError when C % num_groups != 0, num_groups < 1, x has rank < 2, "
                "or weight/bias do not have shape (C,).")
def group_norm_rejects(subject, case):
    x = _f32((2, 6, 4))
    assert_rejects(subject, "group_norm", x, 4, why="C=6 not divisible by num_groups=4")
    assert_rejects(subject, "group_norm", x, 0, why="num_groups 0")
    assert_rejects(subject, "group_norm", _f32((6,)), 2, why="x of rank 1")
    assert_rejects(subject, "group_norm", x, 3, _f32((3,)), why="weight of shape (3,) (one per group) for C=6")
    assert_rejects(subject, "group_norm", x, 3, None, _f32((7,)), why="bias of shape (7,) for C=6")
