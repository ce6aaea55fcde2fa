"""A pre-norm block whose residual branch starts from the normalised input instead of the input.

Real bug class: ``x = self.ln_1(x); x = x + self.attn(x)`` -- reassigning the normed tensor to the name the
residual is taken from, so the stream becomes ``N(x) + MHA(N(x))`` and every layer re-normalises the residual
stream (the pre-norm block is no longer the identity plus branches). Caught by: with zero output projections a
pre-norm block is the identity (here it returns N_ffn(N_attn(x))).
"""
from impls._validate import transformer as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import feed_forward, multi_head_attention
from impls.numpy.transformer import _bias_kw, _meta_tree, _norm

NAME = "mutant-transformer-residual-after-norm"
DTYPES = ("float32", "float64")
CATCHES = ("transformer_block:zero_output_projections_give_identity_or_norms", "transformer_block:matches_oracle")


def transformer_block(x, params, *, num_heads, num_kv_heads=None, norm="layernorm", norm_position="pre",
                      ffn="gelu", mask=None, is_causal=False, rope_base=None, bias=None, eps=1e-5):
    eps = V.block(_meta_tree(x, "x"), _meta_tree(params, "params"), norm, norm_position, ffn, eps)

    def attend(u):
        return multi_head_attention(u, None, params["attn"], num_heads=num_heads, num_kv_heads=num_kv_heads,
                                    mask=mask, is_causal=is_causal, rope_base=rope_base, **_bias_kw(bias))

    if norm_position == "pre":
        x = _norm(x, params["attn_norm"], norm, eps)      # BUG: the residual is now the normed x
        h = x + attend(x)
        h = _norm(h, params["ffn_norm"], norm, eps)
        return h + feed_forward(h, params["ffn"], activation=ffn)
    h = _norm(x + attend(x), params["attn_norm"], norm, eps)
    return _norm(h + feed_forward(h, params["ffn"], activation=ffn), params["ffn_norm"], norm, eps)
