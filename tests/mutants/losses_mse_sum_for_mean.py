"""MSE whose 'mean' reduction returns the sum of squared errors.

Real bug class: `size_average`/`reduction` plumbing mixed up (the old `size_average=False` meant sum), so the
loss, and the effective learning rate, scale with the batch size. Caught by: "MSE == mean squared difference"
and the differential check, for any input with more than one element and a non-zero error.
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls._validate import losses as V

NAME = "mutant-losses-mse-sum-for-mean"
DTYPES = ("float32", "float64")


def mse_loss(pred, target, *, reduction="mean"):
    pred, target = np.asarray(pred), np.asarray(target)
    V.mse_loss(pred.shape, pred.dtype, target.shape, target.dtype, reduction=reduction)
    sq = (pred - target) ** 2
    out = sq.sum() if reduction in ("mean", "sum") else sq   # BUG: 'mean' sums
    return np.asarray(out).astype(pred.dtype)
