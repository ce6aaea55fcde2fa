"""Cross entropy that never checks the target values: a target of -5 (not ignore_index) silently picks the
logit of class C - 5 through negative indexing.

Real bug class: no range check on class indices (a padding id other than ignore_index, or labels shifted by
one), which NumPy/JAX gathers accept without complaint; PyTorch raises. Correct for valid targets. Caught by:
cross_entropy ``rejects_bad_input`` (target -5, or C, which crashes with an IndexError).
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-losses-ce-negative-target-wraps"
DTYPES = ("float32", "float64")
CATCHES = ("cross_entropy:rejects_bad_input",)


def cross_entropy(logits, target, *, ignore_index=-100, **options):
    """The reference on targets used as indices: a negative target other than ``ignore_index`` reads class
    ``C + t`` (BUG: targets outside ``[0, C)`` are not rejected)."""
    target = np.asarray(target)
    if target.dtype.kind in "iu" and np.ndim(logits) == 2:
        wraps = (target < 0) & (target != ignore_index) & (target >= -np.shape(logits)[1])
        target = np.where(wraps, target + np.shape(logits)[1], target).astype(target.dtype)
    return reference.cross_entropy(logits, target, ignore_index=ignore_index, **options)
