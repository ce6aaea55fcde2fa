"""Calibration of the ``matches_oracle`` budgets: each one passes a plain correct kernel and fails the same kernel
one precision lower.

For every calibrated (component, dtype) two reference implementations are built here, as plug-in modules made
in-process (:func:`properties.loader.make_impl` on a ``types.ModuleType``) around ``impls.numpy``'s public
functions:

- ``plain``: the NumPy implementation itself (half precision computed in float32 and rounded once; float32 and
  float64 in their own dtype). Its ``matches_oracle`` check must pass: the budget has no false alarm on a correct
  kernel.
- ``lower``: the same computation with every floating input and the output rounded through the next lower dtype
  (float64 -> float32, float32 -> bfloat16, float16 -> bfloat16, bfloat16 -> ``ml_dtypes.float8_e4m3fn``,
  saturated at its +-448), the result cast back to the dtype under test. Its ``matches_oracle`` check must *fail*
  (status ``failed``): a kernel that is one precision short does not fit in the budget, so the budget is within
  a precision step of what a correct kernel needs.

Both directions are asserted, with the ``mutants`` profile (40 derandomized examples, no shrinking), for every
pair of :data:`CALIBRATED`: each component x float16, bfloat16, float32, float64, with budgets derived from what
is actually computed (:mod:`properties.budgets`):

- attention: ``attention_weights``, ``scaled_dot_product_attention``, ``multi_head_attention``, ``mha_decode``,
  ``feed_forward`` (the float64 logits, probabilities and value rows of the rounded inputs);
- element-wise activations ``relu``, ``sigmoid``, ``tanh``, ``silu``, ``gelu`` (``activation_budget``: the
  output's rounding plus a few compute-dtype ulps times ``1 + kappa(x)``, the relative condition number at the
  input);
- ``softmax``, ``log_softmax``, ``cross_entropy`` (relative to each output: the shifted logits' roundings through
  the function's condition, the log-sum-exp judged like log1p where the max dominates);
- ``layer_norm``, ``rms_norm``, ``group_norm``, ``instance_norm`` (``norm_budget``: each group's actual
  ``mean |x| / s`` and ``var / (var + eps)``); ``batch_norm`` (the a-priori ``1 + |mean| / s`` budget);
- ``binary_cross_entropy_with_logits`` (``bce_budget``: per element, relative to the loss through its condition
  number, and the product ``x t`` of soft targets), ``mse_loss``, ``kl_divergence``;
- ``transformer_block``, ``decoder_decode``, and ``decoder_forward`` in float32 and float64 (``block_core``:
  every stage's own allowance for its actual float64 inputs, and the error it is handed carried through it); in
  half precision decoder_forward's plain kernel is asserted to pass (:data:`HALF_PASSES_ONLY`).

In float16 the element-wise, normalisation and BCE budgets are ~1 float16 rounding of the output (the compute
dtype float32 adds little): the a-priori ``eps (ULPS + sqrt n) kappa`` they replace was ~10 roundings, which let
the bfloat16 kernel (8 float16 roundings of inputs and output) pass.
"""
from __future__ import annotations

import functools
import types

import ml_dtypes
import numpy as np
import pytest
from hypothesis import settings

import impls.numpy as reference
from properties.loader import make_impl
from properties.registry import FLOATS, Check
from properties.runner import run_check
from tests.conftest import import_property_modules

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

#: the next lower dtype of each dtype under test
LOWER = {"float64": np.dtype(np.float32), "float32": np.dtype(ml_dtypes.bfloat16),
         "float16": np.dtype(ml_dtypes.bfloat16), "bfloat16": np.dtype(ml_dtypes.float8_e4m3fn)}
