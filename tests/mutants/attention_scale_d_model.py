"""Multi-head attention scaled by ``1/sqrt(d_model)`` instead of ``1/sqrt(head_dim)``.

Real bug class: ``scores / math.sqrt(self.d_model)`` or ``/ sqrt(embed_dim)`` in a hand-written MHA; the
same as the correct scale only for a single head. Caught by: the differential check of
``multi_head_attention`` with num_heads > 1, and "one head equals single-head attention" style comparisons
against ``scaled_dot_product_attention``.
"""
import math

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import attention as numpy_attention
from tests.patching import patched

NAME = "mutant-attention-scale-d-model"
DTYPES = ("float32", "float64")
CATCHES = ("multi_head_attention:matches_oracle",)


def _attend(q, k, v, mask, is_causal, scale, bias=None):
    """The reference's attention scaled by ``1 / sqrt(H * D)`` (BUG: ``d_model``, not ``head_dim``)."""
    return numpy_attention._attend(q, k, v, mask, is_causal, 1.0 / math.sqrt(q.shape[1] * q.shape[-1]), bias)


multi_head_attention = patched(numpy_attention, _attend=_attend).multi_head_attention
