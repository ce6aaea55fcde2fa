"""With ignore_index and label smoothing, the smoothing term's 'mean' divides by all N rows, not the non-ignored.

Real bug class: a label-smoothing path bolted onto a working masked NLL, averaging the smoothing loss with a
plain `.mean()` over every row: the NLL half is right, the smoothing half is diluted by ignored rows.
Caught by: "ignored rows do not contribute" and the differential check, whenever label_smoothing > 0,
reduction='mean' and at least one row is ignored.
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls._validate import losses as V

NAME = "mutant-losses-smoothing-counts-ignored-rows"
DTYPES = ("float32", "float64")


def cross_entropy(logits, target, *, ignore_index=-100, label_smoothing=0.0, reduction="mean"):
    logits, target = np.asarray(logits), np.asarray(target)
    V.cross_entropy(logits.shape, logits.dtype, target.shape, target.dtype, ignore_index=ignore_index,
                    label_smoothing=label_smoothing, reduction=reduction)
    V.cross_entropy_targets(target, logits.shape[1], ignore_index)
    ls = label_smoothing
    z = logits - logits.max(axis=1, keepdims=True)
    log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    ignored = target == ignore_index
    safe = np.where(ignored, 0, target)
    nll = np.where(ignored, 0.0, -log_probs[np.arange(len(safe)), safe])
    smooth = np.where(ignored, 0.0, -log_probs.mean(axis=1))
    if reduction == "mean":
        with np.errstate(invalid="ignore"):
            # BUG: smooth.mean() divides by every row, ignored ones included
            out = (1 - ls) * nll.sum() / np.sum(~ignored) + ls * smooth.mean()
    elif reduction == "sum":
        out = (1 - ls) * nll.sum() + ls * smooth.sum()
    else:
        out = (1 - ls) * nll + ls * smooth
    return np.asarray(out).astype(logits.dtype)
