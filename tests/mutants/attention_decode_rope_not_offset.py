"""KV-cache decoding that rotates the new tokens at positions ``0..T-1`` instead of ``P..P+T-1``.

Real bug class: ``position_ids = arange(seq_len)`` recomputed from the chunk instead of offset by the cache
length, so every decoded token looks like position 0 to RoPE. Caught by: ``mha_decode`` over a split of a
sequence into chunks equals ``multi_head_attention(is_causal=True)`` on the whole (with RoPE).
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import attention as numpy_attention
from impls.numpy import rope
from tests.patching import patched

NAME = "mutant-attention-decode-rope-not-offset"
DTYPES = ("float32", "float64")
CATCHES = ("mha_decode:matches_oracle", "mha_decode:chunked_decoding_equals_causal_attention")


def _rope(t, positions, base):
    """Half-split RoPE at ``0..T-1`` (BUG: should be the tokens' positions ``past..past+T-1``)."""
    return rope(t, np.arange(len(positions)), base=base, interleaved=False)


mha_decode = patched(numpy_attention, _rope=_rope).mha_decode
