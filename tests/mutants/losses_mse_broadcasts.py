"""MSE without a shape check: pred (N, 1) against target (N,) silently broadcasts to (N, N).

Real bug class: a regression head that outputs (N, 1) against targets of shape (N,); PyTorch only warns,
the loss becomes the mean over all N*N pairs and training quietly learns the target mean.
Caught by: the bad-input property (loss arguments of different shapes must raise ValueError).
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-losses-mse-broadcasts"
DTYPES = ("float32", "float64")
CATCHES = ("mse_loss:rejects_bad_input",)


def mse_loss(pred, target, *, reduction="mean"):
    """The reference on ``pred`` and ``target`` broadcast against each other (BUG: no shape check)."""
    pred, target = np.broadcast_arrays(np.asarray(pred), np.asarray(target))
    return reference.mse_loss(pred, target, reduction=reduction)
