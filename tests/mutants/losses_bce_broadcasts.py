"""BCE-with-logits without a shape check: logits (N, 1) against target (N,) silently broadcast to (N, N).

Real bug class: a binary classifier's (N, 1) output against (N,) labels in code that multiplies element-wise
instead of calling the framework loss (which raises "Target size must be the same as input size").
Caught by: the bad-input property (loss arguments of different shapes must raise ValueError).
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-losses-bce-broadcasts"
DTYPES = ("float32", "float64")
CATCHES = ("binary_cross_entropy_with_logits:rejects_bad_input",)


def binary_cross_entropy_with_logits(logits, target, *, reduction="mean"):
    """The reference on ``logits`` and ``target`` broadcast against each other (BUG: no shape check)."""
    logits, target = np.broadcast_arrays(np.asarray(logits), np.asarray(target))
    return reference.binary_cross_entropy_with_logits(logits, target, reduction=reduction)
