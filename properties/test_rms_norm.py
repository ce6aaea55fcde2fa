"""Properties of rms_norm (docs/contract.md 3.1 and section 4, "Norms").

The family's groups, strategies, condition numbers and shared properties: :mod:`properties.norms_common`.
"""
from __future__ import annotations

import numpy as np

from properties import strategies
from properties.assertions import assert_close, assert_rejects
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.norms_common import (MODERATE, affine_floor, eps_of, inputs_for, moments, rows)
from properties.norms_properties import (_bad_inputs, _f32, _register_affine, _register_finite,
                                         _register_gradient_invariance, _register_invariance, _register_oracle,
                                         _register_standardises, _register_vjp)
from properties.registry import prop


# --- the family's properties (properties.norms_properties) ------------------------------------------------------
_register_oracle("rms_norm", __name__)
_register_standardises("rms_norm", __name__)
_register_invariance("rms_norm", __name__)
_register_affine("rms_norm", __name__)


# --- RMS norm is layer norm on zero-mean input ---------------------------------------------------------------
@prop("rms_norm", "equals_layer_norm_on_zero_mean", inputs=inputs_for("rms_norm", regimes=MODERATE),
      needs=("layer_norm",),
      statement="On input whose groups have mean 0 (x - mean(x) in float64, rounded to the dtype) rms_norm equals "
                "layer_norm without bias (same eps and weight). The rounding leaves each group a tiny mean m; the "
                "first-order difference it makes, m / sqrt(var + eps) * weight, is added to layer_norm's output.")
def rms_equals_layer(subject, case):
    x, k = case["x"], case["k"]
    eps = eps_of("rms_norm", case)
    axes = tuple(range(x.ndim - k, x.ndim))
    x64 = x.astype(np.float64)
    z = strategies.cast(x64 - x64.mean(axis=axes, keepdims=True), subject.dtype)
    r = rows("rms_norm", case, z)
    mean, var, seps, scale = moments(r, eps)
    # rms(z) - layer_norm(z) = m / sqrt(v + eps) + O(m^2): the residual mean of the rounded z, in float64
    residual = (mean / np.sqrt(var + seps)).reshape(x.shape[:x.ndim - k] + (1,) * k)
    if case.get("weight") is not None:
        residual = residual * case["weight"].astype(np.float64)
    y = subject.expect(subject.rms_norm(z, k, case.get("weight"), eps=eps), shape=x.shape)
    ref = subject.expect(subject.layer_norm(z, k, case.get("weight"), eps=eps), shape=x.shape)
    cond = float(np.max(1.0 + np.abs(mean) / np.sqrt(var + seps), initial=1.0))
    assert_close(y, ref.astype(np.float64) + residual, dtype=subject.dtype, n=r.shape[1], cond=2 * cond,
                 floor=affine_floor(case), what="rms_norm vs layer_norm on zero-mean input")


# --- half precision and gradients (properties.norms_properties) -------------------------------------------------
_register_finite("rms_norm", __name__)
_register_vjp("rms_norm", __name__)
_register_gradient_invariance("rms_norm", __name__)


# --- bad input -------------------------------------------------------------------------------------------------
@prop("rms_norm", "rejects_bad_input", inputs=_bad_inputs, dtypes=("float32",), max_examples=1,
      statement="rms_norm raises ValueError/TypeError for normalized_ndim 0 or > x.ndim and a weight whose shape "
                "is not that of the normalised axes.")
def rms_norm_rejects(subject, case):
    x = _f32((2, 3, 4))
    assert_rejects(subject, "rms_norm", x, 0, why="normalized_ndim 0")
    assert_rejects(subject, "rms_norm", x, 4, why="normalized_ndim 4 > x.ndim 3")
    assert_rejects(subject, "rms_norm", x, 1, _f32((3,)), why="weight of shape (3,) for a normalised axis of 4")
    assert_rejects(subject, "rms_norm", x, 2, _f32((12,)), why="weight of shape (12,) for normalised axes (3, 4)")
