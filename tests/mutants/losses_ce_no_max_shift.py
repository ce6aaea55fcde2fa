"""Cross entropy with logsumexp computed as log(sum(exp(x))) without subtracting the row max: exp overflows.

Real bug class: a hand-rolled logsumexp; overflows to inf for logits above ~88 (float32) / ~709 (float64),
e.g. un-normalised scores or a large constant offset. Caught by: cross entropy == logsumexp(logits) -
logits[target] and the differential check, for logits with a large offset (the loss is invariant to it).
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-losses-ce-no-max-shift"
DTYPES = ("float32", "float64")
CATCHES = ("cross_entropy:matches_oracle",
           "cross_entropy:equals_logsumexp_minus_logit",
           "cross_entropy:ignored_rows_do_not_contribute")


def cross_entropy(logits, target, *, ignore_index=-100, label_smoothing=0.0, reduction="mean"):
    """Cross entropy with ``lse = log(sum(exp(z)))`` (BUG: no max subtracted, so exp overflows)."""
    reference.cross_entropy(logits, target, ignore_index=ignore_index, label_smoothing=label_smoothing,
                            reduction=reduction)  # validates
    logits, target = np.asarray(logits), np.asarray(target)
    ls = label_smoothing
    with np.errstate(over="ignore", invalid="ignore"):
        lse = np.log(np.exp(logits).sum(axis=1))
        ignored = target == ignore_index
        safe = np.where(ignored, 0, target)
        per_row = (1 - ls) * (lse - logits[np.arange(len(safe)), safe]) + ls * (lse - logits.mean(axis=1))
        loss = np.where(ignored, 0.0, per_row)
        out = {"mean": loss.sum() / np.sum(~ignored), "sum": loss.sum(), "none": loss}[reduction]
    return np.asarray(out).astype(logits.dtype)
