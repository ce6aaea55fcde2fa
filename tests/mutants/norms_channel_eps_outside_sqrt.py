"""Batch, group and instance norm dividing by ``sqrt(var) + eps`` instead of ``sqrt(var + eps)``.

Real bug class: eps placed outside the square root (a common hand-written variant, also in some TF ports).
It breaks the scale invariance that ``eps -> a^2 eps`` restores: ``sqrt(a^2 var) + a^2 eps`` is not
``a (sqrt(var) + eps)``. Caught by: ``affine_invariant`` of each of the three (a = 8 or 1/4 moves eps's share
of the denominator), and the oracle comparison for small variances.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-norms-channel-eps-outside-sqrt"
DTYPES = ("float32", "float64")
CATCHES = ("batch_norm:affine_invariant", "instance_norm:affine_invariant", "group_norm:affine_invariant")


def _standardize(x, axes, eps, weight, bias):
    """``(x - mean) / (sqrt(var) + eps) * weight[c] + bias[c]`` (BUG: eps outside the square root)."""
    mean = x.mean(axis=axes, keepdims=True)
    y = (x - mean) / (x.std(axis=axes, keepdims=True) + eps)
    return _affine(y, weight, bias)


def _affine(y, weight, bias):
    shape = (1, -1) + (1,) * (y.ndim - 2)
    y = y if weight is None else y * np.asarray(weight, y.dtype).reshape(shape)
    return y if bias is None else y + np.asarray(bias, y.dtype).reshape(shape)


def batch_norm(x, running_mean, running_var, weight=None, bias=None, *, training, momentum=0.1, eps=1e-5):
    """Batch norm standardising by :func:`_standardize`, in eval by ``sqrt(running_var) + eps``; the
    running statistics are the reference's."""
    _, rm, rv = reference.batch_norm(x, running_mean, running_var, weight, bias, training=training,
                                     momentum=momentum, eps=eps)  # validates
    x = np.asarray(x)
    if training:
        return _standardize(x, (0,) + tuple(range(2, x.ndim)), eps, weight, bias).astype(x.dtype), rm, rv
    shape = (1, -1) + (1,) * (x.ndim - 2)
    y = (x - rm.reshape(shape)) / (np.sqrt(rv.reshape(shape)) + eps)  # BUG: eps outside the root
    return _affine(y, weight, bias).astype(x.dtype), rm, rv


def instance_norm(x, weight=None, bias=None, *, eps=1e-5):
    """Instance norm standardising by :func:`_standardize`."""
    reference.instance_norm(x, weight, bias, eps=eps)  # validates
    x = np.asarray(x)
    return _standardize(x, tuple(range(2, x.ndim)), eps, weight, bias).astype(x.dtype)


def group_norm(x, num_groups, weight=None, bias=None, *, eps=1e-5):
    """Group norm standardising by :func:`_standardize` each group of contiguous channels."""
    reference.group_norm(x, num_groups, weight, bias, eps=eps)  # validates
    x = np.asarray(x)
    grouped = x.reshape((x.shape[0], num_groups, -1) + x.shape[2:])
    y = _standardize(grouped, tuple(range(2, grouped.ndim)), eps, None, None).reshape(x.shape)
    return _affine(y, weight, bias).astype(x.dtype)
