"""A transformer block whose ``norm_position`` defaults to post-norm.

Real bug class: a default copied from ``torch.nn.TransformerEncoderLayer`` (``norm_first=False``, the original
Transformer's post-norm) into a signature the catalogue gives ``norm_position="pre"`` (GPT-2, LLaMA): every
call that passes the option is right, every call relying on the default builds the other architecture. Caught
by: omitting an optional argument equals passing the catalogue's default.
"""
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls import numpy as reference

NAME = "mutant-transformer-post-norm-by-default"
DTYPES = ("float32", "float64")
CATCHES = ("transformer_block:defaults_are_the_catalogue_defaults",)


def transformer_block(x, params, *, num_heads, num_kv_heads=None, norm="layernorm", norm_position="post",  # BUG
                      ffn="gelu", mask=None, is_causal=False, rope_base=None, bias=None, eps=1e-5):
    return reference.transformer_block(x, params, num_heads=num_heads, num_kv_heads=num_kv_heads, norm=norm,
                                       norm_position=norm_position, ffn=ffn, mask=mask, is_causal=is_causal,
                                       rope_base=rope_base, bias=bias, eps=eps)
