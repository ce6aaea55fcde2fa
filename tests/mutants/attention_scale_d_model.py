"""Multi-head attention scaled by ``1/sqrt(d_model)`` instead of ``1/sqrt(head_dim)``.

Real bug class: ``scores / math.sqrt(self.d_model)`` or ``/ sqrt(embed_dim)`` in a hand-written MHA; the
same as the correct scale only for a single head. Caught by: the differential check of
``multi_head_attention`` with num_heads > 1, and "one head equals single-head attention" style comparisons
against ``scaled_dot_product_attention``.
"""
import math

import numpy as np

from impls._validate import attention as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.attention import (_attend, _linear, _merge_heads, _meta,
                                   _opt_meta, _params_meta, _project, _rope)

NAME = "mutant-attention-scale-d-model"
DTYPES = ("float32", "float64")


def multi_head_attention(x, context, params, *, num_heads, num_kv_heads=None, mask=None, is_causal=False,
                         rope_base=None):
    dims, base = V.multi_head_attention(_meta(x, "x"), _opt_meta(context, "context"),
                                        _params_meta(params, "multi_head_attention"), num_heads, num_kv_heads,
                                        _opt_meta(mask, "mask"), is_causal, rope_base)
    xc = upcast(x)
    q, k, v = _project(xc, xc if context is None else upcast(context), params, dims)
    if base is not None:
        positions = np.arange(dims.q_len)
        q, k = _rope(q, positions, base), _rope(k, positions, base)
    out = _attend(q, k, v, mask, is_causal, 1.0 / math.sqrt(dims.d_model))  # BUG: d_model, not head_dim
    return _linear(_merge_heads(out), params, "wo", "bo").astype(x.dtype)
