"""Error budgets of the attention family derived from what is actually computed (see :mod:`properties.tolerances`
for the per-operation model this builds on).

The a-priori budgets (``eps (4 + sqrt n) cond``, with ``cond`` from triangle-inequality bounds such as
``|x| @ |W|``) left a correct kernel using 1-4% of its allowance in half precision. Here each budget is an
*absolute, per-element* allowance propagated through the float64 intermediates of the rounded inputs: the
logits ``s``, probabilities ``p``, value rows ``v``, projections and hidden activations, and the output. An
implementation computing in dtype ``t`` (unit roundoff ``u_t = eps_t / 2``) may accumulate in a compute dtype
``c`` (float32 for float16/bfloat16: the catalogue allows it; ``c = t`` otherwise), and may store intermediates in
``t`` (torch's and JAX's built-in half kernels keep the probabilities, projections and the attention output in
half precision). Each source of error is counted once:

* a reduction over ``n`` terms in ``c``: ``u_c (ULPS + sqrt n)`` times the sum of the magnitudes of its terms
  (the :mod:`properties.tolerances` model; ``ULPS`` covers the few elementwise operations around it);
* a stored intermediate ``z`` of a half-precision ``t``: up to two roundings, ``eps_t |z|``
  (``STORED_ROUNDINGS``): e.g. the unnormalised exponentials and the probabilities, or a projection and its RoPE
  rotation (in float32/float64 ``t = c`` and the store is one of the roundings ``ULPS`` counts);
* a logit ``s_ij = scale q_i . k_j``: the reduction term of ``A_ij = scale sum_d |q_id| |k_jd|``, in half
  precision plus ``eps_t A_ij`` (a prescaled ``q`` or a logit stored in ``t``), plus what the errors of q and k
  carry;
* probabilities: a logit error ``|delta_ij| <= E_ij`` gives ``p^_ij / p_ij = exp(delta_ij) / sum_k p_ik
  exp(delta_ik)``, off by at most ``expm1(E_ij + G_i)`` with ``G_i = log sum_k p_ik exp(E_ik)`` (``~ E_ij +
  sum_k p_ik E_ik`` for small errors: the "~1" between logit and probability errors); and since the perturbed
  probabilities still sum to 1, the output ``sum_j p_ij v_j`` moves by ``sum_j p_ij r_ij (v_j - o_i)``: relative
  probability errors times the *spread* of the value rows around the output, not their size;
* the output: one final rounding ``u_t |o|``.

Nothing here multiplies by ``(ULPS + sqrt n)`` twice. float32/float64 budgets come out no looser than the a-priori
ones (each term is bounded by the corresponding a-priori term).
"""
from __future__ import annotations

import math
import statistics

import numpy as np

from properties.tolerances import ANGLE_DTYPE, EPS, TINY, ULPS, angle_cond, eps, relative_condition, tolerance

#: roundings of ``t`` a stored intermediate may carry (stored once, e.g. the exponentials, and again after a
#: step that does not change its scale, e.g. normalised): ``2 u_t = eps_t`` relative
STORED_ROUNDINGS = 2.0
#: the largest slope of GELU (1.129 at x ~ 0.75) and of SiLU (1.0998 at x ~ 2.4)
GELU_SLOPE = 1.13
SILU_SLOPE = 1.1
#: the implementations whose passed checks measure how sharp the budgets are
BUILTINS = ("numpy", "torch", "jax", "torch_native", "jax_native")
HALF = ("float16", "bfloat16")


def unit(dtype: str) -> float:
    """Unit roundoff ``u = eps / 2`` of ``dtype``: the relative error of one rounding to nearest."""
    return eps(dtype) / 2.0


def compute_dtype(dtype: str) -> str:
    """The dtype a correct kernel may accumulate ``dtype`` in: float32 for half precision."""
    return "float32" if dtype in HALF else dtype


def stored(dtype: str) -> float:
    """Relative error of an intermediate stored in ``dtype`` (:data:`STORED_ROUNDINGS` roundings) where that is
    narrower than the compute dtype (half precision); 0 where they are the same: a float32/float64 store is one
    of the few elementwise roundings that the ``ULPS`` of :func:`reduction` already counts."""
    return STORED_ROUNDINGS * unit(dtype) if compute_dtype(dtype) != dtype else 0.0


def reduction(dtype: str, n: int) -> float:
    """Relative (to the sum of magnitudes) error of a length-``n`` reduction in ``dtype``'s compute dtype."""
    return unit(compute_dtype(dtype)) * (ULPS + math.sqrt(max(n, 1)))


def transcendental(dtype: str) -> float:
    """Relative error of a composition of a few elementary functions (exp, log1p, erfc, tanh) and the
    roundings around them, evaluated in ``dtype``'s compute dtype: :data:`ULPS` ulps (libm and XLA are within
    1-4 ulps per function: XLA's float64 tanh is 3.5 ulps off near +-1)."""
    return ULPS * eps(compute_dtype(dtype))


def underflow(dtype: str) -> float:
    """Absolute error of a result near 0: a value rounded (twice, :data:`STORED_ROUNDINGS`) to a subnormal of
    ``dtype`` is off by up to half its spacing ``TINY eps / 2`` each time, and a compute dtype that flushes
    subnormals to zero (XLA, GPUs) loses up to its ``TINY``."""
    return STORED_ROUNDINGS * unit(dtype) * TINY[dtype] + TINY[compute_dtype(dtype)]


def as_floor(allowance, expected, dtype: str):
    """``(tol, floor)`` for :func:`properties.assertions.assert_close` that express the per-element absolute
    ``allowance``: ``floor`` the dtype's smallest normal number and ``tol`` the per-element array
    ``allowance / (|expected| + floor)`` (each element's allowance relative to its own magnitude). Every
    allowance gets :func:`underflow` added: the relative terms vanish where a result is subnormal."""
    floor = TINY[dtype]
    e = np.abs(np.asarray(expected, dtype=np.float64))
    e = np.where(np.isfinite(e), e, 0.0)
    allowance = np.asarray(allowance, dtype=np.float64) + underflow(dtype)
    return np.broadcast_to(allowance / (e + floor), e.shape).copy(), floor


# --- attention ------------------------------------------------------------------------------------------------
def _softmax(logits, allowed):
    any_allowed = allowed.any(axis=-1, keepdims=True)
    row_max = np.max(np.where(allowed, logits, -np.inf), axis=-1, keepdims=True, initial=-np.inf)
    row_max = np.where(any_allowed, row_max, 0.0)
    e = np.where(allowed, np.exp(np.where(allowed, logits - row_max, 0.0)), 0.0)
    return e / np.where(any_allowed, e.sum(axis=-1, keepdims=True), 1.0)


