"""A pre-norm block that returns the feed-forward branch without adding the residual stream back.

Real bug class: ``return self.mlp(self.ln_2(h))`` instead of ``h + self.mlp(self.ln_2(h))`` -- the skip
connection around the FFN forgotten, so the block's output is only the FFN's. Caught by: with zero output
projections a pre-norm block is the identity (here it returns 0).
"""
from impls._validate import transformer as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import feed_forward, multi_head_attention
from impls.numpy.transformer import _bias_kw, _meta_tree, _norm

NAME = "mutant-transformer-ffn-residual-skipped"
DTYPES = ("float32", "float64")
CATCHES = ("transformer_block:zero_output_projections_give_identity_or_norms", "transformer_block:matches_oracle")


def transformer_block(x, params, *, num_heads, num_kv_heads=None, norm="layernorm", norm_position="pre",
                      ffn="gelu", mask=None, is_causal=False, rope_base=None, bias=None, eps=1e-5):
    eps = V.block(_meta_tree(x, "x"), _meta_tree(params, "params"), norm, norm_position, ffn, eps)

    def attend(u):
        return multi_head_attention(u, None, params["attn"], num_heads=num_heads, num_kv_heads=num_kv_heads,
                                    mask=mask, is_causal=is_causal, rope_base=rope_base, **_bias_kw(bias))

    if norm_position == "pre":
        h = x + attend(_norm(x, params["attn_norm"], norm, eps))
        return feed_forward(_norm(h, params["ffn_norm"], norm, eps), params["ffn"], activation=ffn)  # BUG: no h +
    h = _norm(x + attend(x), params["attn_norm"], norm, eps)
    return _norm(h + feed_forward(h, params["ffn"], activation=ffn), params["ffn_norm"], norm, eps)
