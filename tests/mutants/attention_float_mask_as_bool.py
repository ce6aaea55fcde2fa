"""attention_weights and scaled_dot_product_attention that accept a float (additive) mask and read it as a
boolean one: an additive mask's 0.0 ("may attend") becomes False and its -inf/-1e9 ("masked") becomes True.

Real bug class: mixing the two mask conventions (HF-style additive float masks vs. boolean True = keep)
without checking the dtype; the polarity is silently inverted, and an all-zero additive mask masks
everything. Correct for boolean masks. Caught by: ``rejects_bad_input`` of both (a float mask).
"""
import numpy as np

from impls._validate import attention as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.attention import _attend, _meta, _opt_meta, _weights

NAME = "mutant-attention-float-mask-as-bool"
DTYPES = ("float32", "float64")


def _as_bool(mask):
    # BUG: any mask is cast to bool (and then validated as one): an additive float mask inverts its meaning
    return None if mask is None else np.asarray(mask).astype(bool)


def attention_weights(q, k, *, mask=None, is_causal=False, scale=None):
    mask = _as_bool(mask)
    dims = V.attention("attention_weights", _meta(q, "q"), _meta(k, "k"), None, _opt_meta(mask, "mask"),
                       is_causal, scale)
    return _weights(upcast(q), upcast(k), mask, is_causal, dims.scale).astype(q.dtype)


def scaled_dot_product_attention(q, k, v, *, mask=None, is_causal=False, scale=None):
    mask = _as_bool(mask)
    dims = V.attention("scaled_dot_product_attention", _meta(q, "q"), _meta(k, "k"), _meta(v, "v"),
                       _opt_meta(mask, "mask"), is_causal, scale)
    return _attend(upcast(q), upcast(k), upcast(v), mask, is_causal, dims.scale).astype(q.dtype)