#: components whose matches_oracle budget is calibrated, and the dtypes both directions hold in
CALIBRATED = {
    # attention: properties.budgets
    **{component: FLOATS for component in ("attention_weights", "scaled_dot_product_attention",
                                           "multi_head_attention", "mha_decode", "feed_forward")},
    # activations, norms, losses: properties.budgets (batch_norm, mse_loss, kl_divergence: properties.tolerances)
    **{component: FLOATS for component in ("relu", "sigmoid", "tanh", "silu", "gelu", "softmax", "log_softmax",
                                           "layer_norm", "rms_norm", "group_norm", "instance_norm", "batch_norm",
                                           "cross_entropy", "binary_cross_entropy_with_logits", "mse_loss",
                                           "kl_divergence")},
    # the assembled transformer: properties.budgets.block_core, model_core, decode_core (each stage's own
    # allowance, the error handed on carried through the stages); decoder_forward in half: HALF_PASSES_ONLY
    **{component: FLOATS for component in ("transformer_block", "decoder_decode")},
    "decoder_forward": ("float32", "float64"),
}
#: pairs where only the plain kernel is asserted: decoder_forward's logits in half precision come through two
#: blocks, a final norm and the LM head, where each stage's own allowance is a rigorous bound (the norms may keep
#: their statistics in half) that the chain carries on, so a bfloat16 kernel (8x float16's rounding) still fits
#: (at 0.2-0.8 of the budget); one block (transformer_block) and the decoder's cache (decoder_decode) do not
HALF_PASSES_ONLY = {"decoder_forward": ("float16", "bfloat16")}


def _is_float(a) -> bool:
    return isinstance(a, (np.ndarray, np.generic)) and (a.dtype.kind == "f"
                                                         or a.dtype == np.dtype(ml_dtypes.bfloat16))


def _through(value, lower):
    """Floating arrays in ``value`` (also inside tuples, lists, dicts) rounded to ``lower`` and back."""
    if _is_float(value):
        wide = np.asarray(value, dtype=np.float64)
        if lower == np.dtype(ml_dtypes.float8_e4m3fn):  # no infinity: saturate instead of NaN
            wide = np.clip(wide, -448.0, 448.0)
        return np.asarray(wide.astype(lower).astype(value.dtype))
    if isinstance(value, tuple):
        return tuple(_through(v, lower) for v in value)
    if isinstance(value, list):
        return [_through(v, lower) for v in value]
    if isinstance(value, dict):
        return {k: _through(v, lower) for k, v in value.items()}
    return value


