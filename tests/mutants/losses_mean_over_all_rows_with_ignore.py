"""Cross entropy 'mean' divides by all N rows, counting the ignored rows (which contribute 0) in the denominator.

Real bug class: masking the per-token loss then calling `.mean()` — the usual hand-written masked LM loss with
padding. Caught by: "ignored rows do not contribute" (adding ignored rows changes the mean) and the
differential check, whenever reduction='mean' and some target equals ignore_index.
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls._validate import losses as V

NAME = "mutant-losses-mean-over-all-rows-with-ignore"
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
    per_row = -(1 - ls) * log_probs[np.arange(len(safe)), safe] - ls * log_probs.mean(axis=1)
    loss = np.where(ignored, 0.0, per_row)
    with np.errstate(invalid="ignore"):
        out = {"mean": loss.mean(), "sum": loss.sum(), "none": loss}[reduction]   # BUG: mean over all rows
    return np.asarray(out).astype(logits.dtype)
