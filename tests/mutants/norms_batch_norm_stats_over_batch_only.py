"""BatchNorm taking statistics over the batch axis only, per (channel, position), ignoring spatial axes.

Real bug class: BatchNorm1d-style ``x.mean(0)`` applied to ``(N, C, H, W)`` activations: every pixel gets its own
statistics. Identical for 2-d input, wrong as soon as there is a spatial axis. Caught by: zero mean and unit
variance per channel, and the float64 oracle comparison of y on input with spatial axes.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-norms-batch-norm-stats-over-batch-only"
DTYPES = ("float32", "float64")
CATCHES = ("batch_norm:matches_oracle", "batch_norm:zero_mean_unit_variance", "batch_norm:running_stats_update")


def _affine(y, weight, bias):
    """``y * weight[c] + bias[c]`` (None skips the term)."""
    shape = (1, -1) + (1,) * (y.ndim - 2)
    y = y if weight is None else y * np.asarray(weight, y.dtype).reshape(shape)
    return y if bias is None else y + np.asarray(bias, y.dtype).reshape(shape)


def batch_norm(x, running_mean, running_var, weight=None, bias=None, *, training, momentum=0.1, eps=1e-5):
    """Training statistics per (channel, position) over the batch axis only (BUG: spatial axes not reduced);
    the running statistics take those averaged over the positions. Eval is the reference's."""
    out = reference.batch_norm(x, running_mean, running_var, weight, bias, training=training, momentum=momentum,
                               eps=eps)  # validates
    if not training:
        return out
    x, rm, rv = np.asarray(x), np.asarray(running_mean), np.asarray(running_var)
    n, c = x.shape[:2]
    mean, var = x.mean(axis=0, keepdims=True), x.var(axis=0, keepdims=True)  # BUG: axis 0 only
    y = _affine((x - mean) / np.sqrt(var + eps), weight, bias)
    new_rm = (1 - momentum) * rm + momentum * mean.reshape(c, -1).mean(axis=1)
    new_rv = (1 - momentum) * rv + momentum * var.reshape(c, -1).mean(axis=1) * (n / max(n - 1, 1))
    return y.astype(x.dtype), new_rm.astype(rm.dtype), new_rv.astype(rv.dtype)