def _floats(value):
    """The floating arrays in ``value`` (also inside tuples, lists and dicts), depth first."""
    if _is_float(value):
        yield value
    elif isinstance(value, (tuple, list)):
        for v in value:
            yield from _floats(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _floats(v)


def _dtype_of(args) -> str:
    for a in _floats(args):
        return a.dtype.name
    raise TypeError("no floating array argument")


def _one_lower(fn):
    @functools.wraps(fn)
    def wrapped(*args, **kwargs):
        lower = LOWER[_dtype_of(args)]
        return _through(fn(*_through(args, lower), **_through(kwargs, lower)), lower)
    return wrapped


@functools.lru_cache(maxsize=None)
def reference_impl(kind: str):
    """The ``plain`` or ``lower`` reference implementation (a plug-in module built in-process)."""
    module = types.ModuleType(f"calibration_{kind}")
    module.NAME = f"calibration-{kind}"
    module.DTYPES = FLOATS
    module.asarray = reference.asarray
    module.to_numpy = reference.to_numpy
    for component in CALIBRATED:
        fn = getattr(reference, component)
        setattr(module, component, fn if kind == "plain" else _one_lower(fn))
    return make_impl(module, f"<{module.__name__}>")


@functools.lru_cache(maxsize=None)
def _properties() -> dict:
    return {p.key: p for p in import_property_modules()}


def _run(kind: str, component: str, dtype: str) -> dict:
    prop = _properties()[f"{component}:matches_oracle"]
    return run_check(Check(reference_impl(kind), prop, dtype), base_settings=settings.get_profile("mutants"))


PAIRS = [(component, dtype) for component, dtypes in CALIBRATED.items() for dtype in dtypes]
PASSING = PAIRS + [(component, dtype) for component, dtypes in HALF_PASSES_ONLY.items() for dtype in dtypes]


@pytest.mark.parametrize("component,dtype", PASSING, ids=[f"{c}@{d}" for c, d in PASSING])
def test_plain_kernel_passes(component, dtype):
    record = _run("plain", component, dtype)
    assert record["status"] == "passed", (
        f"{component}:matches_oracle@{dtype} fails the plain NumPy kernel: {record['status']} {record['message']}")


@pytest.mark.parametrize("component,dtype", PAIRS, ids=[f"{c}@{d}" for c, d in PAIRS])
def test_one_precision_lower_fails(component, dtype):
    record = _run("lower", component, dtype)
    assert record["status"] == "failed", (
        f"{component}:matches_oracle@{dtype} does not catch the kernel one precision lower ({LOWER[dtype].name}): "
        f"{record['status']} (worst error / allowance {record.get('error_ratio')}) {record['message']}")


def test_bfloat16_goes_through_the_numpy_implementation():
    """``impls.numpy`` declares no bfloat16, but its functions upcast any 2-byte float to float32 and round the
    result back: a bfloat16 input gives a bfloat16 output equal to the float32 computation rounded once."""
    rng = np.random.default_rng(0)
    q, k, v = (rng.standard_normal((1, 2, 3, 4)).astype(ml_dtypes.bfloat16) for _ in range(3))
    out = reference.scaled_dot_product_attention(q, k, v)
    assert out.dtype == np.dtype(ml_dtypes.bfloat16)
    wide = reference.scaled_dot_product_attention(*(a.astype(np.float32) for a in (q, k, v)))
    np.testing.assert_array_equal(out.astype(np.float32), wide.astype(ml_dtypes.bfloat16).astype(np.float32))


def test_sharpness_figure():
    """:func:`properties.budgets.sharpness`: per dtype, the median and minimum over components of the worst
    error ratio among passed checks of the built-ins (failed checks, plug-ins and dtype-less checks ignored)."""
    from properties.budgets import sharpness
    rows = [
        {"impl": "numpy", "component": "a", "property": "matches_oracle", "dtype": "float16", "status": "passed",
         "error_ratio": 0.1, "family": "attention"},
        {"impl": "torch", "component": "a", "property": "other", "dtype": "float16", "status": "passed",
         "error_ratio": 0.4, "family": "attention"},
        {"impl": "jax", "component": "b", "property": "matches_oracle", "dtype": "float16", "status": "passed",
         "error_ratio": 0.2, "family": "attention"},
        {"impl": "torch_native", "component": "c", "property": "matches_oracle", "dtype": "float16",
         "status": "passed", "error_ratio": 0.05, "family": "norms"},
        {"impl": "jax_native", "component": "b", "property": "matches_oracle", "dtype": "float16",
         "status": "failed", "error_ratio": 7.0, "family": "attention"},
        {"impl": "my-plugin", "component": "b", "property": "matches_oracle", "dtype": "float16",
         "status": "passed", "error_ratio": 0.9, "family": "attention"},
        {"impl": "numpy", "component": "a", "property": "matches_oracle", "dtype": "float32", "status": "passed",
         "error_ratio": 0.3, "family": "attention"},
        {"impl": "numpy", "component": "d", "property": "rejects_bad_input", "dtype": "n/a", "status": "passed",
         "error_ratio": None, "family": "attention"},
    ]
    got = sharpness({"results": rows})
    assert got == {"float16": {"median": 0.2, "min": 0.05, "components": 3},
                   "float32": {"median": 0.3, "min": 0.3, "components": 1}}
    assert sharpness(rows, family="attention")["float16"] == {"median": pytest.approx(0.3), "min": 0.2,
                                                             "components": 2}
    assert sharpness(rows, properties=("matches_oracle",))["float16"] == {"median": 0.1, "min": 0.05,
                                                                           "components": 3}
    assert sharpness([]) == {}
