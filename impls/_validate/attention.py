"""Argument checks for the attention family (SPEC 3.6), shared by every built-in backend.

Backends hand over ``meta`` pairs ``(shape, dtype)`` for arrays (dtype names like ``"float32"``; torch's
``"torch.float32"`` is accepted), dicts of such pairs for ``params``, and plain Python values. Nothing here
touches an array. Every check raises ``ValueError`` (a shape or value breaks a convention) or ``TypeError``
(wrong kind of argument) with a message naming the component, and returns the resolved dimensions.
"""
import math
import numbers
from typing import NamedTuple

from impls._validate import dtype_name

_FLOATS = ("float16", "bfloat16", "float32", "float64")
_ATTN_KEYS = ("wq", "wk", "wv", "wo", "bq", "bk", "bv", "bo")
_PACKED_KEYS = ("w_qkv", "b_qkv", "wo", "bo")
FFN_ACTIVATIONS = ("relu", "gelu", "swiglu")


class AttentionDims(NamedTuple):
    """Sizes of one ``scaled_dot_product_attention`` call and the resolved ``scale``."""
    batch: int
    heads: int
    kv_heads: int
    q_len: int
    k_len: int
    head_dim: int
    v_dim: int
    scale: float


class ProjectionDims(NamedTuple):
    """Sizes of one ``multi_head_attention``/``mha_decode`` call; ``packed``: params use ``w_qkv``."""
    batch: int
    q_len: int
    k_len: int
    d_model: int
    heads: int
    kv_heads: int
    head_dim: int
    packed: bool


def _shape(meta) -> tuple:
    return tuple(int(n) for n in meta[0])


def _float(component, name, meta, like=None):
    """``meta`` must be a float array, of the same dtype as ``like`` when given (never mixed precision)."""
    dtype = dtype_name(meta[1])
    if dtype not in _FLOATS:
        raise TypeError(f"{component}: {name} must be a float array ({', '.join(_FLOATS)}), got {dtype}")
    if like is not None and dtype != dtype_name(like[1]):
        raise TypeError(f"{component}: {name} has dtype {dtype} but the inputs are {dtype_name(like[1])}; "
                        f"cast them to one dtype")


def _rank(component, name, meta, rank, layout):
    shape = _shape(meta)
    if len(shape) != rank:
        raise ValueError(f"{component}: {name} must have shape {layout}, got {shape} (rank {len(shape)})")
    return shape


