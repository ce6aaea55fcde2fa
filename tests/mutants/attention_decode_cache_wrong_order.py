"""KV-cache decoding that prepends the new keys/values to the cache instead of appending them.

Real bug class: ``torch.cat([k_new, k_cache], dim=2)``: with one new token and RoPE the attention output is
unchanged (attention is order-free over allowed keys), but the causal mask now points at the wrong keys for
T > 1 and the returned cache is out of order for every later step. Caught by: ``mha_decode`` over chunks
equals ``multi_head_attention(is_causal=True)`` on the whole, and the differential check of the cache.
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import attention as numpy_attention
from tests.patching import patched

NAME = "mutant-attention-decode-cache-wrong-order"
DTYPES = ("float32", "float64")
CATCHES = ("mha_decode:matches_oracle", "mha_decode:chunked_decoding_equals_causal_attention")


def _new_first(t, new):
    """``[past, new]`` along the key axis as ``[new, past]`` (BUG: the new keys prepended, not appended)."""
    return np.roll(t, new, axis=2)


def _attend(q, k, v, mask, is_causal, scale, bias=None):
    """The reference's attention over the reordered keys and values."""
    return numpy_attention._attend(q, _new_first(k, q.shape[2]), _new_first(v, q.shape[2]), mask, is_causal,
                                   scale, bias)


_decode = patched(numpy_attention, _attend=_attend).mha_decode


def mha_decode(x_new, cache, params, **options):
    """Decoding over ``[new, past]``, returning the cache in that order too."""
    out, (k, v) = _decode(x_new, cache, params, **options)
    return out, (_new_first(k, x_new.shape[1]), _new_first(v, x_new.shape[1]))
