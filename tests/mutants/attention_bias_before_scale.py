"""The bias added before scaling: ``(q k^T + bias) * scale`` instead of ``scale * q k^T + bias``.

Real bug class: the scale folded in last (``scores = (q @ k.T + position_bias) / sqrt(d)``), so a T5/ALiBi bias
shrinks by ``sqrt(D)`` and the position preference flattens; invisible without a bias or with ``scale=1``.
Caught by: the bias differential checks of ``attention_weights``, ``scaled_dot_product_attention`` and
``multi_head_attention`` (any bias with the default or a non-unit scale).
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import attention as numpy_attention
from tests.patching import patched

NAME = "mutant-attention-bias-before-scale"
DTYPES = ("float32", "float64")
CATCHES = ("attention_weights:bias_matches_oracle", "scaled_dot_product_attention:bias_matches_oracle",
           "multi_head_attention:bias_matches_oracle")


def _weights(q, k, mask, is_causal, scale, bias=None):
    k = np.repeat(k, q.shape[1] // k.shape[1], axis=1)
    logits = q @ np.swapaxes(k, -1, -2)
    allowed = numpy_attention._allowed(mask, is_causal, logits.shape)
    if bias is not None:
        logits = logits + bias  # BUG: added before the scale, so the bias is scaled too
        allowed = allowed & (logits > -np.inf)
    return numpy_attention._masked_softmax(logits * scale, allowed)


# NumPy's attention functions calling this file's ``_weights``; the NumPy implementation, the oracle, is untouched
_patched = patched(numpy_attention, _weights=_weights)
attention_weights = _patched.attention_weights
scaled_dot_product_attention = _patched.scaled_dot_product_attention
multi_head_attention = _patched.multi_head_attention
mha_decode = _patched.mha_decode
