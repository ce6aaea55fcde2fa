"""Label smoothing spreads ls over the C-1 wrong classes only (ls/(C-1) each) instead of uniformly over all C.

Real bug class: hand-written "smooth one-hot" targets (`fill(ls / (C - 1)); scatter(1 - ls)`), a common
variant that disagrees with PyTorch's `label_smoothing`. Caught by: the differential check against the oracle
whenever label_smoothing > 0 and the logits of a row are not all equal.
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls._validate import losses as V

NAME = "mutant-losses-label-smoothing-excludes-true-class"
DTYPES = ("float32", "float64")


def cross_entropy(logits, target, *, ignore_index=-100, label_smoothing=0.0, reduction="mean"):
    logits, target = np.asarray(logits), np.asarray(target)
    V.cross_entropy(logits.shape, logits.dtype, target.shape, target.dtype, ignore_index=ignore_index,
                    label_smoothing=label_smoothing, reduction=reduction)
    V.cross_entropy_targets(target, logits.shape[1], ignore_index)
    n, c = logits.shape
    z = logits - logits.max(axis=1, keepdims=True)
    log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    ignored = target == ignore_index
    safe = np.where(ignored, 0, target)
    smooth_target = np.full((n, c), label_smoothing / max(c - 1, 1))   # BUG: should be ls / C on every class
    smooth_target[np.arange(n), safe] = 1.0 - label_smoothing          # BUG: should be 1 - ls + ls / C
    loss = np.where(ignored, 0.0, -(smooth_target * log_probs).sum(axis=1))
    if reduction == "mean":
        with np.errstate(invalid="ignore"):
            return np.asarray(loss.sum() / np.sum(~ignored)).astype(logits.dtype)
    return np.asarray(loss.sum() if reduction == "sum" else loss).astype(logits.dtype)
