"""attention_weights and scaled_dot_product_attention that accept a float (additive) mask and read it as a
boolean one: an additive mask's 0.0 ("may attend") becomes False and its -inf/-1e9 ("masked") becomes True.

Real bug class: mixing the two mask conventions (HF-style additive float masks vs. boolean True = keep)
without checking the dtype; the polarity is silently inverted, and an all-zero additive mask masks
everything. Correct for boolean masks. Caught by: ``rejects_bad_input`` of both (a float mask).
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-attention-float-mask-as-bool"
DTYPES = ("float32", "float64")
CATCHES = ("attention_weights:rejects_bad_input", "scaled_dot_product_attention:rejects_bad_input")


def _as_bool(mask):
    """BUG: any mask is cast to bool (and then validated as one): an additive float mask inverts its meaning."""
    return None if mask is None else np.asarray(mask).astype(bool)


def attention_weights(q, k, *, mask=None, **options):
    """The reference on ``mask`` cast to bool."""
    return reference.attention_weights(q, k, mask=_as_bool(mask), **options)


def scaled_dot_product_attention(q, k, v, *, mask=None, **options):
    """The reference on ``mask`` cast to bool."""
    return reference.scaled_dot_product_attention(q, k, v, mask=_as_bool(mask), **options)
