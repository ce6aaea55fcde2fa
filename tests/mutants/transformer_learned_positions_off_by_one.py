"""A decoder whose learned positions start at row 1 of the table instead of row 0.

Real bug class: RoBERTa's ``padding_idx + 1`` position offset (or a 1-based ``arange(1, L + 1)``) carried into a
model whose table is 0-based, in the full-sequence path only: the forward pass and the KV-cache decoding
(which indexes ``positions[P:P+T]``) disagree. Caught by: decoding in chunks equals ``decoder_forward``.
"""
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import decoder_decode, transformer_block  # noqa: F401
from impls.numpy import transformer as numpy_transformer
from tests.patching import patched

NAME = "mutant-transformer-learned-positions-off-by-one"
DTYPES = ("float32", "float64")
CATCHES = ("decoder_decode:chunked_decoding_equals_forward", "decoder_forward:matches_oracle")


def _embed(input_ids, params, dims, past):
    """The reference's embeddings, learned positions read from ``past + 1`` (BUG: positions 1..L)."""
    shift = 1 if dims.cfg.positional == "learned" else 0
    return numpy_transformer._embed(input_ids, params, dims, past + shift)


decoder_forward = patched(numpy_transformer, _embed=_embed).decoder_forward
