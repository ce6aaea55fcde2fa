"""Properties of the attention family (SPEC 3.6 and section 4, "Attention").

Where the bugs of this family hide, and so what the strategies draw:
- masks of every broadcastable form (``(B, 1, 1, Lk)`` padding, ``(B, H, Lq, Lk)``, ``(Lq, Lk)``, ``(Lk,)``),
  with rows that are *fully masked* (a padded-out batch entry, forced masked rows, a causal mask with Lq > Lk);
- logits large in magnitude either way: q and k with magnitudes up to ~100 give logits ~1e4, where an additive
  ``-1e4`` mask leaks and a ``finfo.min`` mask still looks fine; a large common offset (q, k = 30 +- 0.01) where
  the logits are ill-conditioned;
- ``Lq != Lk`` (the bottom-right causal alignment of a KV cache differs from the top-left one only there);
- grouped heads ``1 < Hkv < H`` with ``H / Hkv >= 2`` and ``Hkv >= 2`` (tiling and repeat-interleaving K/V heads
  agree for MHA and MQA), ``H > 1`` (head split/merge layout), packed ``w_qkv``, cross-attention, RoPE;
- ``mha_decode`` over every split of a sequence into chunks (empty cache, one new token over a long cache).

Shapes come from small fixed sets (JAX compiles once per shape, dtype and static option).

Tolerances. A logit ``s = scale * q . k`` computed in a dtype with unit ``eps`` is off by up to about
``eps * (4 + sqrt D) * scale * sum_d |q_d| |k_d|``, and a logit error ``delta`` moves every probability by a
factor ``exp(+-2 delta)``: so probabilities are compared *relatively*, with the condition number
``cond = 1 + scale * max_{i,j allowed} sum_d |q_id| |k_jd|`` (:func:`logit_cond`), which is 1 for O(1) logits and
~1e4 when the logits are ~1e4 (float32 then legitimately loses ~1e-3 relative, in every backend). An output row
``sum_j p_ij v_j`` inherits that relative error times ``sum_j p_ij |v_j| <= max |v|``, the floor of its
comparison. For the projections of ``multi_head_attention`` the same reasoning runs on upper bounds of the
projected magnitudes (``|x| @ |W| + |b|``, :func:`properties.budgets.apriori_mha_budget`): the budgets of the
properties that compare an implementation with itself or with finite differences.

The ``matches_oracle`` properties use the sharper budgets of :mod:`properties.budgets`, derived from the float64
logits, probabilities, value rows, projections and hidden activations of the rounded inputs (each rounding and
reduction counted once, stored half-precision intermediates allowed two roundings), per output element;
``tests/test_calibration.py`` shows that each passes the plain NumPy kernel and fails it one precision lower.
"""
from __future__ import annotations

import functools
import math

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from properties import strategies as S
from properties.assertions import assert_close, assert_rejects, require
from properties.gradients import MAX_FD_ELEMENTS, assert_vjp_matches
from properties.oracle import expected
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.registry import FLOATS, prop
from properties.stats import assert_binomial, per_test_alpha
from properties import budgets
# the a-priori budgets of the properties that compare an implementation with itself or with finite differences
from properties.budgets import GELU_SLOPE, SILU_SLOPE, logit_cond, probability_floor  # noqa: F401
from properties.budgets import apriori_ffn_budget as ffn_budget, ffn_tolerance  # noqa: F401
from properties.budgets import apriori_mha_budget as mha_budget, mha_tolerance  # noqa: F401
from properties.tolerances import MASKED_PROBABILITY, MAX, TINY, angle_cond, tolerance

# --- shared sizes ---------------------------------------------------------------------------------------------
#: (H, Hkv) pairs, first = what shrinking aims for: MHA, MQA and GQA with 1 < Hkv < H, H / Hkv >= 2
#: (B, H, Hkv, Lq, Lk, D, Dv) of the q, k, v drawn for attention_weights / scaled_dot_product_attention. A fixed
#: list, first = what shrinking aims for: JAX compiles once per shape (and mask form and is_causal), so the
#: properties of this module share these compilations instead of paying one per example. Together they reach
#: Lq < Lk and Lq > Lk (causal rows with no key), one query over many keys (decoding), MQA and GQA with
#: 1 < Hkv < H, H / Hkv >= 2, Dv != D, and D = 8 (logits ~1e4 from |q|, |k| ~ 100).
SDPA_LAYOUTS = ((1, 1, 1, 1, 1, 2, 2),
                (2, 2, 2, 3, 5, 4, 4),
                (2, 4, 2, 5, 3, 8, 8),
                (1, 4, 1, 1, 8, 8, 8),
                (2, 2, 1, 8, 8, 4, 3),
                (1, 4, 4, 3, 3, 2, 2))
GROUPED_SDPA_LAYOUTS = tuple(lay for lay in SDPA_LAYOUTS if lay[2] < lay[1])
#: (B, H, Hkv, D, d, Lq, Lk) of multi_head_attention (Lk None: self-attention); d == H * D (the only layout of
#: torch.nn.MultiheadAttention) and d != H * D, MHA/MQA/GQA (1 < Hkv < H), cross-attention with Lq < Lk,
#: Lq > Lk and a single query
MHA_LAYOUTS = ((1, 1, 1, 2, 2, 1, None),
               (2, 2, 2, 4, 8, 3, None),
               (2, 4, 2, 2, 8, 8, None),
               (1, 4, 1, 4, 6, 3, None),
               (2, 2, 2, 2, 4, 3, 5),
               (2, 4, 2, 2, 8, 5, 3),
               (1, 2, 1, 4, 6, 1, 8))
SELF_LAYOUTS = tuple(lay for lay in MHA_LAYOUTS if lay[-1] is None)
CROSS_LAYOUTS = tuple(lay for lay in MHA_LAYOUTS if lay[-1] is not None)
GROUPED_MHA_LAYOUTS = tuple(lay for lay in MHA_LAYOUTS if lay[2] < lay[1])
#: projection params: separate without biases, separate with biases, packed w_qkv with biases (self-attention)
PROJECTIONS = ("plain", "bias", "packed")
#: explicit scales: None is the default 1/sqrt(D)
SCALES = (None, 1.0, 0.125)
#: regimes of q and k (and of x for the projections): see :func:`qk_array`
QK_REGIMES = ("normal", "integers", "large", "offset", "constant", "tiny")
X_REGIMES = ("normal", "integers", "large", "constant", "tiny")
V_REGIMES = ("normal", "integers", "wide", "constant")
MASK_KINDS = ("none", "padding", "random", "matrix", "keys")
ROPE_BASES = (None, 10000.0)
ACTIVATIONS = ("relu", "gelu", "swiglu")
#: magnitude of the ``large`` regime of q and k: with D = 8 the logits reach ~1e4 (an additive -1e4 mask leaks)
LARGE_QK = 100.0
#: magnitude of the ``large`` regime of x before the 1/sqrt(d)-scaled projections (logits ~ 30^2 sqrt(D))
LARGE_X = 30.0


# --- test-side reference computations (no implementation involved) -------------------------------------------
def allowed_keys(mask, is_causal: bool, shape) -> np.ndarray:
    """Boolean ``(B, H, Lq, Lk)``: mask AND the bottom-right causal triangle ``j <= i + (Lk - Lq)``."""
    allowed = np.ones(shape, dtype=bool) if mask is None else np.broadcast_to(mask, shape)
    if is_causal:
        q_len, k_len = shape[-2:]
        allowed = allowed & (np.arange(k_len)[None, :] <= np.arange(q_len)[:, None] + (k_len - q_len))
    return allowed


def _scale(scale, head_dim):
    return 1.0 / math.sqrt(head_dim) if scale is None else float(scale)


def _large(dtype: str, head_dim: int) -> float:
    """:data:`LARGE_QK`, capped in float16 so that unscaled dot products ``D |q| |k|`` stay below MAX/4."""
    return min(LARGE_QK, math.sqrt(MAX[dtype] / 4.0 / head_dim))


def qk_array(shape, dtype: str, regime: str, seed: int, *, head_dim: int, large: float | None = None):
    """q, k (or x) in ``dtype``: the common regimes of :func:`properties.strategies.generate` plus
    ``large`` (random signs, magnitudes in [large/2, large]: logits ~1e4) and ``offset`` (30 +- 0.01: a large
    common logit, ill-conditioned); ``constant`` is constant along the sequence axis (equal logits)."""
    rng = S.rng(seed)
    if regime == "large":
        big = _large(dtype, head_dim) if large is None else large
        return S.cast(rng.choice([-1.0, 1.0], shape) * rng.uniform(0.5, 1.0, shape) * big, dtype)
    if regime == "offset":
        return S.cast(30.0 + 0.01 * rng.standard_normal(shape), dtype)
    if regime == "constant":
        return S.generate(shape, dtype, "constant", seed, const_axes=(-2,))
    return S.generate(shape, dtype, regime, seed)


def make_mask(kind: str, batch: int, heads: int, q_len: int, k_len: int, seed: int):
    """A boolean mask (True = may attend) of one broadcastable form, or None."""
    rng = S.rng(seed)
    if kind == "none":
        return None
    if kind == "padding":  # (B, 1, 1, Lk): the last n_b keys of batch entry b are padding, n_b in 0..Lk
        pad = rng.integers(0, k_len + 1, batch)
        return (np.arange(k_len)[None, :] < (k_len - pad)[:, None]).reshape(batch, 1, 1, k_len)
    if kind == "random":  # (B, H, Lq, Lk), with about a quarter of the rows fully masked
        keep = rng.random((batch, heads, q_len, k_len)) < rng.choice([0.3, 0.7])
        return keep & ~(rng.random((batch, heads, q_len, 1)) < 0.25)
    if kind == "matrix":
        return rng.random((q_len, k_len)) < 0.6
    if kind == "keys":
        return rng.random((k_len,)) < 0.6
    raise ValueError(kind)


