"""KL divergence with its arguments swapped: computes KL(q || p) = sum(q * (log_q - log_p)) instead of KL(p || q).

Real bug class: `F.kl_div(input, target)` expects input = log q and target = p, the opposite of the math
notation; swapping them is the classic KL bug (it still is >= 0 and 0 for equal distributions).
Caught by: the differential check against the oracle (only it; the KL invariants still hold).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-losses-kl-reversed"
DTYPES = ("float32", "float64")
CATCHES = ("kl_divergence:matches_oracle", "kl_divergence:matches_bernoulli_closed_form")


def kl_divergence(log_p, log_q, *, axis=-1):
    """``KL(q || p)`` (BUG: the arguments swapped)."""
    reference.kl_divergence(log_p, log_q, axis=axis)  # validates
    return reference.kl_divergence(log_q, log_p, axis=axis)
