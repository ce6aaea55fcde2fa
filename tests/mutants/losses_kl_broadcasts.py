"""KL divergence that checks log_q's dtype but never its shape: a log_q of shape (1, C) or (N, 1) silently
broadcasts against log_p.

Real bug class: a missing shape check where broadcasting makes the call succeed (a per-batch prior passed for
per-example distributions, or a (N, 1) column), giving a plausible loss of the right shape. Correct for equal
shapes. Caught by: kl_divergence ``rejects_bad_input``.
"""
import numpy as np

from impls._validate import losses as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import compute_dtype

NAME = "mutant-losses-kl-broadcasts"
DTYPES = ("float32", "float64")


def kl_divergence(log_p, log_q, *, axis=-1):
    log_p, log_q = np.asarray(log_p), np.asarray(log_q)
    # BUG: log_p's shape stands in for log_q's, so the same-shape check always passes
    axis = V.kl_divergence(log_p.shape, log_p.dtype, log_p.shape, log_q.dtype, axis=axis)
    dtype = np.result_type(log_p.dtype, log_q.dtype)
    lp, lq = log_p.astype(compute_dtype(dtype)), log_q.astype(compute_dtype(dtype))
    p = np.exp(lp)
    with np.errstate(invalid="ignore"):
        terms = np.where(p == 0, 0.0, p * (lp - lq))
    return np.asarray(terms.sum(axis=axis)).astype(dtype)
