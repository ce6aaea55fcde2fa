"""A row whose allowed logits are all ``-inf`` from the bias comes back NaN.

Real bug class: the allowed set is built from the mask and causality only and the bias's ``-inf`` entries are
left in the logits; the row maximum of a row with only ``-inf`` logits is ``-inf`` and ``-inf - (-inf)`` is
NaN (what ``jax.nn.dot_product_attention`` does). Rows with some finite logit are right.
Caught by: "-inf equals masking" (a row with no finite allowed logit must be 0, never NaN).
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import attention as numpy_attention
from tests.patching import patched

NAME = "mutant-attention-bias-neg-inf-row-nan"
DTYPES = ("float32", "float64")
CATCHES = ("attention_weights:bias_neg_inf_equals_masking", "scaled_dot_product_attention:bias_neg_inf_equals_masking")


def _weights(q, k, mask, is_causal, scale, bias=None):
    k = np.repeat(k, q.shape[1] // k.shape[1], axis=1)
    logits = (q @ np.swapaxes(k, -1, -2)) * scale
    if bias is not None:
        logits = logits + bias
    allowed = numpy_attention._allowed(mask, is_causal, logits.shape)  # BUG: -inf logits stay "allowed"
    with np.errstate(invalid="ignore"):
        return numpy_attention._masked_softmax(logits, allowed)


# NumPy's attention functions calling this file's ``_weights``; the NumPy implementation, the oracle, is untouched
_patched = patched(numpy_attention, _weights=_weights)
attention_weights = _patched.attention_weights
scaled_dot_product_attention = _patched.scaled_dot_product_attention
multi_head_attention = _patched.multi_head_attention
mha_decode = _patched.mha_decode
