"""Cross entropy as -log(softmax(z)[t]): the probability underflows to 0 and the loss becomes inf.

Real bug class: `torch.log(torch.softmax(x))` / `np.log(softmax(x))` instead of log_softmax; fine for small
logits, inf (and NaN gradients) once the true class trails the max by more than ~104 (float32) or ~745
(float64). Caught by: cross entropy == logsumexp(logits) - logits[target] (finite) and the differential check,
for logits with a large spread.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-losses-naive-log-softmax"
DTYPES = ("float32", "float64")
CATCHES = ("cross_entropy:matches_oracle",
           "cross_entropy:equals_logsumexp_minus_logit",
           "cross_entropy:ignored_rows_do_not_contribute")


def cross_entropy(logits, target, *, ignore_index=-100, label_smoothing=0.0, reduction="mean"):
    """Cross entropy from ``log(softmax(z))`` (BUG: the log of an underflowed probability is -inf)."""
    reference.cross_entropy(logits, target, ignore_index=ignore_index, label_smoothing=label_smoothing,
                            reduction=reduction)  # validates
    logits, target = np.asarray(logits), np.asarray(target)
    ls = label_smoothing
    with np.errstate(divide="ignore", invalid="ignore"):
        log_probs = np.log(reference.softmax(logits, axis=1))
        ignored = target == ignore_index
        safe = np.where(ignored, 0, target)
        per_row = -(1 - ls) * log_probs[np.arange(len(safe)), safe] - ls * log_probs.mean(axis=1)
        loss = np.where(ignored, 0.0, per_row)
        out = {"mean": loss.sum() / np.sum(~ignored), "sum": loss.sum(), "none": loss}[reduction]
    return np.asarray(out).astype(logits.dtype)
