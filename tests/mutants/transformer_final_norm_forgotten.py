"""A decoder that feeds the last block's output straight into the LM head, without the final norm.

Real bug class: a pre-norm stack ported from a post-norm one (where the last block already ends in a norm), so
``ln_f`` is created and counted but never applied: the logits see the unnormalised residual stream. Caught by:
no parameter is dead (perturbing ``final_norm`` changes no logit).
"""
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import transformer_block
from impls.numpy._util import upcast
from impls.numpy.transformer import _check, _embed

NAME = "mutant-transformer-final-norm-forgotten"
DTYPES = ("float32", "float64")
CATCHES = ("decoder_forward:no_dead_parameters", "decoder_forward:matches_oracle")


def decoder_forward(input_ids, params, config):
    dims = _check("decoder_forward", input_ids, params, config)
    cfg = dims.cfg
    x = _embed(input_ids, params, dims, 0)
    for layer in params["layers"]:
        x = transformer_block(x, layer, num_heads=cfg.n_heads, num_kv_heads=cfg.n_kv_heads, norm=cfg.norm,
                              ffn=cfg.ffn, is_causal=True, rope_base=dims.rope_base, eps=dims.eps)
    weight = params["embed"]["tokens"].T if cfg.tie_embeddings else params["lm_head"]["weight"]
    return (upcast(x) @ upcast(weight)).astype(x.dtype)  # BUG: no final_norm
