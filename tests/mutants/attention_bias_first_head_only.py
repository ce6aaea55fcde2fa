"""The bias applied to the first head only; the other heads attend without it.

Real bug class: a per-head bias (T5's ``(H, Lq, Lk)`` table, ALiBi's slopes) indexed with a head slice left from a
single-head prototype (``logits[:, :1] += bias[..., :1, :, :]``), or a head loop that adds it before the loop's
first iteration only. Single-head attention is right.
Caught by: the bias differential checks of every component with ``H > 1`` (chunked decoding against
``multi_head_attention`` cannot see it: both share the bug).
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import attention as numpy_attention
from tests.patching import patched

NAME = "mutant-attention-bias-first-head-only"
DTYPES = ("float32", "float64")
CATCHES = ("attention_weights:bias_matches_oracle", "multi_head_attention:bias_matches_oracle",
           "mha_decode:bias_matches_oracle")


def _weights(q, k, mask, is_causal, scale, bias=None):
    k = np.repeat(k, q.shape[1] // k.shape[1], axis=1)
    logits = (q @ np.swapaxes(k, -1, -2)) * scale
    allowed = numpy_attention._allowed(mask, is_causal, logits.shape)
    if bias is not None:
        first = np.broadcast_to(bias, logits.shape)[:, :1]
        logits = logits.copy()
        logits[:, :1] = logits[:, :1] + first  # BUG: heads 1.. get no bias
        allowed = allowed & (logits > -np.inf)
    return numpy_attention._masked_softmax(logits, allowed)


# NumPy's attention functions calling this file's ``_weights``; the NumPy implementation, the oracle, is untouched
_patched = patched(numpy_attention, _weights=_weights)
attention_weights = _patched.attention_weights
scaled_dot_product_attention = _patched.scaled_dot_product_attention
multi_head_attention = _patched.multi_head_attention
mha_decode = _patched.mha_decode
