"""Masked logits set to -inf before a max-subtracted softmax: a row with no allowed key becomes NaN.

Real bug class: ``masked_fill(~mask, float("-inf"))`` then softmax; with left padding or a causal mask
with Lq > Lk, ``-inf - (-inf)`` gives NaN that spreads through the network. Caught by: a query with no
allowed key must give probabilities 0 and output 0 (NaN is an error).
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import attention as numpy_attention
from tests.patching import patched

NAME = "mutant-attention-fully-masked-nan"
DTYPES = ("float32", "float64")
CATCHES = ("scaled_dot_product_attention:grouped_heads_equal_repeated_kv",
           "scaled_dot_product_attention:kv_head_reaches_only_its_group",
           "attention_weights:matches_oracle",
           "scaled_dot_product_attention:matches_oracle")


def _masked_softmax(logits, allowed):
    """``exp(l - max) / sum`` with disallowed logits set to ``-inf`` (BUG: an all ``-inf`` row gives
    ``-inf - (-inf) = NaN``)."""
    logits = np.where(allowed, logits, -np.inf)
    with np.errstate(invalid="ignore"):
        e = np.exp(logits - logits.max(axis=-1, keepdims=True, initial=-np.inf))
        return e / e.sum(axis=-1, keepdims=True)


_patched = patched(numpy_attention, _masked_softmax=_masked_softmax)
attention_weights = _patched.attention_weights
scaled_dot_product_attention = _patched.scaled_dot_product_attention
