"""Softmax normalised over the query axis (-2) instead of the key axis (-1).

Real bug class: ``softmax(scores, dim=-2)`` or ``dim=2`` in a ``(B, H, Lq, Lk)`` layout after a refactor
changed the layout. Caught by: probability rows sum to 1 over allowed keys, and the differential check.
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import attention as numpy_attention
from tests.patching import patched

NAME = "mutant-attention-softmax-over-queries"
DTYPES = ("float32", "float64")
CATCHES = ("attention_weights:matches_oracle",
           "scaled_dot_product_attention:matches_oracle",
           "attention_weights:default_scale_gives_unit_logit_variance",
           "attention_weights:rows_are_distributions_over_allowed_keys")


def _masked_softmax(logits, allowed):
    """The reference's masked softmax over the queries (BUG: axis -2, not the keys)."""
    t = (lambda a: np.swapaxes(a, -1, -2))
    return t(numpy_attention._masked_softmax(t(logits), t(allowed)))


_patched = patched(numpy_attention, _masked_softmax=_masked_softmax)
attention_weights = _patched.attention_weights
scaled_dot_product_attention = _patched.scaled_dot_product_attention
