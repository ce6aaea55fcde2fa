"""Properties of attention's additive ``bias`` (docs/contract.md 3.6, "added 2026-12-04"; section 4, "Attention bias").

``logits = scale * q k^T + bias`` before masking, for ``attention_weights``, ``scaled_dot_product_attention``,
``multi_head_attention`` (bias broadcastable to ``(B, H, Lq, Lk)``) and ``mha_decode`` (``(B, H, T, P + T)``, the
rows of the new tokens); a ``-inf`` entry acts like a masked key, and a row with no finite allowed logit has
probabilities 0 and output 0.

Where the bugs hide, and so what the strategies draw:
- every broadcast form of the bias (``(Lq, Lk)``, ``(H, 1, Lk)``, ``(H, Lq, Lk)`` as T5 and ALiBi give it,
  ``(B, H, Lq, Lk)``, ``(Lk,)``, ``(B, 1, Lq, 1)``) on the shape lattices of ``properties/attention_common.py``
  (JAX compiles once per shape; the JAX backends broadcast a bias to its full shape before their kernels), square
  and non-square, so that a bias read with its query and key axes swapped shows;
- ``-inf`` entries, also filling whole rows, together with masks (and fully masked rows) and causality: where
  the bias is added relative to the masking decides whether those rows come out 0, NaN or a spread of weight;
- explicit scales other than 1 (a bias added before scaling is scaled with the logits);
- T5 relative-position bias and ALiBi computed by the implementation under test, decoded chunk by chunk.

Tolerances. The bias enters the logits exactly (it is drawn in the dtype under test) and is added in the compute
dtype: the logits' absolute error grows by ``eps * |bias|``, so the condition of ``attention_common``'s comparisons,
``1 + scale * max sum_d |q_d||k_d|`` (or its bound through the projections), grows by the largest finite
``|bias|`` of an allowed entry (:func:`bias_cond`).
"""
from __future__ import annotations

import numpy as np

from properties import strategies
from properties.assertions import assert_close, assert_rejects, require
from properties.oracle import expected
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.registry import FLOATS, prop
from properties.attention_common import (CHUNKINGS, SELF_LAYOUTS, _bad_inputs, _f32, _hkv, _o_shape,
                                         _p_shape, _value_floor, allowed_keys, attention_inputs, decode_inputs,
                                         logit_cond, make_params, mha_budget, mha_inputs, probability_floor,
                                         unpack)
from properties.tolerances import MASKED_PROBABILITY, tolerance

# --- bias arrays ----------------------------------------------------------------------------------------------
#: broadcast forms of a bias over logits (B, H, Lq, Lk), first = what shrinking aims for
BIAS_FORMS = ("matrix", "full", "heads", "per_head", "keys", "rows")
#: magnitudes of the bias: O(1), T5-table-like, and large enough to dominate O(1) logits
BIAS_SCALES = (1.0, 8.0, 64.0)
#: broadcast forms of a bias constant along the key axis (one value per (b, h, query) row, or fewer)
ROW_FORMS = ("rows", "query_rows", "head_rows", "full_rows")


def bias_shape(form: str, batch: int, heads: int, q_len: int, k_len: int) -> tuple:
    """The shape of a bias of broadcast ``form`` for logits ``(B, H, Lq, Lk)``."""
    return {"matrix": (q_len, k_len), "full": (batch, heads, q_len, k_len), "heads": (heads, 1, k_len),
            "per_head": (heads, q_len, k_len), "keys": (k_len,), "rows": (batch, 1, q_len, 1),
            "query_rows": (q_len, 1), "head_rows": (heads, q_len, 1), "full_rows": (batch, heads, q_len, 1)}[form]


def with_neg_inf(bias: np.ndarray, seed: int, fraction: float) -> np.ndarray:
    """``bias`` with about ``fraction`` of its entries and at least one whole row (last axis) set to ``-inf``
    (after rounding to its dtype: :func:`properties.strategies.cast` clips infinities)."""
    rng = strategies.rng(seed)
    drop = rng.random(bias.shape) < fraction
    if bias.ndim >= 2 and bias.size:
        rows = drop.reshape(-1, bias.shape[-1])
        rows[rng.integers(rows.shape[0])] = True
    out = bias.copy()
    out[drop] = -np.inf
    return out


