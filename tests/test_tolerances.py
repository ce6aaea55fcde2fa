"""The tolerances are tight enough to catch a few ulps too many and loose enough for honest float32 code.

A softmax that computes in float32 passes the oracle comparison at float32; the same softmax perturbed by one
ulp passes too (that is rounding); one that accumulates its sum in float16, or rounds its result through
bfloat16, fails — by orders of magnitude, not by a hair.
"""
import types

import numpy as np
import pytest
from hypothesis import settings

import impls.numpy as reference
from properties.loader import make_impl
from properties.registry import Check
from properties.registry import properties as registered
from properties.runner import run_check
from properties.tolerances import EPS, measure, tolerance


def plugin(name: str, softmax) -> object:
    module = types.ModuleType(name)
    module.NAME, module.DTYPES = name, ("float32",)
    module.asarray, module.to_numpy, module.softmax = reference.asarray, reference.to_numpy, softmax
    return make_impl(module, name)


def float32_softmax(x, *, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def one_ulp_off(x, *, axis=-1):
    y = float32_softmax(x, axis=axis)
    return np.nextafter(y, np.float32(np.inf))


def float16_accumulation(x, *, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return (e / e.astype(np.float16).sum(axis=axis, keepdims=True, dtype=np.float16).astype(np.float32))


def bfloat16_rounding(x, *, axis=-1):
    import ml_dtypes
    return float32_softmax(x, axis=axis).astype(ml_dtypes.bfloat16).astype(np.float32)


def oracle_check(impl):
    import properties.test_activations  # noqa: F401
    prop = next(p for p in registered("properties.test_activations")
                if p.component == "softmax" and p.name == "matches_oracle")
    return run_check(Check(impl, prop, "float32"), base_settings=settings(settings.get_profile("mutants"),
                                                                          max_examples=60))


@pytest.mark.parametrize("fn", [float32_softmax, one_ulp_off], ids=lambda f: f.__name__)
def test_honest_float32_passes(fn):
    result = oracle_check(plugin(fn.__name__.replace("_", "-"), fn))
    assert result["status"] == "passed", result["message"]
    assert result["error_ratio"] < 1.0


@pytest.mark.parametrize("fn", [float16_accumulation, bfloat16_rounding], ids=lambda f: f.__name__)
def test_few_ulps_too_many_fails(fn):
    result = oracle_check(plugin(fn.__name__.replace("_", "-"), fn))
    assert result["status"] == "failed", result
    assert result["error_ratio"] > 10.0, result["error_ratio"]


def test_budget_formula():
    assert tolerance("float32", n=1) == pytest.approx(EPS["float32"] * 5)
    assert tolerance("float32", n=64) == pytest.approx(EPS["float32"] * 12)
    assert tolerance("float16", n=16, cond=10) == pytest.approx(EPS["float16"] * 8 * 10)
    assert tolerance("float64") < tolerance("float32") < tolerance("bfloat16")


def test_measure_reports_abs_rel_and_ulps():
    expected = np.array([1.0, 2.0, 0.0])
    actual = np.array([1.0 + 2 * EPS["float32"], 2.0, 0.0])
    e = measure(actual, expected, dtype="float32", tol=tolerance("float32"), floor=1.0)
    assert e.ok and e.worst_index == (0,)
    assert e.max_abs == pytest.approx(2 * EPS["float32"])
    assert e.max_ulp == pytest.approx(2.0)


def test_measure_nonfinite_must_match():
    inf = np.inf
    same = measure(np.array([inf, np.nan]), np.array([inf, np.nan]), dtype="float32", tol=1e-6, floor=1.0)
    assert same.ok
    wrong = measure(np.array([np.nan, 1.0]), np.array([1.0, 1.0]), dtype="float32", tol=1e-6, floor=1.0)
    assert not wrong.ok
