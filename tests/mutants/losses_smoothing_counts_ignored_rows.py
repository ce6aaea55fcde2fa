"""With ignore_index and label smoothing, the smoothing term's 'mean' divides by all N rows, not the non-ignored.

Real bug class: a label-smoothing path bolted onto a working masked NLL, averaging the smoothing loss with a
plain `.mean()` over every row: the NLL half is right, the smoothing half is diluted by ignored rows.
Caught by: "ignored rows do not contribute" and the differential check, whenever label_smoothing > 0,
reduction='mean' and at least one row is ignored.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-losses-smoothing-counts-ignored-rows"
DTYPES = ("float32", "float64")
CATCHES = ("cross_entropy:matches_oracle", "cross_entropy:ignored_rows_do_not_contribute")


def cross_entropy(logits, target, *, label_smoothing=0.0, reduction="mean", **options):
    """The reference, except that "mean" averages the smoothing term over every row (BUG: ignored rows
    included): ``(1 - ls) * mean_valid(nll) + ls * sum(smooth) / N``, both terms from the reference (ls 0
    gives the nll, ls 1 the smoothing term)."""
    out = reference.cross_entropy(logits, target, label_smoothing=label_smoothing, reduction=reduction,
                                  **options)  # validates
    if reduction != "mean" or not label_smoothing:
        return out
    nll = reference.cross_entropy(logits, target, label_smoothing=0.0, reduction="mean", **options)
    smooth = reference.cross_entropy(logits, target, label_smoothing=1.0, reduction="sum", **options)
    ls = float(label_smoothing)
    with np.errstate(invalid="ignore"):
        return np.asarray((1 - ls) * nll + ls * smooth / np.shape(logits)[0]).astype(out.dtype)