def full_bias(bias, shape) -> np.ndarray:
    """``bias`` broadcast to the logits' ``shape``, in float64 (zeros for None)."""
    return np.zeros(shape) if bias is None else np.broadcast_to(np.asarray(bias, dtype=np.float64), shape)


def bias_cond(bias, allowed) -> float:
    """The largest finite ``|bias|`` over the allowed entries: what the bias adds to the logits' condition."""
    if bias is None:
        return 0.0
    b = np.broadcast_to(np.asarray(bias, dtype=np.float64), allowed.shape)
    keep = allowed & np.isfinite(b)
    return float(np.max(np.abs(np.where(keep, b, 0.0)), initial=0.0))


def finite_allowed(case, bias) -> np.ndarray:
    """mask AND causal AND a finite bias entry, ``(B, H, Lq, Lk)``."""
    shape = _p_shape(case)
    allowed = allowed_keys(case["mask"], case["is_causal"], shape)
    return allowed if bias is None else allowed & np.isfinite(full_bias(bias, shape))


# --- attention_weights and scaled_dot_product_attention ------------------------------------------------------
@strategies.composite
def bias_inputs(draw, dtype, *, forms=BIAS_FORMS, neg_inf=(False, True)):
    """:func:`properties.attention_common.attention_inputs` (every mask form, causal, scales, logits up to ~1e4)
    plus a bias of one broadcast form, sometimes with ``-inf`` entries and rows."""
    case = draw(attention_inputs(dtype))
    batch, heads, q_len, k_len = _p_shape(case)
    form = draw(strategies.sampled_from(forms), label="bias.form")
    scale = draw(strategies.sampled_from(BIAS_SCALES), label="bias.scale")
    bias = strategies.normal(bias_shape(form, batch, heads, q_len, k_len), dtype, draw(strategies.seeds,
                                                                                       label="bias.seed"), scale)
    if draw(strategies.sampled_from(neg_inf), label="bias.neg_inf"):
        bias = with_neg_inf(bias, draw(strategies.seeds, label="bias.inf_seed"), draw(strategies.sampled_from((0.2,
                                                                                                               0.6)),
                                                                             label="bias.inf_fraction"))
    case["bias"] = bias
    return case


def _kw(case, **override):
    c = {**case, **override}
    return {"mask": c["mask"], "is_causal": c["is_causal"], "scale": c["scale"], "bias": c["bias"]}


def _tol(subject, case, allowed, bias):
    """The dtype's tolerance for probabilities (relative) with the logits' condition including ``|bias|``."""
    q, k = case["q"], case["k"]
    cond = logit_cond(q, k, case["scale"], allowed) + bias_cond(bias, allowed)
    return tolerance(subject.dtype, n=q.shape[-1] + k.shape[2], cond=cond)


def _run(subject, component, case, *, finite=True, **override):
    """``component`` on the case (with ``override``s of mask/bias), checked for shape and dtype."""
    q, k, v = case["q"], case["k"], case["v"]
    kw = _kw(case, **override)
    if component == "attention_weights":
        return subject.expect(subject.attention_weights(q, k, **kw), shape=_p_shape(case), finite=finite)
    return subject.expect(subject.scaled_dot_product_attention(q, k, v, **kw), shape=_o_shape(case), finite=finite)


def _floor(subject, component, case, tol):
    if component == "attention_weights":
        return probability_floor(subject.dtype, tol)
    return _value_floor(case["v"], subject.dtype)


def _register_oracle(component):
    what = "probabilities, relative to each" if component == "attention_weights" else \
        "outputs, relative to |out| + max|v|"

    @prop(component, "bias_matches_oracle", inputs=bias_inputs, dtypes=FLOATS,
          statement=f"{component} with an additive bias (every broadcast form, magnitudes up to 64, -inf entries "
                    f"and rows, with masks, bottom-right causality and explicit scales) equals the float64 NumPy "
                    f"oracle's softmax(scale * q k^T + bias) ({what}) within the dtype's tolerance times the "
                    f"logits' condition plus max|bias|.")
    def bias_oracle(subject, case):
        q, k, v, bias = case["q"], case["k"], case["v"], case["bias"]
        got = _run(subject, component, case)
        args = (q, k) if component == "attention_weights" else (q, k, v)
        want = expected(component, *args, **_kw(case))
        tol = _tol(subject, case, finite_allowed(case, bias), bias)
        assert_close(got, want, dtype=subject.dtype, what=f"{component}(bias=...) vs float64 oracle", tol=tol,
                     floor=_floor(subject, component, case, tol))


