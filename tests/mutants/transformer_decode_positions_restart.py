"""KV-cache decoding whose learned or sinusoidal positions restart at 0 in every chunk.

Real bug class: ``position_ids = arange(T)`` computed from the new tokens alone, ignoring the cache length
``P``: every generated token is embedded at position 0 (RoPE, applied inside attention at ``P..P+T-1``, is
unaffected). Caught by: decoding in chunks equals ``decoder_forward`` on the whole, and the oracle with P > 0.
"""
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import decoder_forward, mha_decode  # noqa: F401
from impls.numpy import transformer as numpy_transformer
from tests.patching import patched

NAME = "mutant-transformer-decode-positions-restart"
DTYPES = ("float32", "float64")
CATCHES = ("decoder_decode:chunked_decoding_equals_forward", "decoder_decode:matches_oracle")


def _embed(input_ids, params, dims, past):
    """The reference's embeddings at positions ``0..T-1`` (BUG: not ``P..P+T-1``)."""
    return numpy_transformer._embed(input_ids, params, dims, 0)


decoder_decode = patched(numpy_transformer, _embed=_embed).decoder_decode
