"""A decoder whose blocks attend bidirectionally (the causal flag dropped in the model).

Real bug class: the model calls its blocks with the encoder's defaults (``is_causal=False``) -- a language model
that peeks at the next token, trains to a suspiciously low loss and generates garbage. Caught by:
``decoder_forward`` ignores the future, and decoding in chunks (which cannot see the future) equals the forward.
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import decoder_decode, transformer_block  # noqa: F401
from impls.numpy import transformer as numpy_transformer
from tests.patching import patched


NAME = "mutant-transformer-decoder-not-causal"
DTYPES = ("float32", "float64")
CATCHES = ("decoder_forward:causal_ignores_the_future", "decoder_decode:chunked_decoding_equals_forward",
           "decoder_forward:matches_oracle")


def _block_without_causal(x, params, *, is_causal=False, **options):
    """The reference block, ``is_causal`` dropped (BUG: the decoder's blocks are not causal)."""
    return reference.transformer_block(x, params, **options)


decoder_forward = patched(numpy_transformer, transformer_block=_block_without_causal).decoder_forward
