"""A transformer block that applies its norms before the sublayers even when asked for post-norm.

Real bug class: a block written for GPT-2/LLaMA (pre-norm) reused for BERT or the original Transformer with the
``norm_position`` option read but never branched on, so ``"post"`` still computes ``x + MHA(N(x))``: the output
is no longer normalised. Caught by: post-norm outputs have zero mean and unit variance per position, and with
zero output projections a post-norm block is N_ffn(N_attn(x)) (here it is x).
"""
from impls._validate import transformer as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy.transformer import _bias_kw, _block, _meta_tree
from impls.numpy import multi_head_attention

NAME = "mutant-transformer-post-norm-as-pre"
DTYPES = ("float32", "float64")
CATCHES = ("transformer_block:post_norm_outputs_are_standardised",
           "transformer_block:zero_output_projections_give_identity_or_norms",
           "transformer_block:matches_oracle")


def transformer_block(x, params, *, num_heads, num_kv_heads=None, norm="layernorm", norm_position="pre",
                      ffn="gelu", mask=None, is_causal=False, rope_base=None, bias=None, eps=1e-5):
    eps = V.block(_meta_tree(x, "x"), _meta_tree(params, "params"), norm, norm_position, ffn, eps)

    def attend(u):
        return multi_head_attention(u, None, params["attn"], num_heads=num_heads, num_kv_heads=num_kv_heads,
                                    mask=mask, is_causal=is_causal, rope_base=rope_base, **_bias_kw(bias))

    return _block(x, params, attend, norm=norm, norm_position="pre", ffn=ffn, eps=eps)  # BUG: position ignored
