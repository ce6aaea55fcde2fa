"""Mask applied as an additive bias of -1e4 and a plain softmax over all keys.

Real bug class: the old BERT/HF trick ``logits + (1 - mask) * -10000``: a masked key whose logit exceeds
the allowed ones by more than ~1e4 still gets probability, and a fully masked row becomes uniform instead
of 0. Caught by: masked probabilities are 0 (large logits, or a fully masked row), and changing masked
keys/values does not change the output.
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import attention as numpy_attention
from impls.numpy import softmax
from tests.patching import patched

NAME = "mutant-attention-additive-mask-1e4"
DTYPES = ("float32", "float64")
CATCHES = ("attention_weights:matches_oracle",
           "scaled_dot_product_attention:matches_oracle",
           "attention_weights:rows_are_distributions_over_allowed_keys",
           "attention_weights:fully_masked_rows_are_zero",
           "scaled_dot_product_attention:fully_masked_rows_are_zero",
           "scaled_dot_product_attention:masked_keys_and_values_are_ignored",
           "scaled_dot_product_attention:causal_ignores_the_future")


def _masked_softmax(logits, allowed):
    """A softmax over every key with ``-1e4`` added to the disallowed logits (BUG: a finite penalty, not an
    exclusion)."""
    return softmax(logits + np.where(allowed, 0.0, -1e4), axis=-1)


_patched = patched(numpy_attention, _masked_softmax=_masked_softmax)
attention_weights = _patched.attention_weights
scaled_dot_product_attention = _patched.scaled_dot_product_attention
