"""Masked logits set to the dtype's most negative finite value: a fully masked row becomes uniform.

Real bug class: ``masked_fill(~mask, torch.finfo(dtype).min)`` (HF transformers, several SDPA backends):
no NaN, but a query with no allowed key attends every key equally. Caught by: a query with no allowed key
must give probabilities 0 and output 0; masked probabilities are 0.
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import attention as numpy_attention
from impls.numpy import softmax
from tests.patching import patched

NAME = "mutant-attention-fully-masked-uniform"
DTYPES = ("float32", "float64")
CATCHES = ("attention_weights:matches_oracle",
           "scaled_dot_product_attention:matches_oracle",
           "attention_weights:fully_masked_rows_are_zero",
           "attention_weights:rows_are_distributions_over_allowed_keys")


def _masked_softmax(logits, allowed):
    """A softmax with disallowed logits set to the dtype's most negative finite number (BUG: an all-masked
    row stays finite and equal, so it becomes uniform, not 0)."""
    return softmax(np.where(allowed, logits, np.finfo(logits.dtype).min), axis=-1)


_patched = patched(numpy_attention, _masked_softmax=_masked_softmax)
attention_weights = _patched.attention_weights
scaled_dot_product_attention = _patched.scaled_dot_product_attention