@strategies.composite
def row_bias_inputs(draw, dtype):
    """Inputs with no base bias or a ``(Lq, Lk)`` one, and a shift constant along the key axis (one value per
    (b, h, query) row or per fewer axes), O(1) or large."""
    case = draw(attention_inputs(dtype))
    batch, heads, q_len, k_len = _p_shape(case)
    base = None
    if draw(strategies.booleans(), label="base_bias"):
        base = strategies.normal((q_len, k_len), dtype, draw(strategies.seeds, label="base.seed"), 4.0)
    form = draw(strategies.sampled_from(ROW_FORMS), label="shift.form")
    shift = strategies.normal(bias_shape(form, batch, heads, q_len, k_len), "float64", draw(strategies.seeds,
                                                                                            label="shift.seed"),
                     draw(strategies.sampled_from((1.0, 100.0)), label="shift.scale"))
    case["bias"] = base
    case["shifted"] = strategies.cast(shift if base is None else base + shift, dtype)  # still constant along keys
    return case


def _register_constant(component):
    @prop(component, "bias_constant_along_keys_changes_nothing", inputs=row_bias_inputs,
          statement=f"{component}: adding to the bias a shift constant along the key axis (per (b, h, query) row, "
                    f"per query, per head and query, or per batch entry and query; O(1) or ~100) leaves the "
                    f"result unchanged (softmax is invariant to a per-row constant), with masks and causality.")
    def constant_along_keys(subject, case):
        base, shifted = case["bias"], case["shifted"]
        out = _run(subject, component, case)
        out_s = _run(subject, component, case, bias=shifted)
        allowed = finite_allowed(case, base)
        tol = _tol(subject, case, allowed, full_bias(shifted, allowed.shape))
        assert_close(out_s, out.astype(np.float64), dtype=subject.dtype, tol=tol,
                     floor=_floor(subject, component, case, tol),
                     what=f"{component} with bias + a per-row constant vs with the bias alone")


@strategies.composite
def neg_inf_inputs(draw, dtype):
    """A finite bias of one broadcast form and a set of its entries (about a third or two thirds, and at least
    one whole row) to set to ``-inf``; masks that broadcast, causality."""
    case = draw(attention_inputs(dtype, masks=("none", "padding", "matrix", "keys")))
    batch, heads, q_len, k_len = _p_shape(case)
    form = draw(strategies.sampled_from(("full", "matrix", "heads", "per_head")), label="bias.form")
    bias = strategies.normal(bias_shape(form, batch, heads, q_len, k_len), dtype, draw(strategies.seeds,
                                                                                       label="bias.seed"),
                    draw(strategies.sampled_from(BIAS_SCALES), label="bias.scale"))
    case["bias"] = bias
    case["dropped"] = with_neg_inf(bias, draw(strategies.seeds, label="drop.seed"),
                                   draw(strategies.sampled_from((0.3, 0.7)), label="drop.fraction"))
    return case


def _register_neg_inf(component):
    @prop(component, "bias_neg_inf_equals_masking", inputs=neg_inf_inputs,
          statement=f"{component}: a -inf bias entry equals masking that key: the result with -inf at a set of "
                    f"bias entries (including whole rows) equals the result with the finite bias and those keys "
                    f"removed from the mask; a row left with no finite allowed logit is 0 (not NaN, not a spread "
                    f"of weight over masked keys).")
    def neg_inf_equals_masking(subject, case):
        bias, dropped = case["bias"], case["dropped"]
        shape = _p_shape(case)
        gone = np.isinf(full_bias(dropped, shape))
        mask = allowed_keys(case["mask"], False, shape) & ~gone
        out = _run(subject, component, case, finite=False, bias=dropped)
        bad = ~np.isfinite(out.astype(np.float64))
        require(not bad.any(), f"{component} with -inf bias entries returned non-finite values at "
                               f"{np.argwhere(bad)[:3].tolist()} (rows with no finite allowed logit must be 0)")
        allowed = allowed_keys(mask, case["is_causal"], shape)
        empty = ~allowed.any(axis=-1)
        limit = MASKED_PROBABILITY[subject.dtype]
        if component != "attention_weights":
            limit *= shape[-1] * _value_floor(case["v"], subject.dtype)
        worst = float(np.max(np.abs(out.astype(np.float64)[empty]), initial=0.0))
        require(worst <= limit, f"a row with no finite allowed logit has |value| up to {worst:.3g} (allowed "
                                f"{limit:.3g}); rows (b, h, i) {np.argwhere(empty)[:3].tolist()}")
        masked = _run(subject, component, case, mask=mask, bias=bias)
        tol = _tol(subject, case, allowed, bias)
        assert_close(out, masked.astype(np.float64), dtype=subject.dtype, tol=tol,
                     floor=_floor(subject, component, case, tol),
                     what=f"{component} with -inf bias entries vs those keys masked")


