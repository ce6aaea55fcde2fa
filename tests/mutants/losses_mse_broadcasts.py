"""MSE without a shape check: pred (N, 1) against target (N,) silently broadcasts to (N, N).

Real bug class: a regression head that outputs (N, 1) against targets of shape (N,); PyTorch only warns,
the loss becomes the mean over all N*N pairs and training quietly learns the target mean.
Caught by: the bad-input property (loss arguments of different shapes must raise ValueError).
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls._validate import losses as V

NAME = "mutant-losses-mse-broadcasts"
DTYPES = ("float32", "float64")


def mse_loss(pred, target, *, reduction="mean"):
    pred, target = np.asarray(pred), np.asarray(target)
    V.check_reduction("mse_loss", reduction)   # BUG: no V.mse_loss shape check, so shapes broadcast
    sq = (pred - target) ** 2
    return np.asarray({"mean": sq.mean(), "sum": sq.sum(), "none": sq}[reduction]).astype(pred.dtype)