def _repeat_heads(t, heads):
    return np.repeat(t, heads // t.shape[1], axis=1)


def _probability_error(p, err):
    """The largest relative error of each probability ``p_ij = softmax_j(s_ij)`` when every logit ``s_ik`` may be
    off by up to ``err_ik``: ``log(p^_ij / p_ij) = delta_ij - log sum_k p_ik exp(delta_ik)`` is largest at
    ``delta_ij = err_ij`` and every other ``delta_ik = -err_ik`` (and smallest the other way round), so the
    relative error is at most ``max(expm1(U), -expm1(L))`` with ``U = err_ij - log(p_ij e^err_ij + sum_{k != j}
    p_ik e^-err_ik)`` and ``L`` likewise; to first order ``err_ij (1 - p_ij) + sum_{k != j} p_ik err_ik``: the
    logits' error times ~1, and 0 for a row with one allowed key."""
    e = np.minimum(err, 700.0)
    up, down = np.exp(e), np.exp(-e)
    s_up = np.sum(p * up, axis=-1, keepdims=True)
    s_down = np.sum(p * down, axis=-1, keepdims=True)
    tiny = np.finfo(np.float64).tiny
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        high = e - np.log(np.maximum(p * up + np.maximum(s_down - p * down, 0.0), tiny))
        low = -e - np.log(np.maximum(p * down + np.maximum(s_up - p * up, 0.0), tiny))
        r = np.maximum(np.expm1(np.minimum(high, 700.0)), -np.expm1(low))
    return np.where(p > 0.0, np.maximum(r, 0.0), 0.0)


def attention_core(dtype: str, q, k, v, allowed, scale: float, *, dq=None, dk=None, dv=None, bias=None) -> dict:
    """Float64 probabilities ``p`` and output ``o`` of attention over ``q (B, H, Lq, D)``, ``k (B, Hkv, Lk, D)``,
    ``v (B, Hkv, Lk, Dv)`` (or None) with ``allowed (B, H, Lq, Lk)``, and their allowances for a kernel computing
    in ``dtype``: ``p_rel`` (relative to each probability) and ``o_abs`` (absolute, per output element, the final
    rounding included). ``dq``, ``dk``, ``dv``: absolute error bounds of q, k, v when they are computed
    (projections), else exact inputs."""
    q, k = np.asarray(q, np.float64), np.asarray(k, np.float64)
    heads = q.shape[1]
    k = _repeat_heads(k, heads)
    qa, ka = np.abs(q), np.abs(k)
    kt = np.swapaxes(k, -1, -2)
    logits = scale * (q @ kt)
    magnitude = abs(scale) * (qa @ np.swapaxes(ka, -1, -2))            # A_ij
    if bias is not None:  # an additive bias (an input, exact) joins the logits: one more rounding of the sum
        b = np.where(allowed, np.asarray(bias, np.float64), 0.0)
        logits, magnitude = logits + b, magnitude + np.abs(b)
    err = (stored(dtype) + reduction(dtype, q.shape[-1])) * magnitude  # E_ij: the logit's own error
    if dq is not None:
        dka = np.zeros_like(ka) if dk is None else _repeat_heads(np.asarray(dk, np.float64), heads)
        dqa = np.asarray(dq, np.float64)
        err = err + abs(scale) * (dqa @ np.swapaxes(ka + dka, -1, -2) + qa @ np.swapaxes(dka, -1, -2))
    err = np.where(allowed, err, 0.0)
    p = _softmax(logits, allowed)
    r = _probability_error(p, err)
    k_len = k.shape[2]
    own = stored(dtype) + reduction(dtype, k_len)                     # exp, sum, division; p stored in t
    out = {"p": p, "p_rel": np.where(allowed, r + own, 0.0)}
    if v is None:
        return out
    v = _repeat_heads(np.asarray(v, np.float64), heads)
    o = p @ v
    spread = np.abs(v[:, :, None, :, :] - o[:, :, :, None, :])         # |v_je - o_ie|: (B, H, Lq, Lk, Dv)
    o_abs = (unit(dtype) * np.abs(o) + own * (p @ np.abs(v))
             + np.einsum("bhij,bhije->bhie", p * r, spread))
    if dv is not None:
        o_abs = o_abs + (p * (1.0 + r)) @ _repeat_heads(np.asarray(dv, np.float64), heads)
    out.update(o=o, o_abs=o_abs)
    return out


def probability_floor_abs(dtype: str) -> float:
    """Absolute error a probability may have near 0: rounded to a subnormal of ``dtype`` (half its spacing
    ``TINY eps``), or flushed to zero by a float32 kernel (``TINY[float32]``, as XLA and GPUs do)."""
    return max(TINY[dtype] * eps(dtype), TINY["float32"])


def weights_budget(dtype: str, q, k, allowed, scale: float):
    """``(tol, floor)`` of attention_weights against the float64 oracle (see :func:`attention_core`)."""
    core = attention_core(dtype, q, k, None, allowed, scale)
    # as_floor adds underflow(dtype); a float32 flush of a float64 probability may lose more
    allowance = core["p_rel"] * core["p"] + max(probability_floor_abs(dtype) - underflow(dtype), 0.0)
    return as_floor(allowance, core["p"], dtype)


def sdpa_budget(dtype: str, q, k, v, allowed, scale: float):
    """``(tol, floor)`` of scaled_dot_product_attention against the float64 oracle."""
    core = attention_core(dtype, q, k, v, allowed, scale)
    vmax = float(np.max(np.abs(np.asarray(v, np.float64)), initial=0.0))
    allowance = core["o_abs"] + probability_floor_abs(dtype) * vmax * k.shape[2]
    return as_floor(allowance, core["o"], dtype)


# --- multi-head attention and decoding ------------------------------------------------------------------------
def _unpack(params, h, hkv):
    p = {key: np.asarray(a, np.float64) for key, a in params.items()}
    if "w_qkv" not in p:
        return p
    w = p.pop("w_qkv")
    head_dim = w.shape[1] // (h + 2 * hkv)
    cuts = (h * head_dim, (h + hkv) * head_dim)
    p.update(zip(("wq", "wk", "wv"), np.split(w, cuts, axis=1)))
    if "b_qkv" in p:
        p.update(zip(("bq", "bk", "bv"), np.split(p.pop("b_qkv"), cuts)))
    return p


def _linear(dtype, x, p, w, b, dx=None):
    """``x @ W + b`` in float64 and its error bound: the reduction over ``x``'s last axis, the stored result
    (``eps_t`` relative) and, for a computed ``x`` off by up to ``dx``, ``|dx| @ |W|``."""
    y = x @ p[w] + (p[b] if b in p else 0.0)
    bound = np.abs(x) @ np.abs(p[w]) + (np.abs(p[b]) if b in p else 0.0)
    dy = reduction(dtype, x.shape[-1]) * bound + stored(dtype) * np.abs(y)
    return y, dy if dx is None else dy + np.sqrt(np.square(dx) @ np.square(p[w]))


def _heads(t, heads):
    batch, length, width = t.shape
    return t.reshape(batch, length, heads, width // heads).transpose(0, 2, 1, 3)


def _pair_sum(t):
    """``|a| + |b|`` of each half-split RoPE pair, at both members of the pair."""
    half = t.shape[-1] // 2
    s = np.abs(t[..., :half]) + np.abs(t[..., half:])
    return np.concatenate([s, s], axis=-1)


def _rotate(dtype, t, dt, positions, base):
    """RoPE of a computed ``t`` (error ``dt``): the rotation carries ``dt`` (within each pair's ``|a| + |b|``),
    float32 angles add ``|pos| eps(ANGLE_DTYPE)`` radians, cos/sin and the products a few ``u_c``, and the
    result is stored in ``t``."""
    from properties.oracle import expected
    rotated = np.asarray(expected("rope", t, np.asarray(positions), base=base, interleaved=False), np.float64)
    pos = np.abs(np.asarray(positions, np.float64))[:, None]
    angle = pos * eps(ANGLE_DTYPE) + ULPS * unit(compute_dtype(dtype))
    return rotated, _pair_sum(dt) + angle * _pair_sum(t) + stored(dtype) * np.abs(rotated)


def mha_core(dtype: str, x, context, params, h: int, hkv: int, *, mask=None, is_causal=False, rope_base=None,
             cache=None, bias=None, dx=None) -> dict:
    """Float64 output of multi_head_attention (``cache`` None) or mha_decode (``cache = (k, v)``: causal
    over cache + new at positions ``P..P+T-1``) with its per-element allowance ``out_abs``, and for decoding
    the extended caches ``k``, ``v`` with theirs ``k_abs``, ``v_abs``. Every intermediate is propagated as
    float64 value plus absolute error bound: projections (reduction + stored), RoPE, attention (logit errors
    from the projections' errors, :func:`attention_core`), the merged heads (stored), the output projection
    (its reduction, the merged heads' error through ``|Wo|``) and the output's final rounding. ``dx``: the
    error bound of a computed ``x`` (self-attention inside a block), carried through the projections."""
    p = _unpack(params, h, hkv)
    x = np.asarray(x, np.float64)
    c = x if context is None else np.asarray(context, np.float64)
    dc = dx if context is None else None
    head_dim = p["wq"].shape[1] // h
    q, dq = _linear(dtype, x, p, "wq", "bq", dx)
    k, dk = _linear(dtype, c, p, "wk", "bk", dc)
    v, dv = _linear(dtype, c, p, "wv", "bv", dc)
    q, dq, k, dk, v, dv = (_heads(t, n) for t, n in ((q, h), (dq, h), (k, hkv), (dk, hkv), (v, hkv), (dv, hkv)))
    past = 0 if cache is None else cache[0].shape[2]
    if rope_base is not None:
        positions = np.arange(past, past + x.shape[1])
        q, dq = _rotate(dtype, q, dq, positions, rope_base)
        k, dk = _rotate(dtype, k, dk, positions, rope_base)
    out = {}
    if cache is not None:
        old_k, old_v = (np.asarray(t, np.float64) for t in cache)
        k, v = np.concatenate([old_k, k], axis=2), np.concatenate([old_v, v], axis=2)
        dk = np.concatenate([np.zeros_like(old_k), dk], axis=2)
        dv = np.concatenate([np.zeros_like(old_v), dv], axis=2)
        # the returned caches: the float64 values with the error they were computed with (stored() includes
        # the final rounding into t)
        out.update(k=k, k_abs=dk, v=v, v_abs=dv)
        is_causal = True
    shape = (x.shape[0], h, x.shape[1], k.shape[2])
    allowed = np.ones(shape, dtype=bool) if mask is None else np.broadcast_to(mask, shape)
    if is_causal:
        q_len, k_len = shape[-2:]
        allowed = allowed & (np.arange(k_len)[None, :] <= np.arange(q_len)[:, None] + (k_len - q_len))
    core = attention_core(dtype, q, k, v, allowed, 1.0 / math.sqrt(head_dim), dq=dq, dk=dk, dv=dv,
                          bias=None if bias is None else np.broadcast_to(np.asarray(bias, np.float64), shape))
    merged = core["o"].transpose(0, 2, 1, 3).reshape(x.shape[0], x.shape[1], h * head_dim)
    dmerged = core["o_abs"].transpose(0, 2, 1, 3).reshape(merged.shape) + stored(dtype) * np.abs(merged)
    y, dy = _linear(dtype, merged, p, "wo", "bo")
    # _linear counted a stored rounding of y: the output is rounded once (u_t) instead
    dy = dy - stored(dtype) * np.abs(y) + unit(dtype) * np.abs(y) + dmerged @ np.abs(p["wo"])
    out.update(out=y, out_abs=dy)
    return out


def mha_budget(dtype: str, x, context, params, h: int, hkv: int, **kwargs):
    """``(tol, floor)`` of multi_head_attention's output against the float64 oracle (:func:`mha_core`)."""
    core = mha_core(dtype, x, context, params, h, hkv, **kwargs)
    return as_floor(core["out_abs"], core["out"], dtype)


def decode_budgets(dtype: str, x, cache, params, h: int, hkv: int, *, rope_base=None):
    """``[(tol, floor)]`` of mha_decode's output, cache k and cache v against the float64 oracle."""
    core = mha_core(dtype, x, None, params, h, hkv, rope_base=rope_base, cache=cache)
    return [as_floor(core[f"{name}_abs"], core[name], dtype) for name in ("out", "k", "v")]


# --- feed-forward ---------------------------------------------------------------------------------------------
def ffn_budget(dtype: str, x, params, activation: str):
    """``(tol, floor)`` of feed_forward against the float64 oracle: the hidden pre-activations ``z`` carry their
    reduction and stored error, the activation amplifies it by at most its slope (GELU 1.13, SiLU 1.1; ReLU 1)
    and is stored again, the output matmul adds its reduction and carries the hidden error through ``|W2|``, and
    the output is rounded once."""
    return as_floor(*reversed(ffn_core(dtype, x, params, activation)), dtype)


def ffn_core(dtype: str, x, params, activation: str, dx=None):
    """``(y, dy)``: feed_forward's float64 output and its per-element allowance (:func:`ffn_budget`); ``dx``
    the error bound of a computed ``x``, carried through ``|W1|`` (and ``|W3|``)."""
    from impls.numpy.attention import _gelu, _sigmoid
    p = {key: np.asarray(a, np.float64) for key, a in params.items()}
    x = np.asarray(x, np.float64)
    z, dz = _linear(dtype, x, p, "w1", "b1", dx)
    if activation == "swiglu":
        z3, dz3 = _linear(dtype, x, p, "w3", "b3", dx)
        gate = z * _sigmoid(z)
        hidden = gate * z3
        dhidden = SILU_SLOPE * dz * (np.abs(z3) + dz3) + np.abs(gate) * dz3
    elif activation == "relu":
        hidden, dhidden = np.maximum(z, 0.0), dz
    else:
        hidden, dhidden = _gelu(z), GELU_SLOPE * dz
    dhidden = dhidden + (stored(dtype) + ULPS * unit(compute_dtype(dtype))) * np.abs(hidden)
    y, dy = _linear(dtype, hidden, p, "w2", "b2")
    dy = dy - stored(dtype) * np.abs(y) + unit(dtype) * np.abs(y) + dhidden @ np.abs(p["w2"])
    return y, dy


# --- the assembled transformer --------------------------------------------------------------------------------
# A block is a chain of stages, each carried as its float64 value and an absolute error bound per element: a
# stage adds its own rounding (the derived allowances above, for its actual inputs) and carries the error it was
# handed through itself to first order (a projection through |W|, a norm through 1/s and its mean terms, a
# residual sum adds both and rounds once). No stage's condition multiplies the whole budget.
def _rows_of_last_axis(a):
    return a.reshape(-1, a.shape[-1])


def _block_norm(dtype: str, z, dz, p, norm: str, eps_: float):
    """A block's (or the model's final) norm of a computed ``z`` off by ``dz``: ``(y, dy)``."""
    from properties.oracle import expected
    if norm == "layernorm":
        y = expected("layer_norm", z, 1, p["weight"], p.get("bias"), eps=eps_)
    else:
        y = expected("rms_norm", z, 1, p["weight"], eps=eps_)
    y = np.asarray(y, np.float64)
    dy = norm_allowance(dtype, z, y, eps_, to_rows=_rows_of_last_axis, weight=p["weight"], bias=p.get("bias"),
                        feature_shape=(z.shape[-1],), centering=norm == "layernorm", dx=dz)
    return y, dy


def _residual(dtype: str, a, da, b, db):
    """``a + b`` and its bound: both operands' errors and one rounding of the sum in ``dtype``."""
    total = a + b
    return total, da + db + unit(dtype) * np.abs(total)


def block_core(dtype: str, x, params, opts: dict, *, dx=None, attend=None):
    """``(y, dy)``: transformer_block's float64 output and per-element allowance for ``x`` (an input, or inside
    a model a computed value off by ``dx``) with keyword options ``opts``. ``attend(u, du) -> (a, da)``
    replaces self-attention (decoding over a cache)."""
    from properties.catalogue import optional_parameters
    from properties.oracle import widen
    p, x = widen(params), np.asarray(x, np.float64)
    dx = np.zeros_like(x) if dx is None else dx
    opts = {**optional_parameters("transformer_block"), **opts}  # an omitted option is its catalogue default
    h, hkv = opts["num_heads"], opts["num_kv_heads"] or opts["num_heads"]
    norm, eps_, ffn = opts["norm"], opts["eps"], opts["ffn"]

    def mha(u, du):
        if attend is not None:
            return attend(u, du)
        core = mha_core(dtype, u, None, p["attn"], h, hkv, mask=opts["mask"], is_causal=opts["is_causal"],
                        rope_base=opts["rope_base"], bias=opts["bias"], dx=du)
        return core["out"], core["out_abs"]

    if opts["norm_position"] == "pre":
        u, du = _block_norm(dtype, x, dx, p["attn_norm"], norm, eps_)
        hid, dhid = _residual(dtype, x, dx, *mha(u, du))
        v, dv = _block_norm(dtype, hid, dhid, p["ffn_norm"], norm, eps_)
        return _residual(dtype, hid, dhid, *ffn_core(dtype, v, p["ffn"], ffn, dx=dv))
    hid, dhid = _block_norm(dtype, *_residual(dtype, x, dx, *mha(x, dx)), p["attn_norm"], norm, eps_)
    out, dout = _residual(dtype, hid, dhid, *ffn_core(dtype, hid, p["ffn"], ffn, dx=dhid))
    return _block_norm(dtype, out, dout, p["ffn_norm"], norm, eps_)


def _embed_core(dtype: str, ids, params, cfg: dict, past: int):
    """The embedded tokens at positions ``past..``: a lookup (exact) plus learned positions (one rounding) or
    the sinusoid table (float32 angles, :data:`ANGLE_DTYPE`: ``|pos| eps`` radians, and a few ulps)."""
    from properties.oracle import expected, widen
    p = widen(params)
    x = p["embed"]["tokens"][ids]
    length = ids.shape[1]
    if cfg["positional"] == "learned":
        return _residual(dtype, x, np.zeros_like(x), p["embed"]["positions"][past:past + length], 0.0)
    if cfg["positional"] == "sinusoidal":
        table = np.asarray(expected("sinusoidal_positions", past + length, cfg["d_model"]), np.float64)[past:]
        pos = np.arange(past, past + length, dtype=np.float64)[:, None]
        dtable = pos * eps(ANGLE_DTYPE) + ULPS * unit(compute_dtype(dtype)) + unit(dtype) * np.abs(table)
        return _residual(dtype, x, np.zeros_like(x), table, dtable)
    return x, np.zeros_like(x)


def _head_core(dtype: str, x, dx, params, cfg: dict):
    """The final norm and the LM head (tied: the token table transposed): ``(logits, dlogits)``."""
    from properties.oracle import widen
    p = widen(params)
    h, dh = _block_norm(dtype, x, dx, p["final_norm"], cfg["norm"], cfg.get("norm_eps", 1e-5))
    w = p["embed"]["tokens"].T if cfg["tie_embeddings"] else p["lm_head"]["weight"]
    y, dy = _linear(dtype, h, {"w": w}, "w", "b", dh)
    return y, dy - stored(dtype) * np.abs(y) + unit(dtype) * np.abs(y)  # the logits are rounded once


def model_core(dtype: str, ids, params, cfg: dict, opts: dict):
    """``(logits, dlogits)`` of decoder_forward(ids): the embedding, every layer's block (``opts``), the head."""
    x, dx = _embed_core(dtype, ids, params, cfg, 0)
    for layer in params["layers"]:
        x, dx = block_core(dtype, x, layer, opts, dx=dx)
    return _head_core(dtype, x, dx, params, cfg)


def decode_core(dtype: str, ids, cache, params, cfg: dict, opts: dict):
    """``(logits, dlogits, caches)`` of decoder_decode(ids, cache): per layer the attention runs over the cache
    (inputs, exact) and the new keys and values; ``caches[i] = (k, k_abs, v, v_abs)`` the extended cache."""
    from properties.oracle import widen
    past = 0 if cache is None else cache[0][0].shape[2]
    x, dx = _embed_core(dtype, ids, params, cfg, past)
    h, hkv = cfg["n_heads"], cfg["n_kv_heads"]
    caches = []
    for i, layer in enumerate(params["layers"]):
        if cache is None:
            empty = np.zeros((ids.shape[0], hkv, 0, cfg["d_model"] // h))
            c = (empty, empty)
        else:
            c = widen(tuple(cache[i]))

        def attend(u, du, p=layer["attn"], c=c):
            core = mha_core(dtype, u, None, widen(p), h, hkv, rope_base=opts["rope_base"], cache=c, dx=du)
            caches.append((core["k"], core["k_abs"], core["v"], core["v_abs"]))
            return core["out"], core["out_abs"]

        x, dx = block_core(dtype, x, layer, opts, dx=dx, attend=attend)
    return (*_head_core(dtype, x, dx, params, cfg), caches)


class ChainBudget:
    """A chain's float64 ``value`` and per-element ``allowance`` as :func:`properties.assertions.assert_close`'s
    ``tol`` and ``floor``: against the float64 oracle element by element (:meth:`oracle`); between two
    computations of the same value (an implementation against itself permuted or decoded in chunks) each may
    be off by its allowance (:meth:`pair`)."""

    def __init__(self, dtype: str, value, allowance):
        self.dtype = dtype
        self.value = np.asarray(value, np.float64)
        self.allowance = np.broadcast_to(np.asarray(allowance, np.float64), self.value.shape)

    def oracle(self):
        return as_floor(self.allowance, self.value, self.dtype)

    def pair(self, index=None):
        """``(tol, floor)`` for ``a[index]`` against ``b[index]``: twice the allowance, element by element."""
        allowance = 2.0 * (self.allowance if index is None else self.allowance[index])
        value = self.value if index is None else self.value[index]
        return as_floor(allowance, value, self.dtype)

    def largest(self) -> float:
        """The largest allowance: what a whole-output statistic (a difference of maxima) may move by."""
        return float(np.max(self.allowance, initial=0.0)) + underflow(self.dtype)


# --- a-priori budgets ----------------------------------------------------------------------------------------
# ``(n, cond, floor)`` from triangle-inequality bounds, for the properties that compare an implementation with
# itself (permutations, packed vs separate, chunked decoding) or with finite differences (gradients); the
# ``matches_oracle`` properties use the derived budgets above.
def logit_cond(q, k, scale, allowed=None) -> float:
    """``1 + scale * max_{allowed i, j} sum_d |q_id| |k_jd|``: the logits' absolute rounding error in units of
    ``eps``, which is also the relative error it gives the probabilities (see the module docstring)."""
    qa = np.abs(np.asarray(q, dtype=np.float64))
    ka = np.abs(np.asarray(k, dtype=np.float64))
    ka = np.repeat(ka, qa.shape[1] // ka.shape[1], axis=1)
    bound = qa @ np.swapaxes(ka, -1, -2)
    if allowed is not None:
        bound = np.where(allowed, bound, 0.0)
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else float(scale)
    return 1.0 + abs(scale) * float(np.max(bound, initial=0.0))


def probability_floor(dtype: str, tol: float) -> float:
    """The probability below which absolute error is what matters: a probability rounded to a subnormal of
    ``dtype`` is off by up to ``TINY * eps``, and one that a float32 kernel flushes to zero by up to
    ``TINY[float32]`` (what XLA and GPUs do), within ``tol * floor`` for this floor."""
    return max(TINY[dtype], TINY["float32"] / tol)


def apriori_mha_budget(dtype, x, context, params, h, hkv, *, rope_base=None, max_position=0, cache=None):
    """``(n, cond, floor)`` for a ``multi_head_attention``/``mha_decode`` output from upper bounds of the projected
    magnitudes: ``qb = |x| @ |wq| + |bq|`` (likewise kb, vb; the cache's own magnitudes for cached keys/values).

    A projected coordinate is off by ``eps (4 + sqrt d) qb``, so a logit by ``scale * 2 * eps (4 + sqrt d)
    |qb| |kb|`` per head (Cauchy-Schwarz; RoPE rotates pairs and keeps these norms), which is the relative error of
    the probabilities: ``cond = 1 + 2 scale max|qb_h| max|kb_g|`` (times :func:`angle_cond` with RoPE, whose
    angles may be float32). The output ``sum_h p_h v_h wo_h + bo`` inherits it relative to
    ``floor = max vb * max_c sum_r |wo_rc| + max |bo|``. ``n`` counts every reduction on the way."""
    p = {key: np.abs(np.asarray(a, dtype=np.float64)) for key, a in _unpack(params, h, hkv).items()}
    xa = np.abs(np.asarray(x, dtype=np.float64))
    ca = xa if context is None else np.abs(np.asarray(context, dtype=np.float64))
    d = xa.shape[-1]
    head_dim = p["wq"].shape[1] // h

    def bound(a, key):
        out = a @ p[f"w{key}"]
        return out + p[f"b{key}"] if f"b{key}" in p else out

    def head_norms(t, heads):
        return np.linalg.norm(t.reshape(t.shape[:-1] + (heads, head_dim)), axis=-1)

    qn = float(np.max(head_norms(bound(xa, "q"), h), initial=0.0))
    kn = float(np.max(head_norms(bound(ca, "k"), hkv), initial=0.0))
    vmax = float(np.max(bound(ca, "v"), initial=0.0))
    k_len = ca.shape[1]
    if cache is not None:
        kc, vc = (np.abs(np.asarray(c, dtype=np.float64)) for c in cache)
        kn = max(kn, float(np.max(np.linalg.norm(kc, axis=-1), initial=0.0)))
        vmax = max(vmax, float(np.max(vc, initial=0.0)))
        k_len += kc.shape[2]
    cond = 1.0 + 2.0 * qn * kn / math.sqrt(head_dim)
    if rope_base is not None:
        cond *= angle_cond(dtype, max_position)
    floor = vmax * float(np.max(p["wo"].sum(axis=0))) + float(np.max(p.get("bo", np.zeros(1))))
    n = d + head_dim + k_len + h * head_dim
    return n, cond, max(floor, TINY[dtype])


def mha_tolerance(dtype, *args, **kwargs):
    """``(tol, floor)`` from :func:`apriori_mha_budget`."""
    n, cond, floor = apriori_mha_budget(dtype, *args, **kwargs)
    return tolerance(dtype, n=n, cond=cond), floor


def apriori_ffn_budget(dtype, x, params, activation):
    """``(n, cond, floor)``: the hidden pre-activations are off by ``eps (4 + sqrt d)`` relative to their bound
    ``|x| @ |w1| + |b1|``; the activation amplifies that by at most its slope (GELU 1.13; SwiGLU's product
    ``silu(a) b`` by ``SiLU slope x 2`` branches); the output matmul adds its own rounding. The output's floor is
    the bound ``|hidden| @ |w2| + |b2|``, with ``|act(z)| <= |z|`` and ``|silu(a) b| <= |a| |b|``."""
    p = {key: np.abs(np.asarray(a, dtype=np.float64)) for key, a in params.items()}
    xa = np.abs(np.asarray(x, dtype=np.float64))
    hidden = xa @ p["w1"] + p.get("b1", 0.0)
    if activation == "swiglu":
        hidden = hidden * (xa @ p["w3"])
        slope = 2.0 * SILU_SLOPE
    else:
        slope = GELU_SLOPE
    floor = float(np.max(hidden @ p["w2"] + p.get("b2", 0.0), initial=0.0))
    n = x.shape[-1] + p["w1"].shape[1]
    return n, 1.0 + slope, max(floor, TINY[dtype])


def ffn_tolerance(dtype, x, params, activation):
    """``(tol, floor)`` from :func:`apriori_ffn_budget`."""
    n, cond, floor = apriori_ffn_budget(dtype, x, params, activation)
    return tolerance(dtype, n=n, cond=cond), floor


# --- how sharp the budgets are --------------------------------------------------------------------------------
def sharpness(results, *, family: str | None = None, properties=None, impls=BUILTINS) -> dict:
    """Per dtype, how much of its allowance a correct built-in uses: for every component, the worst
    ``error_ratio`` (worst error / allowance) over the *passed* checks of the built-ins ``impls`` (optionally
    of one ``family`` and of the property names ``properties``); then the ``median`` and ``min`` of those
    per-component worsts, and how many ``components`` there were. A budget that a correct kernel uses 1% of
    lets bugs 100x larger than rounding through: the median should be well above 0.01.

    ``results``: a results document (``reports/results.json``: a dict with ``results``, or the list itself)."""
    rows = results.get("results", []) if isinstance(results, dict) else results
    worst: dict[tuple[str, str], float] = {}
    for r in rows:
        ratio = r.get("error_ratio")
        if (r.get("status") != "passed" or r.get("impl") not in impls or ratio is None
                or not math.isfinite(ratio) or r.get("dtype") not in EPS
                or (family is not None and r.get("family") != family)
                or (properties is not None and r.get("property") not in properties)):
            continue
        key = (r["dtype"], r["component"])
        worst[key] = max(worst.get(key, 0.0), float(ratio))
    out = {}
    for dtype in EPS:
        values = [w for (d, _), w in worst.items() if d == dtype]
        if values:
            out[dtype] = {"median": statistics.median(values), "min": min(values), "components": len(values)}
    return out


# --- element-wise activations ---------------------------------------------------------------------------------
#: the activations of the form ``x * gate(x)``: a gate below the compute dtype's smallest normal number may be
#: flushed to 0 (XLA, GPUs), which loses up to ``|x| TINY``
GATED = ("silu", "gelu")


def activation_budget(dtype: str, component: str, x, expected, *, approximate: bool = False):
    """``(tol, floor)`` of an element-wise activation ``y = f(x)`` against the float64 oracle, per element from
    the function's relative condition number ``kappa(x) = |x f'(x) / f(x)|`` at the (rounded, hence exact) input
    (:func:`properties.tolerances.relative_condition`):

    * inside, a kernel computing in the compute dtype ``c`` commits a few roundings (an argument such as
      ``-x / sqrt 2`` or ``x + 0.044715 x^3``, exp/erfc/tanh within a few ulps, the gate's product): each a
      relative perturbation of an argument or of a result, moving ``y`` relatively by at most ``1 + kappa``
      times it: :func:`transcendental` ``(1 + kappa) |y|``;
    * a gated activation (``x * gate(x)``) may store its gate in a half-precision ``t`` before the product:
      :func:`stored` ``|y|`` (the product keeps relative errors);
    * the output is rounded once to ``t``: ``u_t |y|``;
    * near 0 only, :func:`underflow` (times ``max(1, |x|)`` for a gated activation, whose flushed gate is
      multiplied by ``x``).

    In float16 this is ``~u_t |y|`` (``~3 u_t |y|`` gated) where the function is well conditioned: a kernel
    one precision lower (bfloat16, ``u = 8 u_t`` on the input and on the output) is 1.7x (sigmoid) to 4.6x (relu)
    outside it (tests/test_calibration.py)."""
    x = np.asarray(x, np.float64)
    y = np.abs(np.asarray(expected, np.float64))
    y = np.where(np.isfinite(y), y, 0.0)
    kappa = relative_condition(component, x, approximate=approximate)
    inside = transcendental(dtype) * (1.0 + kappa)
    gate = stored(dtype) if component in GATED else 0.0
    allowance = (unit(dtype) + inside + gate) * y
    if component in GATED:  # as_floor adds underflow(dtype) once: the flushed gate loses it |x| times
        allowance = allowance + (np.maximum(np.abs(x), 1.0) - 1.0) * underflow(dtype)
    return as_floor(allowance, expected, dtype)


# --- normalisations -------------------------------------------------------------------------------------------
def _group_statistics(r: np.ndarray, eps: float, centering: bool):
    """Per row of ``r`` (one normalised group, float64): the standardised values ``z``, ``M / s``, ``|mean| / s``,
    ``v / (v + eps)`` and ``1 / s`` (in ``r``'s units), where ``M`` is the mean magnitude, ``v`` the variance (RMS
    norm: the mean square; its mean 0) and ``s = sqrt(v + eps)``. Computed on each row divided by its largest
    magnitude (the figures are scale-free, and rows up to float64's max give finite ones)."""
    peak = np.max(np.abs(r), axis=1, initial=0.0, keepdims=True)
    peak = np.where(peak > 0, peak, 1.0)
    rs = r / peak
    centred = rs - rs.mean(axis=1, keepdims=True) if centering else rs
    v = (centred * centred).mean(axis=1, keepdims=True)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        e = eps / peak / peak                               # inf for values ~TINY: eps dominates, z = 0
        s = np.sqrt(v + e)
        z = np.where(np.isfinite(s), centred / s, 0.0)
        spread_ratio = np.where(np.isfinite(s), np.abs(rs).mean(axis=1, keepdims=True) / s, 0.0)
        offset_ratio = np.where(np.isfinite(s), np.abs(rs - centred).mean(axis=1, keepdims=True) / s, 0.0)
        var_share = np.where(np.isfinite(e), v / (v + e), 0.0)
        per_unit = 1.0 / np.sqrt(peak * peak * v + eps)     # dz / dx: 1 / sqrt(v + eps) in x's units
    return z, spread_ratio, offset_ratio, var_share, per_unit


def norm_budget(dtype: str, x, expected, eps: float, *, to_rows, weight=None, bias=None, feature_shape=None,
                centering: bool = True):
    """``(tol, floor)`` of a normalisation ``y = z w + b``, ``z = (x - mean) / sqrt(v + eps)`` per group
    (``to_rows(a)``: ``a``, shaped like ``x``, as ``(groups, n)``, a reshape; ``weight`` reshaped to
    ``feature_shape`` broadcasts against ``x``), against the float64 oracle, from
    the groups' actual statistics (float64, from the rounded input). With ``r = reduction(dtype, n)`` (a
    reduction's error relative to the magnitudes it sums):

    * the mean is off by ``r M`` (``M = mean |x|`` of the group: relative to what is summed, not to the mean),
      which moves every ``z`` of the group by ``r M / s`` (the condition ``1 + |mean| / s`` of the a-priori
      budgets, from the actual ``M``); RMS norm has no mean;
    * the variance (two-pass: non-negative terms, the mean's error enters only squared) is off by ``r v``
      relative, ``s`` by half that relative to ``v + eps``; with the subtraction and division a few ``u_c`` more:
      ``|z| (r v / (2 (v + eps)) + ULPS u_c)``;
    * in half precision the statistics may be stored in ``t`` before they are applied (torch's CPU instance
      norm keeps the mean in float16, ``jax.nn.standardize`` its mean and ``rsqrt``): :func:`stored` ``(|mean| /
      s + |z|)``, as :func:`attention_core` lets the probabilities be stored;
    * the affine part carries ``|w|`` times that, rounds the product and the sum (``u_c (|z w| + |y|)``), and in
      half precision may start from ``z`` stored in ``t`` (:func:`stored` ``|z w|``);
    * a kernel that flushes subnormal numbers to zero (XLA on CPU, GPUs) loses up to the compute dtype's
      ``TINY`` of ``x`` and of ``x - mean``, ``2 TINY_c / sqrt(v + eps)`` in ``z`` (``eps`` dominates a group of
      subnormal values, and divides by ``sqrt(eps)`` only), and ``TINY_c`` of ``z`` itself before the weight
      multiplies it;
    * the output is rounded once: ``u_t |y|``.

    In float16 (``c`` = float32) this is ``~u_t |y| + eps_t (|mean| / s + |z|) |w|`` (+ ``eps_t |z w|`` with
    weight or bias); the input of a kernel one precision lower is off by ``8 u_t |x|`` per element, i.e. ``~8 u_t
    M / s`` in ``z``, and its output by up to ``8 u_t |y|``: 2.4x to 3.3x outside (tests/test_calibration.py)."""
    return as_floor(norm_allowance(dtype, x, expected, eps, to_rows=to_rows, weight=weight, bias=bias,
                                   feature_shape=feature_shape, centering=centering), expected, dtype)


def norm_allowance(dtype: str, x, expected, eps: float, *, to_rows, weight=None, bias=None, feature_shape=None,
                   centering: bool = True, dx=None):
    """The per-element absolute allowance of :func:`norm_budget`; ``dx``, the error bound of a computed ``x``,
    is carried through the normalisation to first order: ``dz = (dx - mean(dx) - z mean(z dx)) / s`` per group
    (RMS norm: no mean term), bounded by ``(|dx| + mean|dx| + |z| mean(|z| (|dx| + mean|dx|))) / s``."""
    x = np.asarray(x, np.float64)
    rows = to_rows(x)
    n = rows.shape[1]
    z, spread_ratio, offset_ratio, var_share, per_unit = _group_statistics(rows, eps, centering)
    red, c = reduction(dtype, n), unit(compute_dtype(dtype))
    dz = (red * spread_ratio if centering else 0.0) + np.abs(z) * (red * var_share / 2.0 + ULPS * c)
    # half precision: the statistics (the mean, 1 / s) may be stored in t before they are applied
    dz = dz + stored(dtype) * (offset_ratio + np.abs(z))
    # a flush-to-zero kernel (XLA on CPU, GPUs) loses up to TINY_c of a subnormal x, of x - mean and of z
    dz = dz + TINY[compute_dtype(dtype)] * ((2.0 if centering else 1.0) * per_unit + 1.0)
    if dx is not None:
        a = np.square(to_rows(np.broadcast_to(np.asarray(dx, np.float64), x.shape)))
        carried = a + np.square(z) * np.mean(np.square(z) * a, axis=1, keepdims=True) / n
        if centering:
            carried = carried + np.mean(a, axis=1, keepdims=True) / n
        dz = dz + per_unit * np.sqrt(carried)
    z, dz = z.reshape(x.shape), dz.reshape(x.shape)
    y = np.abs(np.asarray(expected, np.float64))
    y = np.where(np.isfinite(y), y, 0.0)
    w = np.ones_like(x) if weight is None else np.broadcast_to(
        np.abs(np.asarray(weight, np.float64)).reshape(feature_shape or np.shape(weight)), x.shape)
    allowance = w * dz + unit(dtype) * y
    if weight is not None or bias is not None:
        zw = np.abs(z) * w
        allowance = allowance + c * (zw + y) + stored(dtype) * zw
    return allowance


# --- binary cross entropy with logits ------------------------------------------------------------------------
def bce_terms(x, t):
    """Per element (float64): the loss ``l = max(x, 0) - x t + log1p(exp(-|x|))`` (>= 0) and its relative
    condition number in ``x``, ``kappa = |x (sigmoid(x) - t)| / l`` (``dl/dx = sigmoid(x) - t``)."""
    x, t = np.asarray(x, np.float64), np.asarray(t, np.float64)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        loss = np.maximum(x, 0.0) - x * t + np.log1p(np.exp(-np.abs(x)))
        e = np.exp(-np.abs(x))
        sig = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
        kappa = np.where(loss > 0, np.abs(x * (sig - t)) / loss, 0.0)
    return loss, np.where(np.isfinite(kappa), kappa, 0.0)


def bce_budget(dtype: str, x, t, expected, how: str):
    """``(tol, floor)`` of binary_cross_entropy_with_logits against the float64 oracle, relative to the loss
    wherever it is not subnormal. Per element (:func:`bce_terms`):

    * :func:`transcendental` ``(1 + kappa) l``: exp, log1p and the few roundings around them, each a relative
      perturbation of an argument or a result (``-|x|``, ``exp(-|x|)``), moved by at most the relative condition
      number;
    * for a soft target (``0 < t < 1``) the product ``x t`` is rounded before ``max(x, 0) - x t`` cancels it
      to ``|x| (1 - t)`` or ``|x| t``: ``u_c |x t|`` (every formula has the product; a hard target's is exact);
    * in half precision the per-element loss may be stored in ``t`` before a reduction (:func:`stored`).

    ``'none'``: those plus the output's rounding ``u_t l``; ``'sum'`` and ``'mean'``: their sum (or mean), the
    reduction's ``reduction(dtype, n) sum l`` (non-negative terms: no cancellation), and ``u_t |L|``. A
    formula that cancels where the loss is tiny (``x - log_sigmoid(x)`` at ``t = 0``, ``x << 0``) is off by
    ``u_c |x|``: far outside a budget relative to ``l ~ e^x``."""
    loss, kappa = bce_terms(x, t)
    tt = np.asarray(t, np.float64)
    soft = (tt > 0) & (tt < 1)
    c = unit(compute_dtype(dtype))
    product = np.where(soft, np.abs(np.asarray(x, np.float64) * tt), 0.0)
    per = transcendental(dtype) * (1.0 + kappa) * loss + c * product
    if how == "none":
        allowance = per + unit(dtype) * loss
    else:
        total = per + stored(dtype) * loss
        allowance = total.sum() + reduction(dtype, loss.size) * loss.sum()
        if how == "mean":
            allowance = allowance / max(loss.size, 1)
        allowance = allowance + unit(dtype) * np.abs(np.asarray(expected, np.float64))
    return as_floor(allowance, expected, dtype)


# --- softmax, log-softmax, cross entropy ---------------------------------------------------------------------
def _rows_last(a, axis):
    return np.moveaxis(np.asarray(a, np.float64), axis, -1)


def _shifted_logits(dtype: str, x, axis):
    """``s = x - max(x)`` along ``axis`` (moved last, float64) and each shifted logit's error
    ``e = (u_c + stored(t)) |s|``: the difference rounded in the compute dtype, or stored in a half-precision
    ``t``; 0 at the max itself."""
    x = _rows_last(x, axis)
    with np.errstate(invalid="ignore"):
        s = x - np.max(x, axis=-1, keepdims=True, initial=-np.inf)
    s = np.where(np.isfinite(s), s, 0.0)
    return s, (unit(compute_dtype(dtype)) + stored(dtype)) * np.abs(s)


def softmax_budget(dtype: str, x, expected, axis: int):
    """``(tol, floor)`` of softmax along ``axis`` against the float64 oracle, relative to each probability: the
    shifted logits' errors ``e`` (:func:`_shifted_logits`) give each probability the relative error
    :func:`_probability_error` (``~ e_j + sum_k p_k e_k``, the function's relative condition); the kernel's
    own exp, sum and division add ``reduction(t, n)``, in half precision the exponentials and their sum may be
    stored in ``t`` (:func:`stored`: ``jax.nn.softmax`` keeps both in float16), and the output is rounded once
    (``u_t``); near 0 a probability may be subnormal or flushed (:func:`probability_floor_abs`). The model of
    :func:`attention_core`'s probabilities."""
    s, err = _shifted_logits(dtype, x, axis)
    # the probabilities from the rounded inputs, not from ``expected``: an oracle that is wrong must not widen
    # its own allowance (tests/test_oracle.py plants one)
    e = np.exp(s)
    p = e / np.sum(e, axis=-1, keepdims=True)
    rel = _probability_error(p, err) + stored(dtype) + reduction(dtype, s.shape[-1]) + unit(dtype)
    allowance = rel * p + max(probability_floor_abs(dtype) - underflow(dtype), 0.0)
    return as_floor(np.moveaxis(allowance, -1, axis), expected, dtype)


def log_sum_exp_error(dtype: str, s, err):
    """Per row (keepdims), the absolute error of ``L = log sum_k exp(s_k)`` (``s`` shifted, max 0, along the
    last axis) for a kernel that evaluates it as ``log1p`` of the terms other than the max (the max's term 1
    excluded exactly): ``sum_k p_k e_k`` (the arguments' errors, each through ``dL/ds_k = p_k``), the sum's
    reduction and, in half precision, the exponentials stored in ``t``, relative to what is summed
    (``1 - p_max`` of ``L``'s scale), a few ulps of ``L`` itself (log1p; stored in ``t``), and the terms a
    flush-to-zero kernel loses (those below the compute dtype's smallest normal number). A row dominated by
    its max has ``L ~ 1 - p_max`` small, and judged relatively: ``log`` of the rounded ``1 + R`` is off by
    ``u_c`` absolute, which is all of ``L`` once ``R < u_c``."""
    e = np.exp(s)
    lse = np.log(np.sum(e, axis=-1, keepdims=True))
    p = np.exp(s - lse)
    rest = 1.0 - np.max(p, axis=-1, keepdims=True)
    # terms below the compute dtype's smallest normal number may be flushed to 0 (XLA, GPUs): all of them lost
    flushed = np.sum(np.where(e < TINY[compute_dtype(dtype)], e, 0.0), axis=-1, keepdims=True)
    return (np.sum(p * err, axis=-1, keepdims=True) + (stored(dtype) + reduction(dtype, s.shape[-1])) * rest
            + (transcendental(dtype) + stored(dtype)) * lse + flushed)


def log_softmax_budget(dtype: str, x, expected, axis: int):
    """``(tol, floor)`` of log_softmax along ``axis`` against the float64 oracle, relative to each output
    ``y_i = s_i - L``: the shifted logit's error ``e_i``, ``L``'s error (:func:`log_sum_exp_error`) and the
    output's rounding ``u_t |y_i|``. At the max element ``y = -L = -log1p(sum of the others' exp)``, ~0 where
    the max dominates: judged like log1p, relatively; an absolute floor only where the output is subnormal."""
    s, err = _shifted_logits(dtype, x, axis)
    y = np.abs(_rows_last(expected, axis))
    y = np.where(np.isfinite(y), y, 0.0)
    allowance = err + log_sum_exp_error(dtype, s, err) + unit(dtype) * y
    return as_floor(np.moveaxis(allowance, -1, axis), expected, dtype)


def cross_entropy_budget(dtype: str, logits, target, expected, *, ignore_index: int, label_smoothing: float,
                         how: str):
    """``(tol, floor)`` of cross_entropy against the float64 oracle, relative to the loss. A row's loss
    ``(1 - ls) (L - s_t) + ls mean_c (L - s_c)`` is a sum of non-negative terms (no cancellation): ``L``'s error
    (:func:`log_sum_exp_error`), the target's (and with smoothing the mean) shifted logit's error, and a few
    roundings of the compute dtype on the row (:func:`transcendental`); a confident correct row's loss
    ``L - 0 = log1p(...)`` is judged relatively, like log_softmax's max element. Over rows: in half precision each
    row's loss may be stored in ``t``; ``'mean'``/``'sum'`` add the reduction over the kept rows (non-negative:
    ``reduction(t, N) sum``) and the output's rounding ``u_t |L|``."""
    s, err = _shifted_logits(dtype, logits, 1)
    target = np.asarray(target)
    kept = target != ignore_index
    safe = np.where(kept, target, 0)
    rows = np.arange(s.shape[0])
    lse = np.log(np.sum(np.exp(s), axis=1))
    ls = float(label_smoothing)
    loss = (1.0 - ls) * (lse - s[rows, safe]) + ls * (lse - s.mean(axis=1))
    row_err = (log_sum_exp_error(dtype, s, err)[:, 0] + (1.0 - ls) * err[rows, safe] + ls * err.mean(axis=1)
               + transcendental(dtype) * loss)
    loss, row_err = np.where(kept, loss, 0.0), np.where(kept, row_err, 0.0)
    if how == "none":
        allowance = row_err + unit(dtype) * loss
    else:
        allowance = np.sum(row_err + stored(dtype) * loss) + reduction(dtype, int(kept.sum())) * loss.sum()
        if how == "mean":
            allowance = allowance / max(int(kept.sum()), 1)
        allowance = allowance + unit(dtype) * np.abs(np.asarray(expected, np.float64))
    return as_floor(allowance, expected, dtype)
