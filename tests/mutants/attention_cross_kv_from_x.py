"""Cross-attention projecting keys and values from ``x`` instead of ``context``.

Real bug class: ``k = self.k_proj(hidden_states)`` left over from the self-attention path of a decoder
layer, so the encoder output is ignored. Caught by: cross-attention output does not depend on the order of
context positions but must depend on the context (differential check), and the output length is Lq.
"""
import math

import numpy as np

from impls._validate import attention as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.attention import (_attend, _linear, _merge_heads, _meta,
                                   _opt_meta, _params_meta, _project, _rope, _split_heads)

NAME = "mutant-attention-cross-kv-from-x"
DTYPES = ("float32", "float64")


def multi_head_attention(x, context, params, *, num_heads, num_kv_heads=None, mask=None, is_causal=False,
                         rope_base=None):
    dims, base = V.multi_head_attention(_meta(x, "x"), _opt_meta(context, "context"),
                                        _params_meta(params, "multi_head_attention"), num_heads, num_kv_heads,
                                        _opt_meta(mask, "mask"), is_causal, rope_base)
    xc = upcast(x)
    if dims.packed:
        q, k, v = _project(xc, xc, params, dims)
    else:
        q = _split_heads(_linear(xc, params, "wq", "bq"), dims.heads)
        k = _split_heads(_linear(xc, params, "wk", "bk"), dims.kv_heads)  # BUG: should read the context
        v = _split_heads(_linear(xc, params, "wv", "bv"), dims.kv_heads)  # BUG: should read the context
    if base is not None:
        positions = np.arange(dims.q_len)
        q, k = _rope(q, positions, base), _rope(k, positions, base)
    out = _attend(q, k, v, mask, is_causal, 1.0 / math.sqrt(dims.head_dim))
    return _linear(_merge_heads(out), params, "wo", "bo").astype(x.dtype)
