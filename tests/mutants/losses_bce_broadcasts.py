"""BCE-with-logits without a shape check: logits (N, 1) against target (N,) silently broadcast to (N, N).

Real bug class: a binary classifier's (N, 1) output against (N,) labels in code that multiplies element-wise
instead of calling the framework loss (which raises "Target size must be the same as input size").
Caught by: the bad-input property (loss arguments of different shapes must raise ValueError).
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls._validate import losses as V

NAME = "mutant-losses-bce-broadcasts"
DTYPES = ("float32", "float64")


def binary_cross_entropy_with_logits(logits, target, *, reduction="mean"):
    logits, target = np.asarray(logits), np.asarray(target)
    V.check_reduction("binary_cross_entropy_with_logits", reduction)   # BUG: no shape check, shapes broadcast
    x = logits
    loss = np.maximum(x, 0) - x * target + np.log1p(np.exp(-np.abs(x)))
    return np.asarray({"mean": loss.mean(), "sum": loss.sum(), "none": loss}[reduction]).astype(logits.dtype)
