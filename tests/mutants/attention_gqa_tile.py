"""Grouped-query attention expanding K/V heads with ``tile`` (query head h reads kv head ``h % Hkv``)
instead of repeat-interleave (``h // (H // Hkv)``).

Real bug class: ``k.repeat(1, H // Hkv, 1, 1)`` (torch's ``repeat`` tiles) where ``repeat_interleave`` was
meant; identical for MHA and MQA, wrong for 1 < Hkv < H. Caught by: GQA equals MHA whose K/V projections
repeat each K/V head for its group, and the differential check with 1 < Hkv < H.
"""
import numpy as np

from impls._validate import attention as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.attention import _masked_softmax, _meta, _opt_meta

NAME = "mutant-attention-gqa-tile"
DTYPES = ("float32", "float64")


def _weights(q, k, mask, is_causal, scale):
    k = np.tile(k, (1, q.shape[1] // k.shape[1], 1, 1))  # BUG: tiles, head h reads kv head h % Hkv
    logits = (q @ np.swapaxes(k, -1, -2)) * scale
    allowed = np.ones(logits.shape, dtype=bool) if mask is None else np.broadcast_to(mask, logits.shape)
    if is_causal:
        q_len, k_len = logits.shape[-2:]
        i = np.arange(q_len)[:, None]
        j = np.arange(k_len)[None, :]
        allowed = allowed & (j <= i + (k_len - q_len))
    return _masked_softmax(logits, allowed)


def attention_weights(q, k, *, mask=None, is_causal=False, scale=None):
    dims = V.attention("attention_weights", _meta(q, "q"), _meta(k, "k"), None, _opt_meta(mask, "mask"),
                       is_causal, scale)
    return _weights(upcast(q), upcast(k), mask, is_causal, dims.scale).astype(q.dtype)


def scaled_dot_product_attention(q, k, v, *, mask=None, is_causal=False, scale=None):
    dims = V.attention("scaled_dot_product_attention", _meta(q, "q"), _meta(k, "k"), _meta(v, "v"),
                       _opt_meta(mask, "mask"), is_causal, scale)
    p = _weights(upcast(q), upcast(k), mask, is_causal, dims.scale)
    return (p @ np.tile(upcast(v), (1, q.shape[1] // v.shape[1], 1, 1))).astype(q.dtype)
