"""KV-cache decoding with a top-left causal mask ``tril(ones(T, P+T))``: new tokens cannot see most of the cache.

Real bug class: calling an attention kernel with ``is_causal=True`` (top-left in PyTorch SDPA) for a chunk
of T > 1 new tokens over a cache, or building the mask without the ``P`` offset. Caught by: ``mha_decode``
over chunks equals ``multi_head_attention(is_causal=True)`` on the whole sequence.
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import attention as numpy_attention
from tests.patching import patched

NAME = "mutant-attention-decode-mask-not-offset"
DTYPES = ("float32", "float64")
CATCHES = ("mha_decode:matches_oracle", "mha_decode:chunked_decoding_equals_causal_attention")


def _allowed(mask, is_causal, shape):
    """The reference's mask; causal as the top-left triangle (BUG: should allow ``j <= i + past``)."""
    allowed = numpy_attention._allowed(mask, False, shape)
    return allowed & np.tri(*shape[-2:], dtype=bool) if is_causal else allowed


mha_decode = patched(numpy_attention, _allowed=_allowed).mha_decode
