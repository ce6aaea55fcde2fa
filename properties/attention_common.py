"""Shared sizes, strategies, reference computations and helpers of the attention family's property modules
(``properties/test_attention_weights.py``, ``test_scaled_dot_product_attention.py``,
``test_multi_head_attention.py``, ``test_mha_decode.py``, ``test_feed_forward.py``; SPEC 3.6 and section 4,
"Attention"). Not a ``test_`` module: it registers no property itself (its ``_register_*`` helpers register
one in the module that calls them).

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

import math

import numpy as np
from hypothesis import strategies as st

from properties import strategies
from properties.assertions import assert_rejects, require
from properties.gradients import MAX_FD_ELEMENTS
from properties.registry import FLOATS, prop
# the a-priori budgets of the properties that compare an implementation with itself or with finite differences
from properties.budgets import GELU_SLOPE, SILU_SLOPE, logit_cond, probability_floor  # noqa: F401
from properties.budgets import apriori_ffn_budget as ffn_budget, ffn_tolerance  # noqa: F401
from properties.budgets import apriori_mha_budget as mha_budget, mha_tolerance  # noqa: F401
from properties.tolerances import MASKED_PROBABILITY, MAX, TINY, tolerance

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
    rng = strategies.rng(seed)
    if regime == "large":
        big = _large(dtype, head_dim) if large is None else large
        return strategies.cast(rng.choice([-1.0, 1.0], shape) * rng.uniform(0.5, 1.0, shape) * big, dtype)
    if regime == "offset":
        return strategies.cast(30.0 + 0.01 * rng.standard_normal(shape), dtype)
    if regime == "constant":
        return strategies.generate(shape, dtype, "constant", seed, const_axes=(-2,))
    return strategies.generate(shape, dtype, regime, seed)


def make_mask(kind: str, batch: int, heads: int, q_len: int, k_len: int, seed: int):
    """A boolean mask (True = may attend) of one broadcastable form, or None."""
    rng = strategies.rng(seed)
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
@strategies.composite
def attention_inputs(draw, dtype, *, masks=MASK_KINDS, causal=(False, True), layouts=SDPA_LAYOUTS,
                     qk_regimes=QK_REGIMES, scales=SCALES):
    batch, h, hkv, q_len, k_len, d, dv = draw(strategies.sampled_from(layouts), label="(B, H, Hkv, Lq, Lk, D, Dv)")
    q = qk_array((batch, h, q_len, d), dtype, draw(strategies.sampled_from(qk_regimes), label="q.regime"),
                 draw(strategies.seeds, label="q.seed"), head_dim=d)
    k = qk_array((batch, hkv, k_len, d), dtype, draw(strategies.sampled_from(qk_regimes), label="k.regime"),
                 draw(strategies.seeds, label="k.seed"), head_dim=d)
    v = draw(strategies.arrays((batch, hkv, k_len, dv), dtype, regimes=V_REGIMES, const_axes=(2,), label="v"))
    mask = make_mask(draw(strategies.sampled_from(masks), label="mask"), batch, h, q_len, k_len,
                     draw(strategies.seeds, label="mask.seed"))
    return {"q": q, "k": k, "v": v, "mask": mask, "is_causal": draw(strategies.sampled_from(causal), label="is_causal"),
            "scale": draw(strategies.sampled_from(scales), label="scale")}


def _kw(case):
    return {"mask": case["mask"], "is_causal": case["is_causal"], "scale": case["scale"]}


def _allowed(case):
    q, k = case["q"], case["k"]
    return allowed_keys(case["mask"], case["is_causal"], (q.shape[0], q.shape[1], q.shape[2], k.shape[2]))


def _value_floor(v, dtype):
    """Output rows are ``sum_j p_j v_j``: their error is relative to ``sum_j p_j |v_j| <= max |v|``."""
    return max(float(np.max(np.abs(np.asarray(v, dtype=np.float64)), initial=0.0)), TINY[dtype])


def _weights_tol(subject, case, allowed=None):
    q, k = case["q"], case["k"]
    cond = logit_cond(q, k, case["scale"], _allowed(case) if allowed is None else allowed)
    return tolerance(subject.dtype, n=q.shape[-1] + k.shape[2], cond=cond)


def _p_shape(case):
    q, k = case["q"], case["k"]
    return (q.shape[0], q.shape[1], q.shape[2], k.shape[2])


def _o_shape(case):
    q, v = case["q"], case["v"]
    return (q.shape[0], q.shape[1], q.shape[2], v.shape[-1])


@strategies.composite
def fully_masked_inputs(draw, dtype):
    """Inputs with at least one fully masked query row: forced masked rows, a padded-out batch entry, or a causal
    mask with Lq > Lk (query i < Lq - Lk sees no key)."""
    how = draw(strategies.sampled_from(("rows", "padding", "causal")), label="how")
    if how == "causal":
        return draw(attention_inputs(dtype, masks=("none", "keys"), causal=(True,),
                                     layouts=tuple(lay for lay in SDPA_LAYOUTS if lay[3] > lay[4])))
    case = draw(attention_inputs(dtype, masks=("random",) if how == "rows" else ("padding",)))
    mask = case["mask"].copy()
    rng = strategies.rng(draw(strategies.seeds, label="rows.seed"))
    if how == "rows":
        pick = rng.random(mask.shape[:3]) < 0.3
        pick.reshape(-1)[rng.integers(pick.size)] = True
        mask[pick] = False
    else:
        mask[rng.integers(mask.shape[0])] = False
    case["mask"] = mask
    return case


def _register_fully_masked(component, module):
    """Register ``fully_masked_rows_are_zero`` of ``component`` in the property module ``module`` (the
    registry files a property under its function's ``__module__``: the calling module passes ``__name__``)."""
    def fully_masked(subject, case):
        q, k, v = case["q"], case["k"], case["v"]
        rows = ~_allowed(case).any(axis=-1)
        require(bool(rows.any()), "strategy error: no fully masked row")
        limit = MASKED_PROBABILITY[subject.dtype]
        if component == "attention_weights":
            out = subject.expect(subject.attention_weights(q, k, **_kw(case)), shape=_p_shape(case))
        else:
            out = subject.expect(subject.scaled_dot_product_attention(q, k, v, **_kw(case)), shape=_o_shape(case))
            limit *= k.shape[2] * _value_floor(v, subject.dtype)
        worst = float(np.max(np.abs(out.astype(np.float64)[rows])))
        what = "probability" if component == "attention_weights" else "output"
        require(worst <= limit, f"a fully masked row has |{what}| up to {worst:.3g} (allowed {limit:.3g}); "
                                f"rows (b, h, i) {np.argwhere(rows)[:3].tolist()}")


    fully_masked.__module__ = module
    prop(component, "fully_masked_rows_are_zero", inputs=fully_masked_inputs, dtypes=FLOATS,
         statement=f"{component}: a query row with no allowed key (masked out, a padded-out batch entry, or "
                   "causal with Lq > Lk) gives probabilities 0 and output 0 (each term <= "
                   "tolerances.MASKED_PROBABILITY * |v|), never NaN, also with logits ~1e4.")(fully_masked)


# --- gradients ------------------------------------------------------------------------------------------------
#: (H, Hkv, Lq, Lk, D) of the finite-difference checks (B = 1): tiny, with Lq != Lk and a grouped K/V head
GRADIENT_SDPA_LAYOUTS = ((1, 1, 1, 1, 2), (2, 1, 3, 2, 2), (2, 2, 1, 3, 4), (1, 1, 3, 3, 2))


@strategies.composite
def gradient_inputs(draw, dtype):
    h, hkv, q_len, k_len, d = draw(strategies.sampled_from(GRADIENT_SDPA_LAYOUTS), label="(H, Hkv, Lq, Lk, D)")
    amp = draw(strategies.sampled_from((1.0, 0.3, 2.0)), label="amplitude")
    seed = draw(strategies.seeds, label="seed")
    q = strategies.normal((1, h, q_len, d), dtype, seed, amp)
    k = strategies.normal((1, hkv, k_len, d), dtype, seed + 1, amp)
    v = strategies.normal((1, hkv, k_len, d), dtype, seed + 2)
    mask = make_mask(draw(strategies.sampled_from(("none", "random", "keys")), label="mask"), 1, h, q_len, k_len, seed)
    assert max(q.size, k.size) <= MAX_FD_ELEMENTS
    return {"q": q, "k": k, "v": v, "mask": mask, "is_causal": draw(strategies.booleans(), label="is_causal"),
            "scale": draw(strategies.sampled_from((None, 0.5)), label="scale"),
            "cotangent_seed": draw(strategies.seeds, label="cotangent")}


# --- multi_head_attention -------------------------------------------------------------------------------------
def make_params(dtype, d, h, hkv, head_dim, seed, *, bias: bool, packed: bool = False):
    """Projection weights with 1/sqrt(fan_in) scale (projections keep x's magnitude), optional biases."""
    widths = {"q": h * head_dim, "k": hkv * head_dim, "v": hkv * head_dim}
    params = {f"w{n}": strategies.normal((d, w), dtype, seed + i, 1.0 / math.sqrt(d))
              for i, (n, w) in enumerate(widths.items())}
    params["wo"] = strategies.normal((h * head_dim, d), dtype, seed + 3, 1.0 / math.sqrt(h * head_dim))
    if bias:
        for i, (n, w) in enumerate(widths.items()):
            params[f"b{n}"] = strategies.normal((w,), dtype, seed + 4 + i, 0.5)
        params["bo"] = strategies.normal((d,), dtype, seed + 7, 0.5)
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


@strategies.composite
def mha_inputs(draw, dtype, *, layouts=MHA_LAYOUTS, projections=PROJECTIONS, rope=ROPE_BASES, masks=MASK_KINDS,
               causal=(False, True), regimes=X_REGIMES):
    batch, h, hkv, head_dim, d, q_len, k_len = draw(strategies.sampled_from(layouts), label="(B, H, Hkv, D, d, Lq, Lk)")
    is_cross = k_len is not None
    k_len = k_len if is_cross else q_len
    regime = draw(strategies.sampled_from(regimes), label="x.regime")
    seed = draw(strategies.seeds, label="x.seed")
    x = qk_array((batch, q_len, d), dtype, regime, seed, head_dim=head_dim, large=LARGE_X)
    context = None
    if is_cross:
        context = qk_array((batch, k_len, d), dtype, draw(strategies.sampled_from(regimes), label="context.regime"),
                           seed + 1, head_dim=head_dim, large=LARGE_X)
    projection = draw(strategies.sampled_from(projections), label="projection")
    params = make_params(dtype, d, h, hkv, head_dim, draw(strategies.seeds, label="params.seed"),
                         bias=projection != "plain", packed=projection == "packed" and not is_cross)
    mask = make_mask(draw(strategies.sampled_from(masks), label="mask"), batch, h, q_len, k_len,
                     draw(strategies.seeds, label="mask.seed"))
    return {"x": x, "context": context, "params": params, "num_heads": h,
            "num_kv_heads": None if hkv == h else hkv, "mask": mask,
            "is_causal": draw(strategies.sampled_from(causal), label="is_causal"),
            "rope_base": None if is_cross else draw(strategies.sampled_from(rope), label="rope_base")}


def _hkv(case):
    return case["num_heads"] if case["num_kv_heads"] is None else case["num_kv_heads"]


def _mha(subject, case, **override):
    c = {**case, **override}
    x = c["x"]
    out = subject.multi_head_attention(x, c["context"], c["params"], num_heads=c["num_heads"],
                                    num_kv_heads=c["num_kv_heads"], mask=c["mask"], is_causal=c["is_causal"],
                                    rope_base=c["rope_base"])
    return subject.expect(out, shape=x.shape, what="multi_head_attention output")


def _mha_budget(subject, case, **override):
    c = {**case, **override}
    return mha_tolerance(subject.dtype, c["x"], c["context"], c["params"], c["num_heads"], _hkv(c),
                         rope_base=c["rope_base"], max_position=c["x"].shape[1])


GRADIENT_MHA_LAYOUTS = ((1, 1, 1, 2, 2, 1, None), (1, 2, 1, 2, 4, 3, None), (1, 2, 2, 2, 4, 3, 5))


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


@strategies.composite
def decode_inputs(draw, dtype, geometries=DECODE_GEOMETRIES):
    layout, past, new = draw(strategies.sampled_from(geometries), label="(layout, P, T)")
    case = draw(mha_inputs(dtype, layouts=(layout,), masks=("none",), causal=(False,)))
    x = case["x"]
    batch, h, hkv = x.shape[0], case["num_heads"], _hkv(case)
    head_dim = unpack(case["params"], h, hkv)["wq"].shape[1] // h
    seed = draw(strategies.seeds, label="cache.seed")
    case["x"] = qk_array((batch, new, x.shape[-1]), dtype, draw(strategies.sampled_from(X_REGIMES), label="x.regime"),
                         seed, head_dim=head_dim, large=LARGE_X)
    case["cache"] = (strategies.normal((batch, hkv, past, head_dim), dtype, seed + 1),
                     strategies.normal((batch, hkv, past, head_dim), dtype, seed + 2))
    return case


# --- bad input ------------------------------------------------------------------------------------------------
def _bad_inputs(dtype):
    return st.just(None)


def _f32(shape, seed=0):
    return strategies.normal(shape, "float32", seed)


def _register_attention_rejects(component, module):
    """Register ``rejects_bad_input`` of ``component`` (attention_weights or scaled_dot_product_attention) in
    the property module ``module`` (its ``__name__``: the registry files a property under its function's
    ``__module__``)."""
    with_v = component == "scaled_dot_product_attention"

    def rejects(subject, case):
        q, k, v = _f32((2, 4, 3, 8)), _f32((2, 2, 5, 8), 1), _f32((2, 2, 5, 8), 2)

        def call(q_, k_, *, why, **kw):
            args = (q_, k_, v) if with_v else (q_, k_)
            assert_rejects(subject, component, *args, why=why, **kw)

        call(q[0], k[0], why="q, k of rank 3")
        call(_f32((2, 3, 3, 8)), k, why="H=3 query heads with Hkv=2 (H % Hkv != 0)")
        call(q, _f32((2, 2, 5, 4), 1), why="q head dim 8 with k head dim 4")
        call(q, _f32((1, 2, 5, 8), 1), why="q batch 2 with k batch 1")
        call(q, k, mask=np.ones((4, 5), dtype=bool), why="mask (4, 5) for (Lq, Lk) = (3, 5)")
        call(q, k, mask=np.ones((2, 4, 3, 6), dtype=bool), why="mask (2, 4, 3, 6) for Lk = 5")
        call(q, k, mask=np.zeros((3, 5), dtype=np.float32), why="a float (additive) mask instead of a bool one")
        if with_v:
            assert_rejects(subject, component, q, k, _f32((2, 2, 4, 8), 2), why="v with Lk=4 for k with Lk=5")
            assert_rejects(subject, component, q, k, _f32((2, 1, 5, 8), 2), why="v with Hkv=1 for k with Hkv=2")

    rejects.__module__ = module
    prop(component, "rejects_bad_input", inputs=_bad_inputs, dtypes=("float32",), max_examples=1,
         statement=f"{component} raises ValueError/TypeError for q/k of rank != 4, H % Hkv != 0, mismatched q/k "
                   "head dims or batches, a mask that does not broadcast to (B, H, Lq, Lk), a non-bool (additive "
                   "float) mask" + (", and v whose (B, Hkv, Lk) differ from k's." if with_v else "."))(rejects)
