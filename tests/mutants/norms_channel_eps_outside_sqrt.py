"""Batch, group and instance norm dividing by ``sqrt(var) + eps`` instead of ``sqrt(var + eps)``.

Real bug class: eps placed outside the square root (a common hand-written variant, also in some TF ports).
It breaks the scale invariance that ``eps -> a^2 eps`` restores: ``sqrt(a^2 var) + a^2 eps`` is not
``a (sqrt(var) + eps)``. Caught by: ``affine_invariant`` of each of the three (a = 8 or 1/4 moves eps's share
of the denominator), and the oracle comparison for small variances.
"""
import math

import numpy as np

from impls._validate import norms as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.norms import _affine, _channel_shape, _meta, _moments

NAME = "mutant-norms-channel-eps-outside-sqrt"
DTYPES = ("float32", "float64")


def _standardize(x, axes, eps):
    s, _, dev, var = _moments(x, axes)
    return dev * s / (np.sqrt(var) * s + eps)  # BUG: eps outside the square root


def batch_norm(x, running_mean, running_var, weight=None, bias=None, *, training, momentum=0.1, eps=1e-5):
    training, momentum, eps = V.batch_norm(
        _meta(x), _meta(running_mean), _meta(running_var), _meta(weight), _meta(bias),
        training=training, momentum=momentum, eps=eps)
    x, rm, rv = np.asarray(x), np.asarray(running_mean), np.asarray(running_var)
    xc = upcast(x)
    cshape = _channel_shape(x.ndim)
    if not training:
        mu, var = upcast(rm).astype(xc.dtype), upcast(rv).astype(xc.dtype)
        y = (xc - mu.reshape(cshape)) / (np.sqrt(var.reshape(cshape)) + eps)
        return _affine(y, weight, bias, cshape).astype(x.dtype), rm.copy(), rv.copy()
    axes = (0,) + tuple(range(2, x.ndim))
    s, mean, dev, var = _moments(xc, axes)
    y = dev * s / (np.sqrt(var) * s + eps)
    count = x.shape[0] * math.prod(x.shape[2:])
    with np.errstate(over="ignore"):
        batch_var = (var * s * s * (count / (count - 1))).reshape(-1)
        new_rm = ((1 - momentum) * upcast(rm) + momentum * (mean * s).reshape(-1)).astype(rm.dtype)
        new_rv = ((1 - momentum) * upcast(rv) + momentum * batch_var).astype(rv.dtype)
    return _affine(y, weight, bias, cshape).astype(x.dtype), new_rm, new_rv


def instance_norm(x, weight=None, bias=None, *, eps=1e-5):
    eps = V.instance_norm(_meta(x), _meta(weight), _meta(bias), eps=eps)
    x = np.asarray(x)
    y = _standardize(upcast(x), tuple(range(2, x.ndim)), eps)
    return _affine(y, weight, bias, _channel_shape(x.ndim)).astype(x.dtype)


def group_norm(x, num_groups, weight=None, bias=None, *, eps=1e-5):
    g, eps = V.group_norm(_meta(x), num_groups, _meta(weight), _meta(bias), eps=eps)
    x = np.asarray(x)
    n, c = x.shape[:2]
    grouped = upcast(x).reshape((n, g, c // g) + x.shape[2:])
    y = _standardize(grouped, tuple(range(2, grouped.ndim)), eps).reshape(x.shape)
    return _affine(y, weight, bias, _channel_shape(x.ndim)).astype(x.dtype)
