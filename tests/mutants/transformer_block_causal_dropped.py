"""A block that never forwards ``is_causal`` to its attention.

Real bug class: a wrapper whose signature grew an ``is_causal`` option that is accepted but not passed on
(``self.attn(h, mask=mask)``), so a causal block attends to later positions. Caught by: a causal block's outputs
at positions 0..i ignore the inputs after i.
"""
from impls._validate import transformer as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import multi_head_attention
from impls.numpy.transformer import _bias_kw, _block, _meta_tree

NAME = "mutant-transformer-block-causal-dropped"
DTYPES = ("float32", "float64")
CATCHES = ("transformer_block:causal_ignores_the_future", "transformer_block:matches_oracle")


def transformer_block(x, params, *, num_heads, num_kv_heads=None, norm="layernorm", norm_position="pre",
                      ffn="gelu", mask=None, is_causal=False, rope_base=None, bias=None, eps=1e-5):
    eps = V.block(_meta_tree(x, "x"), _meta_tree(params, "params"), norm, norm_position, ffn, eps)

    def attend(u):  # BUG: is_causal not passed on
        return multi_head_attention(u, None, params["attn"], num_heads=num_heads, num_kv_heads=num_kv_heads,
                                    mask=mask, rope_base=rope_base, **_bias_kw(bias))

    return _block(x, params, attend, norm=norm, norm_position=norm_position, ffn=ffn, eps=eps)