for _c in ("attention_weights", "scaled_dot_product_attention"):
    _register_oracle(_c)
    _register_constant(_c)
    _register_neg_inf(_c)


# --- multi_head_attention and mha_decode ---------------------------------------------------------------------
def _mha_bias_tol(dtype, case, x, context, bias, *, cache=None, max_position=0):
    """``(tol, floor)`` of :func:`properties.attention_common.mha_budget` with ``max|bias|`` added to the
    condition."""
    n, cond, floor = mha_budget(dtype, x, context, case["params"], case["num_heads"], _hkv(case),
                                rope_base=case["rope_base"], max_position=max_position, cache=cache)
    b = np.asarray(bias, dtype=np.float64)
    cond += float(np.max(np.abs(np.where(np.isfinite(b), b, 0.0)), initial=0.0))
    return tolerance(dtype, n=n, cond=cond), floor


@strategies.composite
def mha_bias_inputs(draw, dtype):
    case = draw(mha_inputs(dtype))
    x, context = case["x"], case["context"]
    k_len = x.shape[1] if context is None else context.shape[1]
    shape = bias_shape(draw(strategies.sampled_from(("per_head", "full", "matrix", "keys")), label="bias.form"),
                       x.shape[0], case["num_heads"], x.shape[1], k_len)
    bias = strategies.normal(shape, dtype, draw(strategies.seeds, label="bias.seed"),
                    draw(strategies.sampled_from(BIAS_SCALES), label="bias.scale"))
    if draw(strategies.booleans(), label="bias.neg_inf"):
        bias = with_neg_inf(bias, draw(strategies.seeds, label="bias.inf_seed"), 0.3)
    case["bias"] = bias
    return case


def _mha_kw(case):
    return {key: case[key] for key in ("num_heads", "num_kv_heads", "mask", "is_causal", "rope_base", "bias")}


@prop("multi_head_attention", "bias_matches_oracle", inputs=mha_bias_inputs, dtypes=FLOATS, max_examples=15,
      statement="multi_head_attention with an additive bias ((H, Lq, Lk) as T5/ALiBi give it, (B, H, Lq, Lk), "
                "(Lq, Lk), (Lk,); -inf entries and rows) equals the float64 NumPy oracle within the dtype's "
                "tolerance times the logits' condition plus max|bias| (self/cross, packed, MHA/MQA/GQA, masks, "
                "causal, RoPE).")
def mha_bias_oracle(subject, case):
    x, context = case["x"], case["context"]
    got = subject.expect(subject.multi_head_attention(x, context, case["params"], **_mha_kw(case)), shape=x.shape,
                      what="multi_head_attention output")
    want = expected("multi_head_attention", x, context, case["params"], **_mha_kw(case))
    tol, floor = _mha_bias_tol(subject.dtype, case, x, context, case["bias"], max_position=x.shape[1])
    assert_close(got, want, dtype=subject.dtype, what="multi_head_attention(bias=...) vs float64 oracle", tol=tol,
                 floor=floor)


@strategies.composite
def decode_bias_inputs(draw, dtype):
    case = draw(decode_inputs(dtype))
    x, cache = case["x"], case["cache"]
    new, total = x.shape[1], cache[0].shape[2] + x.shape[1]
    shape = bias_shape(draw(strategies.sampled_from(("per_head", "full", "matrix", "keys")), label="bias.form"),
                       x.shape[0], case["num_heads"], new, total)
    case["bias"] = strategies.normal(shape, dtype, draw(strategies.seeds, label="bias.seed"),
                            draw(strategies.sampled_from(BIAS_SCALES), label="bias.scale"))
    return case


