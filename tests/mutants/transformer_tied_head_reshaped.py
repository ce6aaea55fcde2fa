"""A tied LM head that reshapes the token embedding to ``(d, V)`` instead of transposing it.

Real bug class: ``tokens.reshape(d_model, vocab_size)`` (or ``.view``) where ``tokens.T`` was meant -- the
shapes fit, so nothing complains, but logit ``v`` is no longer the dot product with token ``v``'s embedding. Here
only in the full-sequence path: decoding (``tokens.T``) and the forward disagree. Caught by: decoding in chunks
equals ``decoder_forward``.
"""
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import decoder_decode, transformer_block  # noqa: F401
from impls.numpy._util import upcast
from impls.numpy.transformer import _check, _embed, _norm

NAME = "mutant-transformer-tied-head-reshaped"
DTYPES = ("float32", "float64")
CATCHES = ("decoder_decode:chunked_decoding_equals_forward", "decoder_forward:matches_oracle")


def decoder_forward(input_ids, params, config):
    dims = _check("decoder_forward", input_ids, params, config)
    cfg = dims.cfg
    x = _embed(input_ids, params, dims, 0)
    for layer in params["layers"]:
        x = transformer_block(x, layer, num_heads=cfg.n_heads, num_kv_heads=cfg.n_kv_heads, norm=cfg.norm,
                              ffn=cfg.ffn, is_causal=True, rope_base=dims.rope_base, eps=dims.eps)
    h = _norm(x, params["final_norm"], cfg.norm, dims.eps)
    tokens = params["embed"]["tokens"]
    weight = tokens.reshape(cfg.d_model, cfg.vocab_size) if cfg.tie_embeddings else params["lm_head"]["weight"]  # BUG
    return (upcast(h) @ upcast(weight)).astype(h.dtype)