def _int(component, name, value, *, minimum):
    # bool is an int subclass; True as a head count is a mistake, not 1
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{component}: {name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{component}: {name}={value} must be >= {minimum}")
    return int(value)


def _flag(component, name, value):
    if not isinstance(value, bool) and type(value).__name__ != "bool_":
        raise TypeError(f"{component}: {name} must be a bool, got {type(value).__name__}")
    return bool(value)


def _heads(component, num_heads, num_kv_heads):
    """``(H, Hkv)`` with ``Hkv = H`` for None; H must be a multiple of Hkv (each kv head serves a group)."""
    heads = _int(component, "num_heads", num_heads, minimum=1)
    kv_heads = heads if num_kv_heads is None else _int(component, "num_kv_heads", num_kv_heads, minimum=1)
    if heads % kv_heads:
        raise ValueError(f"{component}: num_heads={heads} is not a multiple of num_kv_heads={kv_heads} "
                         f"(H % Hkv must be 0)")
    return heads, kv_heads


def _mask(component, mask, target):
    """A boolean mask broadcastable (NumPy rules, no new leading axes beyond 4) to ``target``."""
    if mask is None:
        return
    if dtype_name(mask[1]) != "bool":
        raise TypeError(f"{component}: mask must be a bool array (True = may attend), got {dtype_name(mask[1])}; "
                        f"convert an additive float mask with mask = (bias == 0)")
    shape = _shape(mask)
    fits = len(shape) <= len(target) and all(
        m in (1, t) for m, t in zip(reversed(shape), reversed(target)))
    if not fits:
        raise ValueError(f"{component}: mask of shape {shape} does not broadcast to (B, H, Lq, Lk) = {target}")


def _bias(component, bias, target, like, layout="(B, H, Lq, Lk)"):
    """An additive float bias of the inputs' dtype, broadcastable (NumPy rules, no new leading axes beyond 4)
    to ``target``; ``-inf`` entries are allowed (they act like masked keys)."""
    if bias is None:
        return
    dtype = dtype_name(bias[1])
    if dtype == "bool":
        raise TypeError(f"{component}: bias must be a float array added to the logits, got bool; "
                        f"a boolean array is a mask: pass it as mask=")
    _float(component, "bias", bias, like=like)
    shape = _shape(bias)
    fits = len(shape) <= len(target) and all(
        b in (1, t) for b, t in zip(reversed(shape), reversed(target)))
    if not fits:
        raise ValueError(f"{component}: bias of shape {shape} does not broadcast to {layout} = {target}")


def _scale(component, scale, head_dim):
    if scale is None:
        # D = 0 has no dot product to normalise; any finite scale gives the same all-zero logits
        return 1.0 / math.sqrt(head_dim) if head_dim > 0 else 1.0
    if isinstance(scale, bool) or not isinstance(scale, numbers.Real):
        raise TypeError(f"{component}: scale must be a real number or None, got {type(scale).__name__}")
    if not math.isfinite(scale):
        raise ValueError(f"{component}: scale={scale} must be finite")
    return float(scale)


def _rope_base(component, rope_base, head_dim, cross):
    if rope_base is None:
        return None
    if cross:
        raise ValueError(f"{component}: rope_base applies to self-attention only (context must be None); "
                         f"query and key positions of a cross-attention are unrelated")
    if isinstance(rope_base, bool) or not isinstance(rope_base, numbers.Real):
        raise TypeError(f"{component}: rope_base must be a real number or None, got {type(rope_base).__name__}")
    if not (math.isfinite(rope_base) and rope_base > 0):
        raise ValueError(f"{component}: rope_base={rope_base} must be finite and > 0")
    if head_dim % 2:
        raise ValueError(f"{component}: RoPE needs an even head dim, got D={head_dim}")
    return float(rope_base)


def attention(component, q, k, v, mask, is_causal, scale, bias=None) -> AttentionDims:
    """Checks ``attention_weights`` (``v`` None) and ``scaled_dot_product_attention``.

    q ``(B, H, Lq, D)``, k ``(B, Hkv, Lk, D)``, v ``(B, Hkv, Lk, Dv)``, mask bool and bias (q's float dtype)
    broadcastable to ``(B, H, Lq, Lk)``; returns the sizes and the scale (``1/sqrt(D)`` when None).
    """
    batch, heads, q_len, head_dim = _rank(component, "q", q, 4, "(B, H, Lq, D)")
    kb, kv_heads, k_len, kd = _rank(component, "k", k, 4, "(B, Hkv, Lk, D)")
    _float(component, "q", q)
    _float(component, "k", k, like=q)
    if kb != batch:
        raise ValueError(f"{component}: q has batch {batch} but k has {kb}")
    if kd != head_dim:
        raise ValueError(f"{component}: q head dim D={head_dim} differs from k head dim {kd}")
    if kv_heads < 1 or heads % kv_heads:
        raise ValueError(f"{component}: q has H={heads} heads, k has Hkv={kv_heads}; H must be a positive "
                         f"multiple of Hkv")
    v_dim = head_dim
    if v is not None:
        vb, vh, vl, v_dim = _rank(component, "v", v, 4, "(B, Hkv, Lk, Dv)")
        _float(component, "v", v, like=q)
        if (vb, vh, vl) != (batch, kv_heads, k_len):
            raise ValueError(f"{component}: v {_shape(v)} must match k {_shape(k)} in (B, Hkv, Lk)")
    _mask(component, mask, (batch, heads, q_len, k_len))
    _bias(component, bias, (batch, heads, q_len, k_len), q)
    _flag(component, "is_causal", is_causal)
    return AttentionDims(batch, heads, kv_heads, q_len, k_len, head_dim, v_dim,
                         _scale(component, scale, head_dim))


def _params(component, params):
    if not isinstance(params, dict):
        raise TypeError(f"{component}: params must be a dict of arrays, got {type(params).__name__}")


def _weight(component, params, key, shape, like):
    """``params[key]`` must exist with exactly ``shape`` (no silent broadcast) and ``like``'s dtype."""
    if key not in params:
        raise ValueError(f"{component}: params lacks {key!r}")
    _float(component, f"params[{key!r}]", params[key], like=like)
    if _shape(params[key]) != tuple(shape):
        raise ValueError(f"{component}: params[{key!r}] must have shape {tuple(shape)}, "
                         f"got {_shape(params[key])}")


def _projection(component, x, params, heads, kv_heads, cross):
    """Checks the projection weights against x's model dim; returns ``(head_dim, packed)``."""
    _params(component, params)
    d_model = _shape(x)[-1]
    packed = "w_qkv" in params
    allowed = _PACKED_KEYS if packed else _ATTN_KEYS
    extra = sorted(set(params) - set(allowed))
    if extra:
        hint = " (w_qkv replaces wq, wk, wv; give one or the other)" if packed else ""
        raise ValueError(f"{component}: unexpected params {extra}; expected keys among {list(allowed)}{hint}")
    if packed and cross:
        raise ValueError(f"{component}: packed w_qkv is for self-attention; cross-attention needs wq, wk, wv")
    name, groups = ("w_qkv", heads + 2 * kv_heads) if packed else ("wq", heads)
    if name not in params:
        raise ValueError(f"{component}: params lacks {name!r}" + ("" if packed else " (or a packed 'w_qkv')"))
    wshape = _rank(component, f"params[{name!r}]", params[name], 2, "(d, width)")
    if wshape[1] % groups or wshape[1] == 0:
        raise ValueError(f"{component}: params[{name!r}] has width {wshape[1]}, not a positive multiple of "
                         f"{'H + 2*Hkv' if packed else 'num_heads'} = {groups}")
    if wshape[0] != d_model:
        raise ValueError(f"{component}: x has model dim d={d_model} but params[{name!r}] has {wshape[0]} rows; "
                         f"projections are (d, width)")
    head_dim = wshape[1] // groups
    if packed:
        _weight(component, params, "w_qkv", (d_model, groups * head_dim), x)
        if "b_qkv" in params:
            _weight(component, params, "b_qkv", (groups * head_dim,), x)
    else:
        for key, width in (("wq", heads), ("wk", kv_heads), ("wv", kv_heads)):
            _weight(component, params, key, (d_model, width * head_dim), x)
            bias = "b" + key[1]
            if bias in params:
                _weight(component, params, bias, (width * head_dim,), x)
    _weight(component, params, "wo", (heads * head_dim, d_model), x)
    if "bo" in params:
        _weight(component, params, "bo", (d_model,), x)
    return head_dim, packed


def multi_head_attention(x, context, params, num_heads, num_kv_heads, mask, is_causal, rope_base, bias=None):
    """Checks ``multi_head_attention``: x ``(B, Lq, d)``, context None or ``(B, Lk, d)``, the projection
    params, head counts, mask, ``is_causal``, ``rope_base`` and ``bias`` (x's dtype, broadcastable to
    ``(B, H, Lq, Lk)``); returns the sizes and the RoPE base."""
    component = "multi_head_attention"
    heads, kv_heads = _heads(component, num_heads, num_kv_heads)
    batch, q_len, d_model = _rank(component, "x", x, 3, "(B, Lq, d)")
    _float(component, "x", x)
    k_len = q_len
    if context is not None:
        cb, k_len, cd = _rank(component, "context", context, 3, "(B, Lk, d)")
        _float(component, "context", context, like=x)
        if (cb, cd) != (batch, d_model):
            raise ValueError(f"{component}: context {_shape(context)} must match x {_shape(x)} in B and d")
    head_dim, packed = _projection(component, x, params, heads, kv_heads, context is not None)
    _mask(component, mask, (batch, heads, q_len, k_len))
    _bias(component, bias, (batch, heads, q_len, k_len), x)
    _flag(component, "is_causal", is_causal)
    base = _rope_base(component, rope_base, head_dim, context is not None)
    return ProjectionDims(batch, q_len, k_len, d_model, heads, kv_heads, head_dim, packed), base


def cache_pair(component, cache):
    """``cache`` must be a pair ``(k, v)``; returns it as a tuple."""
    if not isinstance(cache, (tuple, list)) or len(cache) != 2:
        raise TypeError(f"{component}: cache must be a pair (k, v) of arrays (B, Hkv, P, D), "
                        f"got {type(cache).__name__}")
    return tuple(cache)


def mha_decode(x_new, cache_k, cache_v, params, num_heads, num_kv_heads, rope_base, bias=None):
    """Checks ``mha_decode``: x_new ``(B, T, d)``, cache k and v ``(B, Hkv, P, D)`` each, the params, head
    counts and ``bias`` (x_new's dtype, broadcastable to ``(B, H, T, P + T)``, the new tokens' rows); returns the
    sizes (``q_len = T``, ``k_len = P + T``) and the RoPE base."""
    component = "mha_decode"
    heads, kv_heads = _heads(component, num_heads, num_kv_heads)
    batch, new_len, d_model = _rank(component, "x_new", x_new, 3, "(B, T, d)")
    _float(component, "x_new", x_new)
    head_dim, packed = _projection(component, x_new, params, heads, kv_heads, False)
    past = _rank(component, "cache k", cache_k, 4, "(B, Hkv, P, D)")
    _float(component, "cache k", cache_k, like=x_new)
    _float(component, "cache v", cache_v, like=x_new)
    if _shape(cache_v) != past:
        raise ValueError(f"{component}: cache v {_shape(cache_v)} must have the shape of cache k {past}")
    want = (batch, kv_heads, past[2], head_dim)
    if past != want:
        raise ValueError(f"{component}: cache k/v must have shape (B, Hkv, P, D) = {want} for "
                         f"x_new {_shape(x_new)}, num_kv_heads={kv_heads}, D={head_dim}; got {past}")
    base = _rope_base(component, rope_base, head_dim, False)
    _bias(component, bias, (batch, heads, new_len, past[2] + new_len), x_new, layout="(B, H, T, P + T)")
    dims = ProjectionDims(batch, new_len, past[2] + new_len, d_model, heads, kv_heads, head_dim, packed)
    return dims, base


def feed_forward(x, params, activation):
    """Checks ``feed_forward``: x ``(..., d)``, the activation name and the weights it needs
    (``w1 (d, f)``, ``w2 (f, d_out)``, optional ``b1 (f,)`` ``b2 (d_out,)``; swiglu ``w1 w3 (d, f)``, ``w2``,
    no biases); returns the activation name."""
    component = "feed_forward"
    if activation not in FFN_ACTIVATIONS:
        raise ValueError(f"feed_forward: unknown activation {activation!r}; expected one of {FFN_ACTIVATIONS}")
    shape = _shape(x)
    if len(shape) < 1:
        raise ValueError("feed_forward: x must have shape (..., d), got a scalar")
    _float(component, "x", x)
    _params(component, params)
    allowed = ("w1", "w3", "w2") if activation == "swiglu" else ("w1", "b1", "w2", "b2")
    extra = sorted(set(params) - set(allowed))
    if extra:
        raise ValueError(f"feed_forward: unexpected params {extra} for activation={activation!r}; "
                         f"expected keys among {list(allowed)}")
    if "w1" not in params or "w2" not in params:
        raise ValueError(f"feed_forward: params needs 'w1' and 'w2', got {sorted(params)}")
    rows, hidden = _rank(component, "params['w1']", params["w1"], 2, "(d, f)")
    if rows != shape[-1]:
        raise ValueError(f"feed_forward: x has model dim d={shape[-1]} but params['w1'] has {rows} rows")
    _weight(component, params, "w1", (shape[-1], hidden), x)
    d_out = _rank(component, "params['w2']", params["w2"], 2, "(f, d_out)")[1]
    _weight(component, params, "w2", (hidden, d_out), x)
    if activation == "swiglu":
        _weight(component, params, "w3", (shape[-1], hidden), x)
    if "b1" in params:
        _weight(component, params, "b1", (hidden,), x)
    if "b2" in params:
        _weight(component, params, "b2", (d_out,), x)
    return activation
