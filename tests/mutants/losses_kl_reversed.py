"""KL divergence with its arguments swapped: computes KL(q || p) = sum(q * (log_q - log_p)) instead of KL(p || q).

Real bug class: `F.kl_div(input, target)` expects input = log q and target = p, the opposite of the math
notation; swapping them is the classic KL bug (it still is >= 0 and 0 for equal distributions).
Caught by: the differential check against the oracle (only it; the KL invariants still hold).
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls._validate import losses as V

NAME = "mutant-losses-kl-reversed"
DTYPES = ("float32", "float64")


def kl_divergence(log_p, log_q, *, axis=-1):
    log_p, log_q = np.asarray(log_p), np.asarray(log_q)
    axis = V.kl_divergence(log_p.shape, log_p.dtype, log_q.shape, log_q.dtype, axis=axis)
    q = np.exp(log_q)
    with np.errstate(invalid="ignore"):
        terms = np.where(q == 0, 0.0, q * (log_q - log_p))   # BUG: p and q swapped
    return np.asarray(terms.sum(axis=axis)).astype(log_p.dtype)
