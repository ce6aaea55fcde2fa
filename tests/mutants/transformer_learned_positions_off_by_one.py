"""A decoder whose learned positions start at row 1 of the table instead of row 0.

Real bug class: RoBERTa's ``padding_idx + 1`` position offset (or a 1-based ``arange(1, L + 1)``) carried into a
model whose table is 0-based, in the full-sequence path only: the forward pass and the KV-cache decoding
(which indexes ``positions[P:P+T]``) disagree. Caught by: decoding in chunks equals ``decoder_forward``.
"""
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import decoder_decode, transformer_block  # noqa: F401
from impls.numpy.transformer import _check, _embed, _head

NAME = "mutant-transformer-learned-positions-off-by-one"
DTYPES = ("float32", "float64")
CATCHES = ("decoder_decode:chunked_decoding_equals_forward", "decoder_forward:matches_oracle")


def decoder_forward(input_ids, params, config):
    dims = _check("decoder_forward", input_ids, params, config)
    cfg = dims.cfg
    past = 1 if cfg.positional == "learned" else 0  # BUG: positions 1..L
    x = _embed(input_ids, params, dims, past)
    for layer in params["layers"]:
        x = transformer_block(x, layer, num_heads=cfg.n_heads, num_kv_heads=cfg.n_kv_heads, norm=cfg.norm,
                              ffn=cfg.ffn, is_causal=True, rope_base=dims.rope_base, eps=dims.eps)
    return _head(x, params, dims)
