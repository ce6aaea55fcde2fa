"""A block whose second norm uses the first norm's parameters.

Real bug class: a copy-paste ``self.ln_1`` where ``self.ln_2`` was meant (or one norm module registered and
called twice), so ``ffn_norm``'s weight and bias are counted, initialised and saved but never used. Caught by:
no parameter is dead (perturbing ``ffn_norm`` changes no logit).
"""
from impls._validate import transformer as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import decoder_decode, multi_head_attention  # noqa: F401
from impls.numpy.transformer import _bias_kw, _block, _check, _embed, _head, _meta_tree

NAME = "mutant-transformer-second-norm-reuses-first"
DTYPES = ("float32", "float64")
CATCHES = ("decoder_forward:no_dead_parameters", "transformer_block:matches_oracle")


def transformer_block(x, params, *, num_heads, num_kv_heads=None, norm="layernorm", norm_position="pre",
                      ffn="gelu", mask=None, is_causal=False, rope_base=None, bias=None, eps=1e-5):
    eps = V.block(_meta_tree(x, "x"), _meta_tree(params, "params"), norm, norm_position, ffn, eps)

    def attend(u):
        return multi_head_attention(u, None, params["attn"], num_heads=num_heads, num_kv_heads=num_kv_heads,
                                    mask=mask, is_causal=is_causal, rope_base=rope_base, **_bias_kw(bias))

    shared = {**params, "ffn_norm": params["attn_norm"]}  # BUG: ln_1 used twice
    return _block(x, shared, attend, norm=norm, norm_position=norm_position, ffn=ffn, eps=eps)


def decoder_forward(input_ids, params, config):
    dims = _check("decoder_forward", input_ids, params, config)
    cfg = dims.cfg
    x = _embed(input_ids, params, dims, 0)
    for layer in params["layers"]:
        x = transformer_block(x, layer, num_heads=cfg.n_heads, num_kv_heads=cfg.n_kv_heads, norm=cfg.norm,
                              ffn=cfg.ffn, is_causal=True, rope_base=dims.rope_base, eps=dims.eps)
    return _head(x, params, dims)
