"""A decoder whose blocks attend bidirectionally (the causal flag dropped in the model).

Real bug class: the model calls its blocks with the encoder's defaults (``is_causal=False``) -- a language model
that peeks at the next token, trains to a suspiciously low loss and generates garbage. Caught by:
``decoder_forward`` ignores the future, and decoding in chunks (which cannot see the future) equals the forward.
"""
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import decoder_decode, transformer_block  # noqa: F401
from impls.numpy.transformer import _check, _embed, _head

NAME = "mutant-transformer-decoder-not-causal"
DTYPES = ("float32", "float64")
CATCHES = ("decoder_forward:causal_ignores_the_future", "decoder_decode:chunked_decoding_equals_forward",
           "decoder_forward:matches_oracle")


def decoder_forward(input_ids, params, config):
    dims = _check("decoder_forward", input_ids, params, config)
    cfg = dims.cfg
    x = _embed(input_ids, params, dims, 0)
    for layer in params["layers"]:
        x = transformer_block(x, layer, num_heads=cfg.n_heads, num_kv_heads=cfg.n_kv_heads, norm=cfg.norm,
                              ffn=cfg.ffn, rope_base=dims.rope_base, eps=dims.eps)  # BUG: is_causal missing
    return _head(x, params, dims)
