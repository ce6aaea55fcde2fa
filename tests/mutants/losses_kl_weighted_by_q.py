"""KL divergence weighting the log-ratio by q instead of p: ``sum(exp(log_q) * (log_p - log_q))``, which is
``-KL(q || p) <= 0``.

Real bug class: the expectation taken under the wrong distribution (swapping which argument is
exponentiated while keeping the order of the log terms). Zero for equal distributions, so a KL(p || p) == 0
check passes. Caught by: KL >= 0 (Gibbs' inequality), and the oracle comparison.
"""
import numpy as np

from impls._validate import losses as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import compute_dtype

NAME = "mutant-losses-kl-weighted-by-q"
DTYPES = ("float32", "float64")


def kl_divergence(log_p, log_q, *, axis=-1):
    log_p, log_q = np.asarray(log_p), np.asarray(log_q)
    axis = V.kl_divergence(log_p.shape, log_p.dtype, log_q.shape, log_q.dtype, axis=axis)
    dtype = np.result_type(log_p.dtype, log_q.dtype)
    lp, lq = log_p.astype(compute_dtype(dtype)), log_q.astype(compute_dtype(dtype))
    q = np.exp(lq)  # BUG: should be p = exp(log_p)
    with np.errstate(invalid="ignore"):
        terms = np.where(q == 0, 0.0, q * (lp - lq))
    return np.asarray(terms.sum(axis=axis)).astype(dtype)