# --- attention_weights and scaled_dot_product_attention ------------------------------------------------------
@S.composite
def attention_inputs(draw, dtype, *, masks=MASK_KINDS, causal=(False, True), layouts=SDPA_LAYOUTS,
                     qk_regimes=QK_REGIMES, scales=SCALES):
    batch, h, hkv, q_len, k_len, d, dv = draw(S.sampled_from(layouts), label="(B, H, Hkv, Lq, Lk, D, Dv)")
    q = qk_array((batch, h, q_len, d), dtype, draw(S.sampled_from(qk_regimes), label="q.regime"),
                 draw(S.seeds, label="q.seed"), head_dim=d)
    k = qk_array((batch, hkv, k_len, d), dtype, draw(S.sampled_from(qk_regimes), label="k.regime"),
                 draw(S.seeds, label="k.seed"), head_dim=d)
    v = draw(S.arrays((batch, hkv, k_len, dv), dtype, regimes=V_REGIMES, const_axes=(2,), label="v"))
    mask = make_mask(draw(S.sampled_from(masks), label="mask"), batch, h, q_len, k_len,
                     draw(S.seeds, label="mask.seed"))
    return {"q": q, "k": k, "v": v, "mask": mask, "is_causal": draw(S.sampled_from(causal), label="is_causal"),
            "scale": draw(S.sampled_from(scales), label="scale")}


def _kw(case):
    return {"mask": case["mask"], "is_causal": case["is_causal"], "scale": case["scale"]}


def _allowed(case):
    q, k = case["q"], case["k"]
    return allowed_keys(case["mask"], case["is_causal"], (q.shape[0], q.shape[1], q.shape[2], k.shape[2]))


def _value_floor(v, dtype):
    """Output rows are ``sum_j p_j v_j``: their error is relative to ``sum_j p_j |v_j| <= max |v|``."""
    return max(float(np.max(np.abs(np.asarray(v, dtype=np.float64)), initial=0.0)), TINY[dtype])


def _weights_tol(impl, case, allowed=None):
    q, k = case["q"], case["k"]
    cond = logit_cond(q, k, case["scale"], _allowed(case) if allowed is None else allowed)
    return tolerance(impl.dtype, n=q.shape[-1] + k.shape[2], cond=cond)


def _p_shape(case):
    q, k = case["q"], case["k"]
    return (q.shape[0], q.shape[1], q.shape[2], k.shape[2])


def _o_shape(case):
    q, v = case["q"], case["v"]
    return (q.shape[0], q.shape[1], q.shape[2], v.shape[-1])


@prop("attention_weights", "matches_oracle", inputs=attention_inputs, dtypes=FLOATS,
      statement="attention_weights equals the float64 NumPy oracle, relative to each probability, within the "
                "error that logit errors eps * scale * sum_d |q_d||k_d| (and the float32 dot's rounding) give it plus "
                "two roundings of a stored probability (properties.budgets; for every mask "
                "form, bottom-right causal masks with Lq != Lk, grouped heads, explicit scales, logits up to ~1e4).")
def weights_oracle(impl, case):
    q, k = case["q"], case["k"]
    got = impl.expect(impl.attention_weights(q, k, **_kw(case)), shape=_p_shape(case))
    want = expected("attention_weights", q, k, **_kw(case))
    tol, floor = budgets.weights_budget(impl.dtype, q, k, _allowed(case), _scale(case["scale"], q.shape[-1]))
    assert_close(got, want, dtype=impl.dtype, what="attention_weights vs float64 oracle", tol=tol, floor=floor)


@prop("scaled_dot_product_attention", "matches_oracle", inputs=attention_inputs, dtypes=FLOATS,
      statement="scaled_dot_product_attention equals the float64 NumPy oracle within one rounding of the output, "
                "two of each stored probability times sum_j p_j |v_j|, and the probabilities' error from the "
                "logits' times the value rows' spread sum_j p_j |v_j - out| (properties.budgets; every mask "
                "form, bottom-right causal masks "
                "with Lq != Lk, grouped heads, Dv != D, explicit scales, logits up to ~1e4).")
def sdpa_oracle(impl, case):
    q, k, v = case["q"], case["k"], case["v"]
    got = impl.expect(impl.scaled_dot_product_attention(q, k, v, **_kw(case)), shape=_o_shape(case))
    want = expected("scaled_dot_product_attention", q, k, v, **_kw(case))
    tol, floor = budgets.sdpa_budget(impl.dtype, q, k, v, _allowed(case), _scale(case["scale"], q.shape[-1]))
    assert_close(got, want, dtype=impl.dtype, what="scaled_dot_product_attention vs float64 oracle", tol=tol,
                 floor=floor)


@prop("attention_weights", "rows_are_distributions_over_allowed_keys", inputs=attention_inputs, dtypes=FLOATS,
      statement="Probabilities are >= 0; masked ones (mask AND bottom-right causal) are 0 (<= 1e-6 in float32, "
                "tolerances.MASKED_PROBABILITY per dtype) also when logits are ~1e4 in magnitude either way; each "
                "row with an allowed key sums to 1, and a row with none is all 0.")
def weights_distribution(impl, case):
    q, k = case["q"], case["k"]
    p = impl.expect(impl.attention_weights(q, k, **_kw(case)), shape=_p_shape(case)).astype(np.float64)
    allowed = _allowed(case)
    require(bool(np.all(p >= 0)), f"negative probability {p.min():.3g}")
    leak = np.where(allowed, 0.0, p)
    if leak.size:
        i = np.unravel_index(int(np.argmax(leak)), leak.shape)
        require(leak[i] <= MASKED_PROBABILITY[impl.dtype],
                f"masked probability {leak[i]:.3g} at (b, h, i, j) = {tuple(int(t) for t in i)} exceeds "
                f"{MASKED_PROBABILITY[impl.dtype]:g}" + ("" if allowed[i[:3]].any() else " (a fully masked row)"))
    rows = allowed.any(axis=-1)
    assert_close(p.sum(axis=-1)[rows], np.ones(int(rows.sum())), dtype=impl.dtype,
                 what="sum of probabilities over allowed keys", n=k.shape[2])


@S.composite
def fully_masked_inputs(draw, dtype):
    """Inputs with at least one fully masked query row: forced masked rows, a padded-out batch entry, or a causal
    mask with Lq > Lk (query i < Lq - Lk sees no key)."""
    how = draw(S.sampled_from(("rows", "padding", "causal")), label="how")
    if how == "causal":
        return draw(attention_inputs(dtype, masks=("none", "keys"), causal=(True,),
                                     layouts=tuple(lay for lay in SDPA_LAYOUTS if lay[3] > lay[4])))
    case = draw(attention_inputs(dtype, masks=("random",) if how == "rows" else ("padding",)))
    mask = case["mask"].copy()
    rng = S.rng(draw(S.seeds, label="rows.seed"))
    if how == "rows":
        pick = rng.random(mask.shape[:3]) < 0.3
        pick.reshape(-1)[rng.integers(pick.size)] = True
        mask[pick] = False
    else:
        mask[rng.integers(mask.shape[0])] = False
    case["mask"] = mask
    return case


def _register_fully_masked(component):
    @prop(component, "fully_masked_rows_are_zero", inputs=fully_masked_inputs, dtypes=FLOATS,
          statement=f"{component}: a query row with no allowed key (masked out, a padded-out batch entry, or "
                    "causal with Lq > Lk) gives probabilities 0 and output 0 (each term <= "
                    "tolerances.MASKED_PROBABILITY * |v|), never NaN, also with logits ~1e4.")
    def fully_masked(impl, case):
        q, k, v = case["q"], case["k"], case["v"]
        rows = ~_allowed(case).any(axis=-1)
        require(bool(rows.any()), "strategy error: no fully masked row")
        limit = MASKED_PROBABILITY[impl.dtype]
        if component == "attention_weights":
            out = impl.expect(impl.attention_weights(q, k, **_kw(case)), shape=_p_shape(case))
        else:
            out = impl.expect(impl.scaled_dot_product_attention(q, k, v, **_kw(case)), shape=_o_shape(case))
            limit *= k.shape[2] * _value_floor(v, impl.dtype)
        worst = float(np.max(np.abs(out.astype(np.float64)[rows])))
        what = "probability" if component == "attention_weights" else "output"
        require(worst <= limit, f"a fully masked row has |{what}| up to {worst:.3g} (allowed {limit:.3g}); "
                                f"rows (b, h, i) {np.argwhere(rows)[:3].tolist()}")


for _c in ("attention_weights", "scaled_dot_product_attention"):
    _register_fully_masked(_c)


def _rows_close(impl, a, b, rows, tol, floor, what):
    """``a`` and ``b`` (B, H, Lq, Dv) agree on the query rows selected by ``rows`` (B, H, Lq)."""
    assert_close(a.astype(np.float64)[rows], b.astype(np.float64)[rows], dtype=impl.dtype, what=what,
                 tol=tol, floor=floor)


@S.composite
def masked_perturbation_inputs(draw, dtype):
    case = draw(attention_inputs(dtype, masks=("padding", "random", "matrix", "keys")))
    case["perturb_seed"] = draw(S.seeds, label="perturb_seed")
    return case


