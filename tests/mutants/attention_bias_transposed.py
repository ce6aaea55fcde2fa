"""The bias read with its query and key axes swapped (``bias[..., j, i]`` for logit ``(i, j)``) wherever the
swapped bias still broadcasts.

Real bug class: a bias built key-major (a relative-position table indexed ``[key, query]``, or a per-query
column ``(…, Lq, 1)`` taken as a per-key row) and passed through a ``transpose(-1, -2)`` or a reshape that swaps
the two axes; it goes unnoticed whenever the shapes still broadcast (square logits, single queries), and a bias
meant to be constant along the keys then varies along them.
Caught by: "a bias constant along the keys changes nothing" and the bias differential checks (square layouts).
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import attention as numpy_attention
from tests.patching import patched

NAME = "mutant-attention-bias-transposed"
DTYPES = ("float32", "float64")
CATCHES = ("attention_weights:bias_constant_along_keys_changes_nothing",
           "scaled_dot_product_attention:bias_constant_along_keys_changes_nothing",
           "attention_weights:bias_matches_oracle", "scaled_dot_product_attention:bias_matches_oracle")


def _swapped(bias, shape):
    """``bias`` with its last two axes swapped (BUG) when that still broadcasts to ``shape``, else as given."""
    if bias.ndim >= 2:
        try:
            return np.broadcast_to(np.swapaxes(bias, -1, -2), shape)
        except ValueError:
            pass
    return np.broadcast_to(bias, shape)


def _weights(q, k, mask, is_causal, scale, bias=None):
    k = np.repeat(k, q.shape[1] // k.shape[1], axis=1)
    logits = (q @ np.swapaxes(k, -1, -2)) * scale
    allowed = numpy_attention._allowed(mask, is_causal, logits.shape)
    if bias is not None:
        logits = logits + _swapped(bias, logits.shape)
        allowed = allowed & (logits > -np.inf)
    return numpy_attention._masked_softmax(logits, allowed)


# NumPy's attention functions calling this file's ``_weights``; the NumPy implementation, the oracle, is untouched
_patched = patched(numpy_attention, _weights=_weights)
attention_weights = _patched.attention_weights
scaled_dot_product_attention = _patched.scaled_dot_product_attention
multi_head_attention = _patched.multi_head_attention
mha_decode = _patched.mha_decode
