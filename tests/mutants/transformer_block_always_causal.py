"""A block that always applies the causal mask, whatever ``is_causal`` says.

Real bug class: a decoder block reused as an encoder block with ``is_causal=True`` hard-coded in its attention
call, so a bidirectional (BERT-style) block silently hides the future. Caught by: without mask and positions a
block is equivariant to permuting the sequence (a causal block is not).
"""
from impls._validate import transformer as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import multi_head_attention
from impls.numpy.transformer import _bias_kw, _block, _meta_tree

NAME = "mutant-transformer-block-always-causal"
DTYPES = ("float32", "float64")
CATCHES = ("transformer_block:permutation_equivariant_without_mask_and_positions",
           "transformer_block:matches_oracle")


def transformer_block(x, params, *, num_heads, num_kv_heads=None, norm="layernorm", norm_position="pre",
                      ffn="gelu", mask=None, is_causal=False, rope_base=None, bias=None, eps=1e-5):
    eps = V.block(_meta_tree(x, "x"), _meta_tree(params, "params"), norm, norm_position, ffn, eps)

    def attend(u):
        return multi_head_attention(u, None, params["attn"], num_heads=num_heads, num_kv_heads=num_kv_heads,
                                    mask=mask, is_causal=True, rope_base=rope_base, **_bias_kw(bias))  # BUG

    return _block(x, params, attend, norm=norm, norm_position=norm_position, ffn=ffn, eps=eps)
