"""The bias added after masking: masked logits filled with ``finfo.min``, then the bias added, then a plain
softmax over every key.

Real bug class: ``scores.masked_fill(~mask, finfo.min)`` followed by ``scores += position_bias`` (the order of
several T5 ports): a masked key's logit is ``finfo.min + bias``, so a row with no allowed key takes its
weights from the bias of its masked keys instead of being 0, and ``finfo.min`` plus a negative or ``-inf``
bias overflows to ``-inf`` (NaN rows).
Caught by: the bias differential check (fully masked rows get weight) and "-inf equals masking" (a row left
with no finite allowed logit is not 0).
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import attention as numpy_attention
from tests.patching import patched

NAME = "mutant-attention-bias-after-masking"
DTYPES = ("float32", "float64")
CATCHES = ("attention_weights:bias_matches_oracle", "attention_weights:bias_neg_inf_equals_masking",
           "scaled_dot_product_attention:bias_neg_inf_equals_masking")


def _weights(q, k, mask, is_causal, scale, bias=None):
    k = np.repeat(k, q.shape[1] // k.shape[1], axis=1)
    logits = (q @ np.swapaxes(k, -1, -2)) * scale
    allowed = numpy_attention._allowed(mask, is_causal, logits.shape)
    if bias is None:
        return numpy_attention._masked_softmax(logits, allowed)
    logits = np.where(allowed, logits, np.finfo(logits.dtype).min)
    with np.errstate(over="ignore", invalid="ignore"):
        logits = logits + bias  # BUG: the bias is added after the masking, and every key enters the softmax
        e = np.exp(logits - logits.max(axis=-1, keepdims=True, initial=-np.inf))
        return e / e.sum(axis=-1, keepdims=True)


# NumPy's attention functions calling this file's ``_weights``; the NumPy implementation, the oracle, is untouched
_patched = patched(numpy_attention, _weights=_weights)
attention_weights = _patched.attention_weights
scaled_dot_product_attention = _patched.scaled_dot_product_attention
multi_head_attention = _patched.multi_head_attention
mha_decode = _patched.mha_decode