@prop("scaled_dot_product_attention", "masked_keys_and_values_are_ignored", inputs=masked_perturbation_inputs,
      statement="Replacing keys/values by large random ones (|k| up to ~100, |v| ~100) at positions that a "
                "query row may not attend (mask AND causal) does not change that row's output.")
def sdpa_masked_ignored(impl, case):
    q, k, v = case["q"], case["k"], case["v"]
    allowed = _allowed(case)
    rng = S.rng(case["perturb_seed"])
    hit = rng.random(k.shape[:3]) < 0.5                                  # (B, Hkv, Lk): the keys replaced
    big = _large(impl.dtype, k.shape[-1])
    k2 = np.where(hit[..., None], S.cast(big * rng.standard_normal(k.shape), impl.dtype), k)
    v2 = np.where(hit[..., None], S.cast(100.0 * rng.standard_normal(v.shape), impl.dtype), v)
    hit_q = np.repeat(hit, q.shape[1] // k.shape[1], axis=1)[:, :, None, :]  # (B, H, 1, Lk)
    rows = ~np.any(hit_q & allowed, axis=-1)                                # rows that see no replaced key
    out = impl.expect(impl.scaled_dot_product_attention(q, k, v, **_kw(case)), shape=_o_shape(case))
    out2 = impl.expect(impl.scaled_dot_product_attention(q, k2, v2, **_kw(case)), shape=_o_shape(case))
    _rows_close(impl, out2, out, rows, _weights_tol(impl, case), _value_floor(v, impl.dtype),
                "output of rows whose replaced keys are all masked")


@S.composite
def causal_inputs(draw, dtype):
    case = draw(attention_inputs(dtype, masks=("none", "padding"), causal=(True,)))
    case["cut"] = draw(S.integers(0, case["k"].shape[2] - 1), label="cut")
    case["perturb_seed"] = draw(S.seeds, label="perturb_seed")
    return case


@prop("scaled_dot_product_attention", "causal_ignores_the_future", inputs=causal_inputs,
      statement="With is_causal (bottom-right aligned, Lq != Lk drawn), the output of query i does not change "
                "when keys/values after position i + (Lk - Lq) change.")
def sdpa_causal(impl, case):
    q, k, v, cut = case["q"], case["k"], case["v"], case["cut"]
    rng = S.rng(case["perturb_seed"])
    k2, v2 = k.copy(), v.copy()
    k2[:, :, cut:] = S.cast(3.0 * rng.standard_normal(k2[:, :, cut:].shape), impl.dtype)
    v2[:, :, cut:] = S.cast(3.0 * rng.standard_normal(v2[:, :, cut:].shape), impl.dtype)
    q_len, k_len = q.shape[2], k.shape[2]
    last_seen = np.arange(q_len) + (k_len - q_len)                       # the last key query i may attend
    rows = np.broadcast_to((last_seen < cut)[None, None, :], q.shape[:3])
    out = impl.expect(impl.scaled_dot_product_attention(q, k, v, **_kw(case)), shape=_o_shape(case))
    out2 = impl.expect(impl.scaled_dot_product_attention(q, k2, v2, **_kw(case)), shape=_o_shape(case))
    _rows_close(impl, out2, out, rows, _weights_tol(impl, case), _value_floor(v, impl.dtype),
                f"output of queries whose causal window ends before key {cut}")


@prop("scaled_dot_product_attention", "convex_combination_of_allowed_values", inputs=attention_inputs,
      statement="Each output row with an allowed key lies inside the per-feature [min, max] of the value rows it "
                "may attend (a convex combination), up to the dtype's tolerance times max|v|.")
def sdpa_convex(impl, case):
    q, k, v = case["q"], case["k"], case["v"]
    allowed = _allowed(case)                                             # (B, H, Lq, Lk)
    out = impl.expect(impl.scaled_dot_product_attention(q, k, v, **_kw(case)), shape=_o_shape(case))
    out = out.astype(np.float64)
    vr = np.repeat(v.astype(np.float64), q.shape[1] // k.shape[1], axis=1)[:, :, None, :, :]  # (B, H, 1, Lk, Dv)
    a = allowed[..., None]
    lo = np.min(np.where(a, vr, np.inf), axis=3)
    hi = np.max(np.where(a, vr, -np.inf), axis=3)
    rows = allowed.any(axis=-1)
    slack = tolerance(impl.dtype, n=k.shape[2]) * _value_floor(v, impl.dtype)
    below, above = (lo - out)[rows], (out - hi)[rows]
    worst = float(max(np.max(below, initial=-np.inf), np.max(above, initial=-np.inf)))
    require(worst <= slack, f"an output lies {worst:.3g} outside the [min, max] of its allowed value rows "
                            f"(allowed slack {slack:.3g})")


@S.composite
def grouped_inputs(draw, dtype):
    case = draw(attention_inputs(dtype, layouts=GROUPED_SDPA_LAYOUTS))
    case["group"] = draw(S.integers(0, case["k"].shape[1] - 1), label="kv_head")
    case["perturb_seed"] = draw(S.seeds, label="perturb_seed")
    return case


@prop("scaled_dot_product_attention", "grouped_heads_equal_repeated_kv", inputs=grouped_inputs,
      statement="MQA/GQA (1 <= Hkv < H) equals attention over K/V whose heads are repeat-interleaved to H "
                "(query head h reads K/V head h // (H / Hkv)).")
def sdpa_gqa_repeat(impl, case):
    q, k, v = case["q"], case["k"], case["v"]
    group = q.shape[1] // k.shape[1]
    out = impl.expect(impl.scaled_dot_product_attention(q, k, v, **_kw(case)), shape=_o_shape(case))
    rep = impl.expect(impl.scaled_dot_product_attention(q, np.repeat(k, group, axis=1), np.repeat(v, group, axis=1),
                                                        **_kw(case)), shape=_o_shape(case))
    assert_close(out, rep.astype(np.float64), dtype=impl.dtype, what="GQA vs repeated K/V heads",
                 tol=_weights_tol(impl, case), floor=_value_floor(v, impl.dtype))


@prop("scaled_dot_product_attention", "kv_head_reaches_only_its_group", inputs=grouped_inputs,
      statement="Changing K/V head j changes only the outputs of query heads h with h // (H / Hkv) == j.")
def sdpa_kv_group(impl, case):
    q, k, v, j = case["q"], case["k"], case["v"], case["group"]
    rng = S.rng(case["perturb_seed"])
    k2, v2 = k.copy(), v.copy()
    k2[:, j] = S.cast(2.0 * rng.standard_normal(k2[:, j].shape), impl.dtype)
    v2[:, j] = S.cast(2.0 * rng.standard_normal(v2[:, j].shape), impl.dtype)
    others = np.arange(q.shape[1]) // (q.shape[1] // k.shape[1]) != j
    rows = np.broadcast_to(others[None, :, None], q.shape[:3])
    out = impl.expect(impl.scaled_dot_product_attention(q, k, v, **_kw(case)), shape=_o_shape(case))
    out2 = impl.expect(impl.scaled_dot_product_attention(q, k2, v2, **_kw(case)), shape=_o_shape(case))
    _rows_close(impl, out2, out, rows, _weights_tol(impl, case), _value_floor(v, impl.dtype),
                f"output of query heads outside K/V head {j}'s group")


# --- the scale: logits' variance ------------------------------------------------------------------------------
@S.composite
def unit_normal_inputs(draw, dtype):
    d = draw(S.sampled_from((4, 8, 16)), label="D")
    seed = draw(S.seeds, label="seed")
    return {"q": S.normal((2, 2, 3, d), dtype, seed), "k": S.normal((2, 2, 4, d), dtype, seed + 1)}


def _logit_differences(p):
    """``s_ij - s_i0`` recovered from probabilities: ``log p_ij - log p_i0``."""
    logp = np.log(p.astype(np.float64))
    return logp[..., 1:] - logp[..., :1]


@prop("attention_weights", "unscaled_logits_are_sqrt_d_times_scaled", inputs=unit_normal_inputs,
      statement="The logits (recovered as log-probability differences) with scale=1 are sqrt(D) times those with "
                "the default scale: the variance of unscaled logits is exactly D times that of scaled ones (which "
                "is 1 for unit-variance q, k), for D in {4, 8, 16}.")
def unscaled_ratio(impl, case):
    q, k = case["q"], case["k"]
    d = q.shape[-1]
    shape = (q.shape[0], q.shape[1], q.shape[2], k.shape[2])
    scaled = impl.expect(impl.attention_weights(q, k), shape=shape)
    unscaled = impl.expect(impl.attention_weights(q, k, scale=1.0), shape=shape)
    require(bool(np.all(unscaled > 0)), "a probability underflowed: strategy too extreme")
    # each log-probability is off by the probabilities' relative error (eps * logit cond), a difference by twice
    # that; the scaled one is then multiplied by sqrt(D)
    cond = 2.0 * (1.0 + math.sqrt(d)) * logit_cond(q, k, 1.0)
    assert_close(_logit_differences(unscaled), math.sqrt(d) * _logit_differences(scaled), dtype=impl.dtype,
                 what="unscaled logit differences vs sqrt(D) x scaled ones", n=d + k.shape[2], cond=cond)


#: the statistical check of the default scale: independent samples, thresholds, and examples per check
VARIANCE_SHAPE = (128, 4)  # (B, H): 512 independent (q, k0, k1) triples per example
VARIANCE_THRESHOLDS = (0.5, 2.0)
VARIANCE_EXAMPLES = 10


@functools.lru_cache(maxsize=None)
def _central_probability(d: int, t: float) -> float:
    """``P(|Z| <= t)`` for ``Z = q . w / sqrt(D)``, q, w independent N(0, I_D): given q, Z ~ N(0, |q|^2 / D),
    so ``Z = sqrt(G) N`` with ``G = chi2_D / D ~ Gamma(D/2, scale 2/D)`` independent of ``N ~ N(0, 1)``; the
    mixture integral is evaluated to ~1e-12 by quadrature."""
    from scipy import integrate
    from scipy import stats as sps
    gamma = sps.gamma(d / 2.0, scale=2.0 / d)
    value, _ = integrate.quad(lambda g: gamma.pdf(g) * (2.0 * sps.norm.cdf(t / math.sqrt(g)) - 1.0),
                              0.0, np.inf, epsabs=1e-13, epsrel=1e-12, limit=200)
    return float(value)


@S.composite
def variance_inputs(draw, dtype):
    d = draw(S.sampled_from((4, 16)), label="D")
    seed = draw(S.seeds, label="seed")
    b, h = VARIANCE_SHAPE
    return {"q": S.normal((b, h, 1, d), dtype, seed), "k": S.normal((b, h, 2, d), dtype, seed + 1)}


@prop("attention_weights", "default_scale_gives_unit_logit_variance", inputs=variance_inputs,
      max_examples=VARIANCE_EXAMPLES, statistical=True,
      statement="With the default scale 1/sqrt(D) and unit-normal q, k, each logit difference (s1 - s0)/sqrt(2) "
                "= q.(k1 - k0)/sqrt(2D) has variance 1 and the exact law sqrt(chi2_D/D) N(0,1); over 512 "
                "independent draws the counts of |.| <= 0.5 and <= 2 lie in their exact binomial intervals "
                "(false-alarm rate <= 1e-6 per check: 2 tests x 10 examples at 5e-8 each). A scale of 1/D or 1 "
                "moves these fractions by > 0.2.")
def default_scale_variance(impl, case):
    q, k = case["q"], case["k"]
    d = q.shape[-1]
    p = impl.expect(impl.attention_weights(q, k), shape=(q.shape[0], q.shape[1], 1, 2))
    require(bool(np.all(p > 0)), "a probability underflowed for unit-normal inputs")
    z = (_logit_differences(p) / math.sqrt(2.0)).reshape(-1)
    alpha = per_test_alpha(VARIANCE_EXAMPLES, len(VARIANCE_THRESHOLDS))
    for t in VARIANCE_THRESHOLDS:
        assert_binomial(int(np.sum(np.abs(z) <= t)), z.size, _central_probability(d, t), alpha=alpha,
                        what=f"count of |scaled logit difference| / sqrt 2 <= {t} (D={d})")


# --- gradients ------------------------------------------------------------------------------------------------
#: (H, Hkv, Lq, Lk, D) of the finite-difference checks (B = 1): tiny, with Lq != Lk and a grouped K/V head
GRADIENT_SDPA_LAYOUTS = ((1, 1, 1, 1, 2), (2, 1, 3, 2, 2), (2, 2, 1, 3, 4), (1, 1, 3, 3, 2))


@S.composite
def gradient_inputs(draw, dtype):
    h, hkv, q_len, k_len, d = draw(S.sampled_from(GRADIENT_SDPA_LAYOUTS), label="(H, Hkv, Lq, Lk, D)")
    amp = draw(S.sampled_from((1.0, 0.3, 2.0)), label="amplitude")
    seed = draw(S.seeds, label="seed")
    q = S.normal((1, h, q_len, d), dtype, seed, amp)
    k = S.normal((1, hkv, k_len, d), dtype, seed + 1, amp)
    v = S.normal((1, hkv, k_len, d), dtype, seed + 2)
    mask = make_mask(draw(S.sampled_from(("none", "random", "keys")), label="mask"), 1, h, q_len, k_len, seed)
    assert max(q.size, k.size) <= MAX_FD_ELEMENTS
    return {"q": q, "k": k, "v": v, "mask": mask, "is_causal": draw(S.booleans(), label="is_causal"),
            "scale": draw(S.sampled_from((None, 0.5)), label="scale"),
            "cotangent_seed": draw(S.seeds, label="cotangent")}


@prop("attention_weights", "vjp_matches_finite_differences", inputs=gradient_inputs, needs=("vjp",),
      statement="The VJP of attention_weights w.r.t. q and k agrees with central finite differences of the float64 "
                "oracle (masks, causal, grouped heads; masked and fully masked entries have zero gradient).")
def weights_gradient(impl, case):
    q, k = case["q"], case["k"]
    cot = S.normal(_p_shape(case), impl.dtype, case["cotangent_seed"])
    assert_vjp_matches(impl, "attention_weights", (q, k), _kw(case), cot, wrt=(0, 1),
                       n=q.shape[-1] + k.shape[2], cond=logit_cond(q, k, case["scale"], _allowed(case)))


@prop("scaled_dot_product_attention", "vjp_matches_finite_differences", inputs=gradient_inputs, needs=("vjp",),
      statement="The VJP of scaled_dot_product_attention w.r.t. q, k and v agrees with central finite differences "
                "of the float64 oracle (masks, causal, grouped heads).")
def sdpa_gradient(impl, case):
    q, k, v = case["q"], case["k"], case["v"]
    cot = S.normal(_o_shape(case), impl.dtype, case["cotangent_seed"])
    assert_vjp_matches(impl, "scaled_dot_product_attention", (q, k, v), _kw(case), cot, wrt=(0, 1, 2),
                       n=q.shape[-1] + k.shape[2], cond=logit_cond(q, k, case["scale"], _allowed(case)))


# --- multi_head_attention -------------------------------------------------------------------------------------
def make_params(dtype, d, h, hkv, head_dim, seed, *, bias: bool, packed: bool = False):
    """Projection weights with 1/sqrt(fan_in) scale (projections keep x's magnitude), optional biases."""
    widths = {"q": h * head_dim, "k": hkv * head_dim, "v": hkv * head_dim}
    params = {f"w{n}": S.normal((d, w), dtype, seed + i, 1.0 / math.sqrt(d)) for i, (n, w) in enumerate(widths.items())}
    params["wo"] = S.normal((h * head_dim, d), dtype, seed + 3, 1.0 / math.sqrt(h * head_dim))
    if bias:
        for i, (n, w) in enumerate(widths.items()):
            params[f"b{n}"] = S.normal((w,), dtype, seed + 4 + i, 0.5)
        params["bo"] = S.normal((d,), dtype, seed + 7, 0.5)
    return pack(params) if packed else params


def pack(params):
    """``wq wk wv`` (and ``bq bk bv``) as one ``w_qkv`` (``b_qkv``): columns q, then k, then v."""
    out = {"w_qkv": np.concatenate([params["wq"], params["wk"], params["wv"]], axis=1), "wo": params["wo"]}
    if "bq" in params:
        out["b_qkv"] = np.concatenate([params["bq"], params["bk"], params["bv"]])
    if "bo" in params:
        out["bo"] = params["bo"]
    return out


def unpack(params, h, hkv):
    """The separate projections of ``params`` (packed or not)."""
    if "w_qkv" not in params:
        return params
    w = params["w_qkv"]
    head_dim = w.shape[1] // (h + 2 * hkv)
    cuts = (h * head_dim, (h + hkv) * head_dim)
    out = dict(zip(("wq", "wk", "wv"), np.split(w, cuts, axis=1)), wo=params["wo"])
    if "b_qkv" in params:
        out.update(zip(("bq", "bk", "bv"), np.split(params["b_qkv"], cuts)))
    if "bo" in params:
        out["bo"] = params["bo"]
    return out


@S.composite
def mha_inputs(draw, dtype, *, layouts=MHA_LAYOUTS, projections=PROJECTIONS, rope=ROPE_BASES, masks=MASK_KINDS,
               causal=(False, True), regimes=X_REGIMES):
    batch, h, hkv, head_dim, d, q_len, k_len = draw(S.sampled_from(layouts), label="(B, H, Hkv, D, d, Lq, Lk)")
    is_cross = k_len is not None
    k_len = k_len if is_cross else q_len
    regime = draw(S.sampled_from(regimes), label="x.regime")
    seed = draw(S.seeds, label="x.seed")
    x = qk_array((batch, q_len, d), dtype, regime, seed, head_dim=head_dim, large=LARGE_X)
    context = None
    if is_cross:
        context = qk_array((batch, k_len, d), dtype, draw(S.sampled_from(regimes), label="context.regime"),
                           seed + 1, head_dim=head_dim, large=LARGE_X)
    projection = draw(S.sampled_from(projections), label="projection")
    params = make_params(dtype, d, h, hkv, head_dim, draw(S.seeds, label="params.seed"),
                         bias=projection != "plain", packed=projection == "packed" and not is_cross)
    mask = make_mask(draw(S.sampled_from(masks), label="mask"), batch, h, q_len, k_len,
                     draw(S.seeds, label="mask.seed"))
    return {"x": x, "context": context, "params": params, "num_heads": h,
            "num_kv_heads": None if hkv == h else hkv, "mask": mask,
            "is_causal": draw(S.sampled_from(causal), label="is_causal"),
            "rope_base": None if is_cross else draw(S.sampled_from(rope), label="rope_base")}


def _hkv(case):
    return case["num_heads"] if case["num_kv_heads"] is None else case["num_kv_heads"]


def _mha(impl, case, **override):
    c = {**case, **override}
    x = c["x"]
    out = impl.multi_head_attention(x, c["context"], c["params"], num_heads=c["num_heads"],
                                    num_kv_heads=c["num_kv_heads"], mask=c["mask"], is_causal=c["is_causal"],
                                    rope_base=c["rope_base"])
    return impl.expect(out, shape=x.shape, what="multi_head_attention output")


def _mha_budget(impl, case, **override):
    c = {**case, **override}
    return mha_tolerance(impl.dtype, c["x"], c["context"], c["params"], c["num_heads"], _hkv(c),
                         rope_base=c["rope_base"], max_position=c["x"].shape[1])


@prop("multi_head_attention", "matches_oracle", inputs=mha_inputs, dtypes=FLOATS,
      statement="multi_head_attention equals the float64 NumPy oracle within the error propagated through its "
                "float64 intermediates: projections (float32 dot, two roundings stored), RoPE (float32 angles), "
                "attention (logit errors from the projections'), merged heads, output projection, one final "
                "rounding (properties.budgets); self- and cross-attention, packed w_qkv, biases, MHA/MQA/GQA, "
                "every mask form, "
                "causal, RoPE.")
def mha_oracle(impl, case):
    got = _mha(impl, case)
    want = expected("multi_head_attention", case["x"], case["context"], case["params"], num_heads=case["num_heads"],
                    num_kv_heads=case["num_kv_heads"], mask=case["mask"], is_causal=case["is_causal"],
                    rope_base=case["rope_base"])
    tol, floor = budgets.mha_budget(impl.dtype, case["x"], case["context"], case["params"], case["num_heads"],
                                    _hkv(case), mask=case["mask"], is_causal=case["is_causal"],
                                    rope_base=case["rope_base"])
    assert_close(got, want, dtype=impl.dtype, what="multi_head_attention vs float64 oracle", tol=tol, floor=floor)


@S.composite
def permutation_inputs(draw, dtype, **kwargs):
    case = draw(mha_inputs(dtype, **kwargs))
    case["perm_seed"] = draw(S.seeds, label="perm_seed")
    return case


@prop("multi_head_attention", "self_attention_is_permutation_equivariant",
      inputs=lambda d: permutation_inputs(d, layouts=SELF_LAYOUTS, rope=(None,), masks=("none",),
                                         causal=(False,)),
      statement="Self-attention without mask, causality or positions is equivariant to permuting the sequence: "
                "MHA(x[:, perm]) == MHA(x)[:, perm].")
def mha_permutation(impl, case):
    x = case["x"]
    perm = S.rng(case["perm_seed"]).permutation(x.shape[1])
    out = _mha(impl, case)
    out_p = _mha(impl, case, x=np.ascontiguousarray(x[:, perm]))
    tol, floor = _mha_budget(impl, case)
    assert_close(out_p, out.astype(np.float64)[:, perm], dtype=impl.dtype, what="MHA(x[:, perm]) vs MHA(x)[:, perm]",
                 tol=tol, floor=floor)


@prop("multi_head_attention", "cross_attention_ignores_context_order",
      inputs=lambda d: permutation_inputs(d, layouts=CROSS_LAYOUTS, masks=("none", "padding", "keys"),
                                         causal=(False,)),
      statement="Cross-attention returns (B, Lq, d) for a context of any length Lk, and permuting the context "
                "positions (with a key mask permuted alike) does not change it.")
def mha_cross_order(impl, case):
    ctx, mask = case["context"], case["mask"]
    perm = S.rng(case["perm_seed"]).permutation(ctx.shape[1])
    out = _mha(impl, case)  # expects shape (B, Lq, d)
    out_p = _mha(impl, case, context=np.ascontiguousarray(ctx[:, perm]),
                 mask=None if mask is None else np.ascontiguousarray(mask[..., perm]))
    tol, floor = _mha_budget(impl, case)
    assert_close(out_p, out.astype(np.float64), dtype=impl.dtype, what="MHA with permuted context vs original",
                 tol=tol, floor=floor)


@prop("multi_head_attention", "masked_context_positions_are_ignored",
      inputs=lambda d: permutation_inputs(d, layouts=CROSS_LAYOUTS, masks=("padding", "keys"), causal=(False,)),
      statement="Cross-attention: replacing the context at key positions the mask excludes (by large random "
                "values) does not change the output.")
def mha_masked_context(impl, case):
    ctx, mask = case["context"], case["mask"]
    masked = ~np.broadcast_to(mask, (ctx.shape[0], 1, 1, ctx.shape[1]))[:, 0, 0, :]  # (B, Lk)
    rng = S.rng(case["perm_seed"])
    ctx2 = np.where(masked[..., None], S.cast(LARGE_X * rng.standard_normal(ctx.shape), impl.dtype), ctx)
    out = _mha(impl, case)
    out2 = _mha(impl, case, context=ctx2)
    tol, floor = _mha_budget(impl, case)
    assert_close(out2, out.astype(np.float64), dtype=impl.dtype, what="MHA with masked context replaced vs original",
                 tol=tol, floor=floor)


@S.composite
def mha_causal_inputs(draw, dtype):
    case = draw(mha_inputs(dtype, layouts=SELF_LAYOUTS, masks=("none", "padding"), causal=(True,)))
    case["cut"] = draw(S.integers(0, case["x"].shape[1] - 1), label="cut")
    case["perturb_seed"] = draw(S.seeds, label="perturb_seed")
    return case


@prop("multi_head_attention", "causal_ignores_the_future", inputs=mha_causal_inputs,
      statement="Causal self-attention (with or without RoPE and a padding mask): changing x at positions >= c "
                "does not change the outputs at positions < c.")
def mha_causal(impl, case):
    x, cut = case["x"], case["cut"]
    x2 = x.copy()
    rng = S.rng(case["perturb_seed"])
    x2[:, cut:] = S.cast(3.0 * rng.standard_normal(x2[:, cut:].shape), impl.dtype)
    out = _mha(impl, case)
    out2 = _mha(impl, case, x=x2)
    tol, floor = _mha_budget(impl, case)
    tol2, floor2 = _mha_budget(impl, case, x=x2)
    assert_close(out2[:, :cut], out.astype(np.float64)[:, :cut], dtype=impl.dtype,
                 what=f"outputs before position {cut} after changing x from {cut} on", tol=max(tol, tol2),
                 floor=max(floor, floor2))


def head_params(params, h, g, head_dim, *, with_bo):
    """The single-head projections of query head ``h`` reading K/V head ``g``."""
    q, kv = slice(h * head_dim, (h + 1) * head_dim), slice(g * head_dim, (g + 1) * head_dim)
    out = {"wq": params["wq"][:, q], "wk": params["wk"][:, kv], "wv": params["wv"][:, kv], "wo": params["wo"][q]}
    for key, cols in (("bq", q), ("bk", kv), ("bv", kv)):
        if key in params:
            out[key] = params[key][cols]
    if with_bo and "bo" in params:
        out["bo"] = params["bo"]
    return {key: np.ascontiguousarray(a) for key, a in out.items()}


@prop("multi_head_attention", "heads_are_single_head_attentions",
      inputs=lambda d: mha_inputs(d, projections=("plain", "bias")), max_examples=10,
      statement="H-head attention equals the sum over heads h of single-head attention with head h's columns of "
                "wq, bq and rows of wo and the columns of K/V head h // (H / Hkv) (bo added once); masks, "
                "causal, RoPE and cross-attention included.")
def mha_heads(impl, case):
    params, h, hkv = case["params"], case["num_heads"], _hkv(case)
    head_dim = params["wq"].shape[1] // h
    mask = case["mask"]
    total = 0.0
    for i in range(h):
        m = mask
        if mask is not None and mask.ndim == 4 and mask.shape[1] == h and h > 1:
            m = np.ascontiguousarray(mask[:, i:i + 1])
        total = total + _mha(impl, case, params=head_params(params, i, i // (h // hkv), head_dim, with_bo=i == 0),
                             num_heads=1, num_kv_heads=None, mask=m).astype(np.float64)
    out = _mha(impl, case)
    tol, floor = _mha_budget(impl, case)
    # the H single-head results carry their own rounding: sum_h |out_h| and the sum of their floors are both at
    # most the floor of the whole, hence 3 x floor; and the sum adds H terms
    assert_close(out, total, dtype=impl.dtype, what="H-head attention vs sum of single-head attentions",
                 tol=tol * (1.0 + math.sqrt(h) / (4.0 + math.sqrt(2.0))), floor=3.0 * floor)


def repeat_kv(params, h, hkv):
    """Separate params for MHA (H K/V heads) whose K/V projections repeat each K/V head for its group."""
    params = unpack(params, h, hkv)
    group = h // hkv
    head_dim = params["wq"].shape[1] // h
    out = dict(params)
    for key in ("wk", "wv"):
        w = params[key]
        out[key] = np.repeat(w.reshape(w.shape[0], hkv, head_dim), group, axis=1).reshape(w.shape[0], h * head_dim)
    for key in ("bk", "bv"):
        if key in params:
            out[key] = np.repeat(params[key].reshape(hkv, head_dim), group, axis=0).reshape(h * head_dim)
    return out


@prop("multi_head_attention", "grouped_heads_equal_mha_with_repeated_kv",
      inputs=lambda d: mha_inputs(d, layouts=GROUPED_MHA_LAYOUTS),
      statement="MQA/GQA equals MHA (num_kv_heads = H) whose wk, wv (and bk, bv) repeat each K/V head's block "
                "for the H / Hkv query heads of its group (np.repeat on head blocks); packed, masks, causal, RoPE "
                "and cross-attention included.")
def mha_gqa(impl, case):
    h, hkv = case["num_heads"], _hkv(case)
    out = _mha(impl, case)
    rep = _mha(impl, case, params=repeat_kv(case["params"], h, hkv), num_kv_heads=None)
    tol, floor = _mha_budget(impl, case)
    assert_close(out, rep.astype(np.float64), dtype=impl.dtype, what="GQA vs MHA with repeated K/V projections",
                 tol=tol, floor=floor)


@prop("multi_head_attention", "packed_qkv_equals_separate",
      inputs=lambda d: mha_inputs(d, layouts=SELF_LAYOUTS, projections=("plain", "bias")),
      statement="Self-attention with packed w_qkv = [wq | wk | wv] (and b_qkv = [bq | bk | bv]) equals it with "
                "separate wq, wk, wv (all head layouts, masks, causal, RoPE).")
def mha_packed(impl, case):
    out = _mha(impl, case)
    packed = _mha(impl, case, params=pack(case["params"]))
    tol, floor = _mha_budget(impl, case)
    assert_close(packed, out.astype(np.float64), dtype=impl.dtype, what="packed w_qkv vs separate wq wk wv",
                 tol=tol, floor=floor)


#: the layouts whose x has at most 24 elements (finite differences cost two oracle calls per element)
GRADIENT_MHA_LAYOUTS = ((1, 1, 1, 2, 2, 1, None), (1, 2, 1, 2, 4, 3, None), (1, 2, 2, 2, 4, 3, 5))


@S.composite
def mha_gradient_inputs(draw, dtype):
    case = draw(mha_inputs(dtype, regimes=("normal",), layouts=GRADIENT_MHA_LAYOUTS))
    case["cotangent_seed"] = draw(S.seeds, label="cotangent")
    return case


@prop("multi_head_attention", "vjp_matches_finite_differences", inputs=mha_gradient_inputs, needs=("vjp",),
      max_examples=10,
      statement="The VJP of multi_head_attention w.r.t. x agrees with central finite differences of the float64 "
                "oracle (self/cross, packed, grouped heads, masks, causal, RoPE).")
def mha_gradient(impl, case):
    x = case["x"]
    n, cond, _ = mha_budget(impl.dtype, x, case["context"], case["params"], case["num_heads"], _hkv(case),
                            rope_base=case["rope_base"], max_position=x.shape[1])
    kw = {key: case[key] for key in ("num_heads", "num_kv_heads", "mask", "is_causal", "rope_base")}
    cot = S.normal(x.shape, impl.dtype, case["cotangent_seed"])
    assert_vjp_matches(impl, "multi_head_attention", (x, case["context"], case["params"]), kw, cot, wrt=(0,),
                       n=n, cond=cond)


# --- mha_decode -----------------------------------------------------------------------------------------------
#: (self-attention layout, cache length P, new tokens T) drawn together, first = what shrinking aims for (JAX
#: compiles once per geometry, RoPE and dtype): an empty cache with one and several new tokens, one new token over
#: a long cache (MQA), several new tokens over a short one (GQA), more new tokens than cached ones
DECODE_GEOMETRIES = ((SELF_LAYOUTS[0], 0, 1),
                     (SELF_LAYOUTS[1], 3, 1),
                     (SELF_LAYOUTS[2], 5, 3),
                     (SELF_LAYOUTS[3], 16, 1),
                     (SELF_LAYOUTS[1], 0, 3),
                     (SELF_LAYOUTS[2], 1, 5))
#: geometries for finite differences over x_new (T * d elements)
GRADIENT_DECODE_GEOMETRIES = ((GRADIENT_MHA_LAYOUTS[0], 2, 1), (GRADIENT_MHA_LAYOUTS[1], 3, 2))
#: chunk lengths a sequence of each length is decoded in, first = one call: one token at a time, uneven chunks
CHUNKINGS = {1: ((1,),),
             3: ((3,), (1, 1, 1), (1, 2), (2, 1)),
             8: ((8,), (5, 3), (1, 5, 2), (3, 1, 4))}


@S.composite
def decode_inputs(draw, dtype, geometries=DECODE_GEOMETRIES):
    layout, past, new = draw(S.sampled_from(geometries), label="(layout, P, T)")
    case = draw(mha_inputs(dtype, layouts=(layout,), masks=("none",), causal=(False,)))
    x = case["x"]
    batch, h, hkv = x.shape[0], case["num_heads"], _hkv(case)
    head_dim = unpack(case["params"], h, hkv)["wq"].shape[1] // h
    seed = draw(S.seeds, label="cache.seed")
    case["x"] = qk_array((batch, new, x.shape[-1]), dtype, draw(S.sampled_from(X_REGIMES), label="x.regime"),
                         seed, head_dim=head_dim, large=LARGE_X)
    case["cache"] = (S.normal((batch, hkv, past, head_dim), dtype, seed + 1),
                     S.normal((batch, hkv, past, head_dim), dtype, seed + 2))
    return case


def _decode(impl, case, x_new, cache, **override):
    c = {**case, **override}
    result = impl.mha_decode(x_new, cache, c["params"], num_heads=c["num_heads"], num_kv_heads=c["num_kv_heads"],
                             rope_base=c["rope_base"])
    if not (isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], tuple)
            and len(result[1]) == 2):
        require(False, "mha_decode must return (out, (k, v))")
    out, (k, v) = result
    b, t, _ = x_new.shape
    want = (b, _hkv(c), cache[0].shape[2] + t, cache[0].shape[3])
    return (impl.expect(out, shape=x_new.shape, what="mha_decode output"),
            (impl.expect(k, shape=want, what="mha_decode cache k"),
             impl.expect(v, shape=want, what="mha_decode cache v")))


def _cache_budget(dtype, case, x_new, cache, rope_base):
    """Cached keys/values are projections (k rotated by RoPE): error ``eps (4 + sqrt d)`` relative to their
    bounds ``|x| @ |w| + |b|`` (and the cache's own values), times :func:`angle_cond` for rotated keys."""
    p = {key: np.abs(np.asarray(a, dtype=np.float64)) for key, a in
         unpack(case["params"], case["num_heads"], _hkv(case)).items()}
    xa = np.abs(np.asarray(x_new, dtype=np.float64))
    out = []
    for key, old in (("k", cache[0]), ("v", cache[1])):
        b = xa @ p[f"w{key}"] + (p[f"b{key}"] if f"b{key}" in p else 0.0)
        scale = max(float(np.max(b, initial=0.0)), float(np.max(np.abs(old.astype(np.float64)), initial=0.0)),
                    TINY[dtype])
        cond = angle_cond(dtype, cache[0].shape[2] + x_new.shape[1]) if key == "k" and rope_base else 1.0
        out.append((tolerance(dtype, n=xa.shape[-1], cond=cond), scale))
    return out


@prop("mha_decode", "matches_oracle", inputs=decode_inputs, dtypes=FLOATS,
      statement="mha_decode's output and extended cache equal the float64 NumPy oracle within the error "
                "propagated through its float64 intermediates, as for multi_head_attention (properties.budgets; "
                "caches of length 0 to 16, one or several new tokens, packed, biases, MHA/MQA/GQA, "
                "RoPE at positions P..P+T-1).")
def decode_oracle(impl, case):
    x, cache = case["x"], case["cache"]
    out, (k, v) = _decode(impl, case, x, cache)
    want, (wk, wv) = expected("mha_decode", x, cache, case["params"], num_heads=case["num_heads"],
                              num_kv_heads=case["num_kv_heads"], rope_base=case["rope_base"])
    (tol, floor), *cache_budgets = budgets.decode_budgets(impl.dtype, x, cache, case["params"], case["num_heads"],
                                                          _hkv(case), rope_base=case["rope_base"])
    assert_close(out, want, dtype=impl.dtype, what="mha_decode output vs float64 oracle", tol=tol, floor=floor)
    for name, got, ref, (ctol, cfloor) in zip("kv", (k, v), (wk, wv), cache_budgets):
        assert_close(got, ref, dtype=impl.dtype, what=f"mha_decode cache {name} vs float64 oracle", tol=ctol,
                     floor=cfloor)


@S.composite
def chunk_inputs(draw, dtype):
    case = draw(mha_inputs(dtype, layouts=SELF_LAYOUTS, masks=("none",), causal=(True,)))
    lengths = draw(S.sampled_from(CHUNKINGS[case["x"].shape[1]]), label="chunk lengths")
    bounds = np.cumsum((0,) + lengths).tolist()
    case["chunks"] = list(zip(bounds[:-1], bounds[1:]))
    return case


@prop("mha_decode", "chunked_decoding_equals_causal_attention", inputs=chunk_inputs, max_examples=10,
      statement="Decoding a sequence chunk by chunk from an empty cache (Hypothesis picks the split from "
                "CHUNKINGS: all at once, one token at a time, uneven chunks) gives "
                "multi_head_attention(is_causal=True) on the whole sequence (the implementation's own, or the "
                "float64 oracle's where it has none), with and without RoPE, and the same output and cache as one "
                "mha_decode call on the whole.")
def decode_chunks(impl, case):
    x, h, hkv = case["x"], case["num_heads"], _hkv(case)
    batch, length, _ = x.shape
    head_dim = unpack(case["params"], h, hkv)["wq"].shape[1] // h
    empty = np.zeros((batch, hkv, 0, head_dim), dtype=x.dtype)
    cache, outs = (empty, empty.copy()), []
    for a, b in case["chunks"]:
        out, cache = _decode(impl, case, np.ascontiguousarray(x[:, a:b]), cache)
        outs.append(out.astype(np.float64))
    chunked = np.concatenate(outs, axis=1)
    tol, floor = _mha_budget(impl, case)
    whole, whole_cache = _decode(impl, case, x, (empty, empty.copy()))
    assert_close(chunked, whole.astype(np.float64), dtype=impl.dtype, tol=tol, floor=floor,
                 what=f"mha_decode over chunks {case['chunks']} vs one mha_decode call")
    if callable(getattr(impl.module, "multi_head_attention", None)):
        full, source = _mha(impl, case).astype(np.float64), "multi_head_attention(is_causal=True)"
    else:
        full, source = expected("multi_head_attention", x, None, case["params"], num_heads=h,
                                num_kv_heads=case["num_kv_heads"], is_causal=True, rope_base=case["rope_base"]), \
            "the float64 oracle's multi_head_attention(is_causal=True)"
    assert_close(chunked, full, dtype=impl.dtype, what=f"mha_decode over chunks {case['chunks']} vs {source}",
                 tol=tol, floor=floor)
    for name, got, ref, (ctol, cfloor) in zip("kv", cache, whole_cache,
                                               _cache_budget(impl.dtype, case, x, (empty, empty), case["rope_base"])):
        assert_close(got, ref.astype(np.float64), dtype=impl.dtype, what=f"cache {name} after chunks vs one call",
                     tol=ctol, floor=cfloor)


@prop("mha_decode", "packed_qkv_equals_separate", inputs=decode_inputs,
      statement="mha_decode with packed w_qkv = [wq | wk | wv] equals it with separate wq, wk, wv (output and "
                "cache).")
def decode_packed(impl, case):
    x, cache, h, hkv = case["x"], case["cache"], case["num_heads"], _hkv(case)
    separate = unpack(case["params"], h, hkv)
    out, kv = _decode(impl, case, x, cache, params=separate)
    out_p, kv_p = _decode(impl, case, x, cache, params=pack(separate))
    tol, floor = mha_tolerance(impl.dtype, x, None, separate, h, hkv, rope_base=case["rope_base"],
                               max_position=cache[0].shape[2] + x.shape[1], cache=cache)
    assert_close(out_p, out.astype(np.float64), dtype=impl.dtype, what="packed vs separate output", tol=tol,
                 floor=floor)
    for name, a, b, (ctol, cfloor) in zip("kv", kv_p, kv, _cache_budget(impl.dtype, case, x, cache,
                                                                         case["rope_base"])):
        assert_close(a, b.astype(np.float64), dtype=impl.dtype, what=f"packed vs separate cache {name}", tol=ctol,
                     floor=cfloor)


@S.composite
def decode_gradient_inputs(draw, dtype):
    case = draw(decode_inputs(dtype, geometries=GRADIENT_DECODE_GEOMETRIES))
    case["cotangent_seed"] = draw(S.seeds, label="cotangent")
    return case


@prop("mha_decode", "vjp_matches_finite_differences", inputs=decode_gradient_inputs, needs=("vjp",),
      max_examples=10,
      statement="The VJP of mha_decode's output w.r.t. x_new agrees with central finite differences of the "
                "float64 oracle.")
def decode_gradient(impl, case):
    x, cache = case["x"], case["cache"]
    n, cond, _ = mha_budget(impl.dtype, x, None, case["params"], case["num_heads"], _hkv(case),
                            rope_base=case["rope_base"], max_position=cache[0].shape[2] + x.shape[1], cache=cache)
    kw = {key: case[key] for key in ("num_heads", "num_kv_heads", "rope_base")}
    cot = S.normal(x.shape, impl.dtype, case["cotangent_seed"])
    assert_vjp_matches(impl, "mha_decode", (x, cache, case["params"]), kw, cot, wrt=(0,), output=0, n=n, cond=cond)


# --- feed_forward ---------------------------------------------------------------------------------------------
#: (x shape, hidden f, output d_out) drawn together, first = what shrinking aims for: JAX compiles once per
#: geometry (and activation, dtype), so the properties share these instead of paying one per example. They reach
#: one position and one feature, d_out = d and d_out != d, f < d and f > d, ranks 1 to 3.
FFN_LAYOUTS = (((1,), 4, 1),
               ((2, 3), 8, 3),
               ((4, 8), 4, 8),
               ((2, 2, 5), 8, 3),
               ((3,), 4, 3),
               ((1, 4, 8), 8, 8))
#: geometries small enough for finite differences (x.size <= 24)
FFN_GRADIENT_LAYOUTS = (((1,), 4, 1), ((2, 3), 4, 3), ((2, 2, 4), 8, 4))


@S.composite
def ffn_inputs(draw, dtype, *, layouts=FFN_LAYOUTS):
    shape, f, d_out = draw(S.sampled_from(layouts), label="(x.shape, f, d_out)")
    d = shape[-1]
    activation = draw(S.sampled_from(ACTIVATIONS), label="activation")
    seed = draw(S.seeds, label="params.seed")
    params = {"w1": S.normal((d, f), dtype, seed, 1.0 / math.sqrt(d)),
              "w2": S.normal((f, d_out), dtype, seed + 1, 1.0 / math.sqrt(f))}
    if activation == "swiglu":
        params["w3"] = S.normal((d, f), dtype, seed + 2, 1.0 / math.sqrt(d))
    elif draw(S.booleans(), label="bias"):
        params["b1"] = S.normal((f,), dtype, seed + 3, 0.5)
        params["b2"] = S.normal((d_out,), dtype, seed + 4, 0.5)
    x = draw(S.arrays(shape, dtype, regimes=("normal", "integers", "tiny", "constant")))
    return {"x": x, "params": params, "activation": activation}


@prop("feed_forward", "matches_oracle", inputs=ffn_inputs, dtypes=FLOATS,
      statement="feed_forward (relu, exact-erf gelu, swiglu; with and without biases) equals the float64 NumPy "
                "oracle within the error propagated through the float64 hidden pre-activations and activations "
                "(float32 dots, two roundings per stored intermediate, the activation's slope) plus one rounding "
                "of the output (properties.budgets).")
def ffn_oracle(impl, case):
    x, params, act = case["x"], case["params"], case["activation"]
    got = impl.feed_forward(x, params, activation=act)
    want = expected("feed_forward", x, params, activation=act)
    got = impl.expect(got, shape=want.shape)
    tol, floor = budgets.ffn_budget(impl.dtype, x, params, act)
    assert_close(got, want, dtype=impl.dtype, what=f"feed_forward({act}) vs float64 oracle", tol=tol, floor=floor)


@S.composite
def ffn_position_inputs(draw, dtype):
    case = draw(ffn_inputs(dtype, layouts=tuple(lay for lay in FFN_LAYOUTS if len(lay[0]) >= 2)))
    case["seed"] = draw(S.seeds, label="perturb_seed")
    return case


@prop("feed_forward", "position_wise", inputs=ffn_position_inputs,
      statement="feed_forward acts on each position (row of x over the last axis) independently: changing one "
                "position changes only its output, and permuting the positions permutes the outputs "
                "(relu, gelu, swiglu).")
def ffn_position_wise(impl, case):
    x, params, act = case["x"], case["params"], case["activation"]
    d = x.shape[-1]
    rows = x.reshape(-1, d)
    rng = S.rng(case["seed"])
    y = impl.expect(impl.feed_forward(x, params, activation=act), shape=x.shape[:-1] + (params["w2"].shape[1],))
    y_rows = y.reshape(rows.shape[0], -1).astype(np.float64)
    i = int(rng.integers(rows.shape[0]))
    x2 = rows.copy()
    x2[i] = S.cast(3.0 * rng.standard_normal(d), impl.dtype)
    y2 = impl.expect(impl.feed_forward(x2.reshape(x.shape), params, activation=act), shape=y.shape)
    y2_rows = y2.reshape(y_rows.shape)
    tol, floor = ffn_tolerance(impl.dtype, x, params, act)
    others = np.arange(rows.shape[0]) != i
    assert_close(y2_rows[others], y_rows[others], dtype=impl.dtype, what=f"outputs of positions other than {i}",
                 tol=tol, floor=floor)
    perm = rng.permutation(rows.shape[0])
    yp = impl.expect(impl.feed_forward(np.ascontiguousarray(rows[perm]).reshape(x.shape), params, activation=act),
                     shape=y.shape)
    assert_close(yp.reshape(y_rows.shape), y_rows[perm], dtype=impl.dtype, what="FFN(permuted positions) vs "
                 "permuted FFN", tol=tol, floor=floor)


@S.composite
def ffn_gradient_inputs(draw, dtype):
    case = draw(ffn_inputs(dtype, layouts=FFN_GRADIENT_LAYOUTS))
    case["cotangent_seed"] = draw(S.seeds, label="cotangent")
    return case


def _away_from_relu_kink(x, params) -> bool:
    """No pre-activation ``x W1 + b1`` lies within reach of a finite-difference step (``h = 1e-6 max(1, |x_i|)``
    on one coordinate of ``x``) of ReLU's kink at 0: there the central difference averages the two one-sided
    slopes and no VJP can match it (0 itself is the convention's point: relu'(0) = 0 on either side)."""
    x64 = x.astype(np.float64).reshape(-1, x.shape[-1])
    w1 = params["w1"].astype(np.float64)
    z = x64 @ w1 + (params["b1"].astype(np.float64) if "b1" in params else 0.0)
    reach = 1e-6 * np.maximum(1.0, np.abs(x64)).max(axis=1, keepdims=True) * np.abs(w1).max(axis=0)
    return bool(np.all(np.abs(z) > 2 * reach))


@prop("feed_forward", "vjp_matches_finite_differences", inputs=ffn_gradient_inputs, needs=("vjp",),
      statement="The VJP of feed_forward w.r.t. x agrees with central finite differences of the float64 oracle "
                "(relu, gelu, swiglu; for relu only where no pre-activation is within a step of the kink at 0).")
def ffn_gradient(impl, case):
    x, params, act = case["x"], case["params"], case["activation"]
    if act == "relu":
        assume(_away_from_relu_kink(x, params))
    out_shape = x.shape[:-1] + (params["w2"].shape[1],)
    cot = S.normal(out_shape, impl.dtype, case["cotangent_seed"])
    n, cond, _ = ffn_budget(impl.dtype, x, params, act)
    assert_vjp_matches(impl, "feed_forward", (x, params), {"activation": act}, cot, wrt=(0,), n=n, cond=cond)


# --- bad input ------------------------------------------------------------------------------------------------
def _bad_inputs(dtype):
    return st.just(None)


def _f32(shape, seed=0):
    return S.normal(shape, "float32", seed)


def _register_attention_rejects(component):
    with_v = component == "scaled_dot_product_attention"

    @prop(component, "rejects_bad_input", inputs=_bad_inputs, dtypes=("float32",), max_examples=1,
          statement=f"{component} raises ValueError/TypeError for q/k of rank != 4, H % Hkv != 0, mismatched q/k "
                    "head dims or batches, a mask that does not broadcast to (B, H, Lq, Lk), a non-bool (additive "
                    "float) mask" + (", and v whose (B, Hkv, Lk) differ from k's." if with_v else "."))
    def rejects(impl, case):
        q, k, v = _f32((2, 4, 3, 8)), _f32((2, 2, 5, 8), 1), _f32((2, 2, 5, 8), 2)

        def call(q_, k_, *, why, **kw):
            args = (q_, k_, v) if with_v else (q_, k_)
            assert_rejects(impl, component, *args, why=why, **kw)

        call(q[0], k[0], why="q, k of rank 3")
        call(_f32((2, 3, 3, 8)), k, why="H=3 query heads with Hkv=2 (H % Hkv != 0)")
        call(q, _f32((2, 2, 5, 4), 1), why="q head dim 8 with k head dim 4")
        call(q, _f32((1, 2, 5, 8), 1), why="q batch 2 with k batch 1")
        call(q, k, mask=np.ones((4, 5), dtype=bool), why="mask (4, 5) for (Lq, Lk) = (3, 5)")
        call(q, k, mask=np.ones((2, 4, 3, 6), dtype=bool), why="mask (2, 4, 3, 6) for Lk = 5")
        call(q, k, mask=np.zeros((3, 5), dtype=np.float32), why="a float (additive) mask instead of a bool one")
        if with_v:
            assert_rejects(impl, component, q, k, _f32((2, 2, 4, 8), 2), why="v with Lk=4 for k with Lk=5")
            assert_rejects(impl, component, q, k, _f32((2, 1, 5, 8), 2), why="v with Hkv=1 for k with Hkv=2")


for _c in ("attention_weights", "scaled_dot_product_attention"):
    _register_attention_rejects(_c)


@prop("multi_head_attention", "rejects_bad_input", inputs=_bad_inputs, dtypes=("float32",), max_examples=1,
      statement="multi_head_attention raises ValueError/TypeError for H % Hkv != 0, RoPE with cross-attention, "
                "packed w_qkv with cross-attention, unexpected params keys, projections of the wrong shape, x of "
                "rank != 3, context with another model dim, a mask that does not broadcast, a non-bool mask.")
def mha_rejects(impl, case):
    x, ctx = _f32((2, 3, 8)), _f32((2, 5, 8), 1)
    params = make_params("float32", 8, 4, 2, 2, 0, bias=True)
    good = {"num_heads": 4, "num_kv_heads": 2}

    def call(x_, ctx_, p_, *, why, **kw):
        assert_rejects(impl, "multi_head_attention", x_, ctx_, p_, why=why, **{**good, **kw})

    call(x, None, params, num_kv_heads=3, why="num_heads=4 with num_kv_heads=3 (H % Hkv != 0)")
    call(x, ctx, params, rope_base=10000.0, why="rope_base with cross-attention")
    call(x, ctx, pack(params), why="packed w_qkv with cross-attention")
    call(x, None, {**params, "w_extra": _f32((8, 8))}, why="an unexpected params key 'w_extra'")
    call(x, None, {**pack(params), "wq": params["wq"]}, why="both w_qkv and wq")
    call(x, None, {**params, "wk": _f32((8, 6))}, why="wk of width 6 for Hkv * D = 4")
    call(x, None, {**params, "wo": _f32((8, 6))}, why="wo of shape (8, 6) for (H*D, d) = (8, 8)")
    call(x, None, {**params, "bq": _f32((7,))}, why="bq of shape (7,) for H*D = 8")
    call(x[0], None, params, why="x of rank 2")
    call(x, _f32((2, 5, 6)), params, why="context with model dim 6 for d = 8")
    call(x, None, params, mask=np.ones((4, 3), dtype=bool), why="mask (4, 3) for (Lq, Lk) = (3, 3)")
    call(x, None, params, mask=np.ones((3, 3), dtype=np.float32), why="a float mask")


@prop("mha_decode", "rejects_bad_input", inputs=_bad_inputs, dtypes=("float32",), max_examples=1,
      statement="mha_decode raises ValueError/TypeError for H % Hkv != 0, a cache whose shape does not match "
                "(B, Hkv, P, D) (wrong Hkv, wrong D, wrong batch, k and v of different lengths), a cache that "
                "is not a (k, v) pair, unexpected params keys, and x_new of rank != 3.")
def decode_rejects(impl, case):
    x = _f32((2, 1, 8))
    params = make_params("float32", 8, 4, 2, 2, 0, bias=False)
    k, v = _f32((2, 2, 5, 2), 1), _f32((2, 2, 5, 2), 2)
    good = {"num_heads": 4, "num_kv_heads": 2}

    def call(x_, cache_, p_=params, *, why, **kw):
        assert_rejects(impl, "mha_decode", x_, cache_, p_, why=why, **{**good, **kw})

    call(x, (k, v), num_kv_heads=3, why="num_heads=4 with num_kv_heads=3")
    call(x, (_f32((2, 4, 5, 2)), _f32((2, 4, 5, 2))), why="cache with 4 heads for Hkv=2")
    call(x, (_f32((2, 2, 5, 4)), _f32((2, 2, 5, 4))), why="cache with head dim 4 for D=2")
    call(x, (_f32((1, 2, 5, 2)), _f32((1, 2, 5, 2))), why="cache with batch 1 for B=2")
    call(x, (k, _f32((2, 2, 4, 2))), why="cache v of length 4 with cache k of length 5")
    call(x, k, why="a single array instead of a (k, v) pair")
    call(x, (k, v, v), why="a triple instead of a (k, v) pair")
    call(x, (k, v), {**params, "gamma": _f32((8,))}, why="an unexpected params key 'gamma'")
    call(x[0], (k, v), why="x_new of rank 2")


@prop("feed_forward", "rejects_bad_input", inputs=_bad_inputs, dtypes=("float32",), max_examples=1,
      statement="feed_forward raises ValueError/TypeError for an unknown activation, w1 whose rows differ from "
                "x's model dim, w2 whose rows differ from w1's width, swiglu without w3, biases with swiglu, and "
                "unexpected params keys.")
def ffn_rejects(impl, case):
    x = _f32((2, 3, 4))
    params = {"w1": _f32((4, 8), 1), "b1": _f32((8,), 2), "w2": _f32((8, 4), 3), "b2": _f32((4,), 4)}
    glu = {"w1": _f32((4, 8), 1), "w3": _f32((4, 8), 5), "w2": _f32((8, 4), 3)}
    assert_rejects(impl, "feed_forward", x, params, activation="tanh", why="activation='tanh'")
    assert_rejects(impl, "feed_forward", x, params, activation="GELU", why="activation='GELU'")
    assert_rejects(impl, "feed_forward", x, {**params, "w1": _f32((5, 8))}, activation="relu",
                   why="w1 with 5 rows for d = 4")
    assert_rejects(impl, "feed_forward", x, {**params, "w2": _f32((6, 4))}, activation="gelu",
                   why="w2 with 6 rows for hidden width 8")
    assert_rejects(impl, "feed_forward", x, {**params, "b1": _f32((7,))}, activation="relu",
                   why="b1 of shape (7,) for hidden width 8")
    assert_rejects(impl, "feed_forward", x, {"w1": glu["w1"], "w2": glu["w2"]}, activation="swiglu",
                   why="swiglu without w3")
    assert_rejects(impl, "feed_forward", x, {**glu, "b1": _f32((8,))}, activation="swiglu",
                   why="a bias b1 with swiglu (no biases)")
    assert_rejects(impl, "feed_forward", x, {**params, "w3": glu["w3"]}, activation="relu",
                   why="an unexpected params key 'w3' for relu")