def _decode(subject, case, x_new, cache, bias):
    """``mha_decode`` with ``bias``: the output (checked for shape and dtype) and the extended cache."""
    result = subject.mha_decode(x_new, cache, case["params"], num_heads=case["num_heads"],
                             num_kv_heads=case["num_kv_heads"], rope_base=case["rope_base"], bias=bias)
    if not (isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], tuple)
            and len(result[1]) == 2):
        require(False, "mha_decode must return (out, (k, v))")
    out, kv = result
    return subject.expect(out, shape=x_new.shape, what="mha_decode output"), kv


@prop("mha_decode", "bias_matches_oracle", inputs=decode_bias_inputs, dtypes=FLOATS, max_examples=15,
      statement="mha_decode with an additive bias broadcastable to (B, H, T, P + T) (the new tokens' rows: "
                "(H, T, P + T), (B, H, T, P + T), (T, P + T), (P + T,)) equals the float64 NumPy oracle within the "
                "dtype's tolerance times the logits' condition plus max|bias| (caches of length 0 to 16, "
                "MHA/MQA/GQA, RoPE).")
def decode_bias_oracle(subject, case):
    x, cache, bias = case["x"], case["cache"], case["bias"]
    out, _ = _decode(subject, case, x, cache, bias)
    want, _ = expected("mha_decode", x, cache, case["params"], num_heads=case["num_heads"],
                       num_kv_heads=case["num_kv_heads"], rope_base=case["rope_base"], bias=bias)
    tol, floor = _mha_bias_tol(subject.dtype, case, x, None, bias, cache=cache,
                               max_position=cache[0].shape[2] + x.shape[1])
    assert_close(out, want, dtype=subject.dtype, what="mha_decode(bias=...) vs float64 oracle", tol=tol, floor=floor)


#: T5 buckets of the decoding property: unidirectional (a decoder's), 4 exact buckets and 4 logarithmic ones up
#: to distance 16, so that sequences of length 8 reach both
T5_BUCKETS, T5_MAX_DISTANCE = 8, 16


@strategies.composite
def position_chunk_inputs(draw, dtype):
    case = draw(mha_inputs(dtype, layouts=SELF_LAYOUTS, masks=("none",), causal=(True,)))
    lengths = draw(strategies.sampled_from(CHUNKINGS[case["x"].shape[1]]), label="chunk lengths")
    bounds = np.cumsum((0,) + lengths).tolist()
    case["chunks"] = list(zip(bounds[:-1], bounds[1:]))
    case["position_bias"] = draw(strategies.sampled_from(("t5", "alibi")), label="position_bias")
    case["table"] = strategies.normal((T5_BUCKETS, case["num_heads"]), dtype, draw(strategies.seeds,
                                                                                   label="table.seed"), 2.0)
    return case


def _position_bias(subject, case, length):
    """The ``(H, L, L)`` bias of the implementation under test: T5's (unidirectional) or ALiBi's."""
    h = case["num_heads"]
    if case["position_bias"] == "t5":
        bias = subject.relative_position_bias(length, length, case["table"], bidirectional=False,
                                           max_distance=T5_MAX_DISTANCE)
    else:
        bias = subject.alibi_bias(h, length, length)
    bias = subject.expect(bias, shape=(h, length, length), dtype="", what=f"{case['position_bias']} bias")
    return strategies.cast(bias, subject.dtype)


@prop("mha_decode", "chunked_decoding_with_position_bias_equals_causal_attention", inputs=position_chunk_inputs,
      needs=("relative_position_bias", "alibi_bias"), max_examples=10,
      statement="With the implementation's own relative_position_bias (T5, unidirectional) or alibi_bias over the "
                "whole sequence as the bias, decoding chunk by chunk from an empty cache, each chunk given the "
                "bias rows of its queries (bias[:, P:P+T, :P+T]), equals multi_head_attention(is_causal=True, "
                "bias=the whole bias) (the implementation's own, or the float64 oracle's where it has none), "
                "with and without RoPE.")
