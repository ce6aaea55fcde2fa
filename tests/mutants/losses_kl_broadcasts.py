"""KL divergence that checks log_q's dtype but never its shape: a log_q of shape (1, C) or (N, 1) silently
broadcasts against log_p.

Real bug class: a missing shape check where broadcasting makes the call succeed (a per-batch prior passed for
per-example distributions, or a (N, 1) column), giving a plausible loss of the right shape. Correct for equal
shapes. Caught by: kl_divergence ``rejects_bad_input``.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-losses-kl-broadcasts"
DTYPES = ("float32", "float64")
CATCHES = ("kl_divergence:rejects_bad_input",)


def kl_divergence(log_p, log_q, *, axis=-1):
    """The reference on ``log_p`` and ``log_q`` broadcast against each other (BUG: log_p's shape stands in for
    log_q's, so the same-shape check always passes)."""
    log_p, log_q = np.broadcast_arrays(np.asarray(log_p), np.asarray(log_q))
    return reference.kl_divergence(log_p, log_q, axis=axis)
