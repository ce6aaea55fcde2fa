"""MSE whose 'mean' reduction returns the sum of squared errors.

Real bug class: `size_average`/`reduction` plumbing mixed up (the old `size_average=False` meant sum), so the
loss, and the effective learning rate, scale with the batch size. Caught by: "MSE == mean squared difference"
and the differential check, for any input with more than one element and a non-zero error.
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-losses-mse-sum-for-mean"
DTYPES = ("float32", "float64")
CATCHES = ("mse_loss:matches_oracle", "mse_loss:equals_mean_squared_difference")


def mse_loss(pred, target, *, reduction="mean"):
    """The reference, reduction "mean" computed as "sum" (BUG)."""
    reference.mse_loss(pred, target, reduction=reduction)  # validates
    return reference.mse_loss(pred, target, reduction="sum" if reduction == "mean" else reduction)