def decode_chunks_with_bias(subject, case):
    x, h, hkv = case["x"], case["num_heads"], _hkv(case)
    batch, length, _ = x.shape
    bias = _position_bias(subject, case, length)
    head_dim = unpack(case["params"], h, hkv)["wq"].shape[1] // h
    empty = np.zeros((batch, hkv, 0, head_dim), dtype=x.dtype)
    cache, outs = (empty, empty.copy()), []
    for a, b in case["chunks"]:
        out, cache = _decode(subject, case, np.ascontiguousarray(x[:, a:b]), cache,
                             np.ascontiguousarray(bias[:, a:b, :b]))
        outs.append(out.astype(np.float64))
    chunked = np.concatenate(outs, axis=1)
    kw = {"num_heads": h, "num_kv_heads": case["num_kv_heads"], "is_causal": True, "rope_base": case["rope_base"],
          "bias": bias}
    if callable(getattr(subject.module, "multi_head_attention", None)):
        full = subject.expect(subject.multi_head_attention(x, None, case["params"], **kw), shape=x.shape,
                           what="multi_head_attention output").astype(np.float64)
        source = "multi_head_attention(is_causal=True, bias=...)"
    else:
        full = expected("multi_head_attention", x, None, case["params"], **kw)
        source = "the float64 oracle's multi_head_attention(is_causal=True, bias=...)"
    tol, floor = _mha_bias_tol(subject.dtype, case, x, None, bias, max_position=length)
    assert_close(chunked, full, dtype=subject.dtype, tol=tol, floor=floor,
                 what=f"mha_decode over chunks {case['chunks']} with {case['position_bias']} bias vs {source}")


# --- bad input ------------------------------------------------------------------------------------------------
def _bad_biases(heads, q_len, k_len):
    """``(bias, why)`` pairs that break the convention for logits ``(2, heads, q_len, k_len)``, q_len != k_len."""
    return ((_f32((q_len + 1, k_len)), f"bias ({q_len + 1}, {k_len}) for (Lq, Lk) = ({q_len}, {k_len})"),
            (_f32((k_len, q_len)), f"a transposed bias ({k_len}, {q_len}) for (Lq, Lk) = ({q_len}, {k_len})"),
            (_f32((heads + 1, q_len, k_len)), f"bias with {heads + 1} heads for H = {heads}"),
            (_f32((3, heads, q_len, k_len)), "bias with batch 3 for B = 2"),
            (np.ones((q_len, k_len), dtype=bool), "a boolean bias (a mask passed as bias)"),
            (np.zeros((q_len, k_len), dtype=np.int64), "an integer bias"))


def _register_bias_rejects(component):
    @prop(component, "rejects_bad_bias", inputs=_bad_inputs, dtypes=("float32",), max_examples=1,
          statement=f"{component} raises ValueError/TypeError for a bias that does not broadcast to the logits' "
                    f"shape (one row too many, transposed, the wrong head or batch count"
                    + (", the past keys' columns only" if component == "mha_decode" else "")
                    + ") and for a non-float (boolean or integer) bias.")
    def rejects(subject, case):
        if component in ("attention_weights", "scaled_dot_product_attention"):
            q, k, v = _f32((2, 4, 3, 8)), _f32((2, 2, 5, 8), 1), _f32((2, 2, 5, 8), 2)
            args = (q, k, v) if component == "scaled_dot_product_attention" else (q, k)
            kw, (heads, q_len, k_len) = {}, (4, 3, 5)
        elif component == "multi_head_attention":
            args = (_f32((2, 3, 8)), _f32((2, 5, 8), 1), make_params("float32", 8, 4, 2, 2, 0, bias=True))
            kw, (heads, q_len, k_len) = {"num_heads": 4, "num_kv_heads": 2}, (4, 3, 5)
        else:  # mha_decode: T = 3 new tokens over P = 2 cached ones
            cache = (_f32((2, 2, 2, 2), 1), _f32((2, 2, 2, 2), 2))
            args = (_f32((2, 3, 8)), cache, make_params("float32", 8, 4, 2, 2, 0, bias=True))
            kw, (heads, q_len, k_len) = {"num_heads": 4, "num_kv_heads": 2}, (4, 3, 5)
            assert_rejects(subject, component, *args, bias=_f32((heads, q_len, 2)),
                           why="bias (4, 3, 2) over the P = 2 past keys only, for (H, T, P + T) = (4, 3, 5)", **kw)
        for bias, why in _bad_biases(heads, q_len, k_len):
            assert_rejects(subject, component, *args, bias=bias, why=why, **kw)


for _c in ("attention_weights", "scaled_dot_product_attention", "multi_head_attention", "mha_decode"):
    _register_bias_rejects(_c)
