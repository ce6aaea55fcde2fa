"""Label smoothing spreads ls over the C-1 wrong classes only (ls/(C-1) each) instead of uniformly over all C.

Real bug class: hand-written "smooth one-hot" targets (`fill(ls / (C - 1)); scatter(1 - ls)`), a common
variant that disagrees with PyTorch's `label_smoothing`. Caught by: the differential check against the oracle
whenever label_smoothing > 0 and the logits of a row are not all equal.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-losses-label-smoothing-excludes-true-class"
DTYPES = ("float32", "float64")
CATCHES = ("cross_entropy:matches_oracle",)


def cross_entropy(logits, target, *, ignore_index=-100, label_smoothing=0.0, reduction="mean"):
    """Cross entropy against the target ``1 - ls`` on the true class and ``ls / (C - 1)`` on the others (BUG:
    should be ``ls / C`` on every class plus ``1 - ls`` on the true one)."""
    reference.cross_entropy(logits, target, ignore_index=ignore_index, label_smoothing=label_smoothing,
                            reduction=reduction)  # validates
    logits, target = np.asarray(logits), np.asarray(target)
    n, c = logits.shape
    log_probs = reference.log_softmax(logits, axis=1)
    ignored = target == ignore_index
    safe = np.where(ignored, 0, target)
    smooth_target = np.full((n, c), label_smoothing / max(c - 1, 1))
    smooth_target[np.arange(n), safe] = 1.0 - label_smoothing
    loss = np.where(ignored, 0.0, -(smooth_target * log_probs).sum(axis=1))
    if reduction == "mean":
        with np.errstate(invalid="ignore"):
            return np.asarray(loss.sum() / np.sum(~ignored)).astype(logits.dtype)
    return np.asarray(loss.sum() if reduction == "sum" else loss).astype(logits.dtype)
