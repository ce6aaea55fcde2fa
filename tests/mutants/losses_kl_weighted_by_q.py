"""KL divergence weighting the log-ratio by q instead of p: ``sum(exp(log_q) * (log_p - log_q))``, which is
``-KL(q || p) <= 0``.

Real bug class: the expectation taken under the wrong distribution (swapping which argument is
exponentiated while keeping the order of the log terms). Zero for equal distributions, so a KL(p || p) == 0
check passes. Caught by: KL >= 0 (Gibbs' inequality), and the oracle comparison.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-losses-kl-weighted-by-q"
DTYPES = ("float32", "float64")
CATCHES = ("kl_divergence:matches_oracle",
           "kl_divergence:matches_bernoulli_closed_form",
           "kl_divergence:non_negative_and_zero_for_equal")


def kl_divergence(log_p, log_q, *, axis=-1):
    """``sum(q * (log_p - log_q))`` (BUG: weighted by ``q = exp(log_q)``, not ``p``)."""
    reference.kl_divergence(log_p, log_q, axis=axis)  # validates
    log_p, log_q = np.asarray(log_p), np.asarray(log_q)
    q = np.exp(log_q)
    with np.errstate(invalid="ignore"):
        terms = np.where(q == 0, 0.0, q * (log_p - log_q))
    return np.asarray(terms.sum(axis=axis)).astype(np.result_type(log_p.dtype, log_q.dtype))
