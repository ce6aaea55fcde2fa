"""BatchNorm in eval mode normalising with the batch statistics instead of the running ones.

Real bug class: forgetting ``model.eval()`` / a ``training`` flag that is not threaded through, so inference
output depends on the other samples in the batch. Caught by: batch norm eval is an affine map of x per channel
and ignores the batch, and the float64 oracle comparison in eval mode.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-norms-eval-uses-batch-stats"
DTYPES = ("float32", "float64")
CATCHES = ("batch_norm:eval_is_per_channel_affine",)


def batch_norm(x, running_mean, running_var, weight=None, bias=None, *, training, momentum=0.1, eps=1e-5):
    """In eval, ``x`` standardised by the batch statistics (BUG: the running ones are meant), with the running
    statistics unchanged."""
    out = reference.batch_norm(x, running_mean, running_var, weight, bias, training=training, momentum=momentum,
                               eps=eps)  # validates
    if training:
        return out
    x = np.asarray(x)
    axes = (0,) + tuple(range(2, x.ndim))
    y = (x - x.mean(axis=axes, keepdims=True)) / np.sqrt(x.var(axis=axes, keepdims=True) + eps)
    shape = (1, -1) + (1,) * (x.ndim - 2)
    y = y if weight is None else y * np.asarray(weight, y.dtype).reshape(shape)
    y = y if bias is None else y + np.asarray(bias, y.dtype).reshape(shape)
    return y.astype(x.dtype), out[1], out[2]
