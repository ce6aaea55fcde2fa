"""Causal mask aligned top-left (``j <= i``) instead of bottom-right (``j <= i + Lk - Lq``).

Real bug class: ``torch.tril(ones(Lq, Lk))`` or SDPA's ``is_causal=True`` used with a KV cache or any
Lq != Lk, so new queries cannot see the most recent keys. Caught by: the differential check against the
oracle whenever ``is_causal`` and Lq < Lk (and by the chunked ``mha_decode`` equivalence).
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import attention as numpy_attention
from tests.patching import patched

NAME = "mutant-attention-causal-top-left"
DTYPES = ("float32", "float64")
CATCHES = ("attention_weights:matches_oracle",
           "scaled_dot_product_attention:matches_oracle",
           "attention_weights:fully_masked_rows_are_zero",
           "attention_weights:rows_are_distributions_over_allowed_keys")


def _allowed(mask, is_causal, shape):
    """The reference's mask; causal as the top-left triangle ``j <= i`` (BUG: ignores the ``Lk - Lq``
    offset)."""
    allowed = numpy_attention._allowed(mask, False, shape)
    return allowed & np.tri(*shape[-2:], dtype=bool) if is_causal else allowed


_patched = patched(numpy_attention, _allowed=_allowed)
attention_weights = _patched.attention_weights
scaled_dot_product_attention = _patched.scaled_dot_product_attention
