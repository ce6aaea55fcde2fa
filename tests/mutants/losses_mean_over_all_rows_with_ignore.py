"""Cross entropy 'mean' divides by all N rows, counting the ignored rows (which contribute 0) in the denominator.

Real bug class: masking the per-token loss then calling `.mean()` — the usual hand-written masked LM loss with
padding. Caught by: "ignored rows do not contribute" (adding ignored rows changes the mean) and the
differential check, whenever reduction='mean' and some target equals ignore_index.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-losses-mean-over-all-rows-with-ignore"
DTYPES = ("float32", "float64")
CATCHES = ("cross_entropy:matches_oracle", "cross_entropy:ignored_rows_do_not_contribute")


def cross_entropy(logits, target, *, reduction="mean", **options):
    """The reference, except that "mean" divides the sum by every row (BUG: ignored rows included)."""
    out = reference.cross_entropy(logits, target, reduction=reduction, **options)  # validates
    if reduction != "mean":
        return out
    total = reference.cross_entropy(logits, target, reduction="sum", **options)
    return np.asarray(total / np.shape(logits)[0]).astype(total.dtype)
