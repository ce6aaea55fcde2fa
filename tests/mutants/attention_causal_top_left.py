"""Causal mask aligned top-left (``j <= i``) instead of bottom-right (``j <= i + Lk - Lq``).

Real bug class: ``torch.tril(ones(Lq, Lk))`` or SDPA's ``is_causal=True`` used with a KV cache or any
Lq != Lk, so new queries cannot see the most recent keys. Caught by: the differential check against the
oracle whenever ``is_causal`` and Lq < Lk (and by the chunked ``mha_decode`` equivalence).
"""
import numpy as np

from impls._validate import attention as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.attention import _masked_softmax, _meta, _opt_meta

NAME = "mutant-attention-causal-top-left"
DTYPES = ("float32", "float64")


def _weights(q, k, mask, is_causal, scale):
    k = np.repeat(k, q.shape[1] // k.shape[1], axis=1)
    logits = (q @ np.swapaxes(k, -1, -2)) * scale
    allowed = np.ones(logits.shape, dtype=bool) if mask is None else np.broadcast_to(mask, logits.shape)
    if is_causal:
        q_len, k_len = logits.shape[-2:]
        allowed = allowed & np.tri(q_len, k_len, dtype=bool)  # BUG: top-left, ignores the Lk - Lq offset
    return _masked_softmax(logits, allowed)


def attention_weights(q, k, *, mask=None, is_causal=False, scale=None):
    dims = V.attention("attention_weights", _meta(q, "q"), _meta(k, "k"), None, _opt_meta(mask, "mask"),
                       is_causal, scale)
    return _weights(upcast(q), upcast(k), mask, is_causal, dims.scale).astype(q.dtype)


def scaled_dot_product_attention(q, k, v, *, mask=None, is_causal=False, scale=None):
    dims = V.attention("scaled_dot_product_attention", _meta(q, "q"), _meta(k, "k"), _meta(v, "v"),
                       _opt_meta(mask, "mask"), is_causal, scale)
    p = _weights(upcast(q), upcast(k), mask, is_causal, dims.scale)
    return (p @ np.repeat(upcast(v), q.shape[1] // v.shape[1], axis=1)).astype(q.dtype)
