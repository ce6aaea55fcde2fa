"""Cross-attention drops the key mask: the padding mask reaches self-attention only.

Real bug class: an attention layer that builds its mask for the self-attention path (where query and key
lengths agree) and passes ``mask=None`` once ``context`` is given, so an encoder's padding positions leak into
every decoder query. Caught by: masked context positions do not change the output
(``multi_head_attention:masked_context_positions_are_ignored``) and the float64 oracle.
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-attention-cross-mask-ignored"
DTYPES = ("float32", "float64")
CATCHES = ("multi_head_attention:masked_context_positions_are_ignored",)


def multi_head_attention(x, context, params, *, num_heads, num_kv_heads=None, mask=None, is_causal=False,
                         rope_base=None, bias=None):
    if context is not None:
        mask = None  # BUG: the context's mask is dropped
    kwargs = {} if bias is None else {"bias": bias}
    return reference.multi_head_attention(x, context, params, num_heads=num_heads, num_kv_heads=num_kv_heads,
                                          mask=mask, is_causal=is_causal, rope_base=rope_base, **kwargs)
