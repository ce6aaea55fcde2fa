"""Batch, group and instance norm adding the bias before multiplying by the weight: ``(y + b) * w``.

Real bug class: the affine map applied in the wrong order (a fused kernel's epilogue written as
``fma(y + b, w)``), so the bias gets scaled by the weight. Identical whenever weight is 1 or bias 0, which is
what most tests use. Caught by: ``weight_bias_are_affine`` of each of the three, and the oracle comparison.
"""
import math

import numpy as np

from impls._validate import norms as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.norms import _channel_shape, _meta, _moments, _scaled_eps, _standardize

NAME = "mutant-norms-channel-bias-before-weight"
DTYPES = ("float32", "float64")


def _affine(y, weight, bias, shape):
    if bias is not None:
        y = y + np.asarray(bias).astype(y.dtype).reshape(shape)  # BUG: bias first ...
    if weight is not None:
        y = y * np.asarray(weight).astype(y.dtype).reshape(shape)  # ... then scaled by the weight
    return y


def batch_norm(x, running_mean, running_var, weight=None, bias=None, *, training, momentum=0.1, eps=1e-5):
    training, momentum, eps = V.batch_norm(
        _meta(x), _meta(running_mean), _meta(running_var), _meta(weight), _meta(bias),
        training=training, momentum=momentum, eps=eps)
    x, rm, rv = np.asarray(x), np.asarray(running_mean), np.asarray(running_var)
    xc = upcast(x)
    cshape = _channel_shape(x.ndim)
    if not training:
        mu, var = upcast(rm).astype(xc.dtype), upcast(rv).astype(xc.dtype)
        y = (xc - mu.reshape(cshape)) / np.sqrt(var.reshape(cshape) + eps)
        return _affine(y, weight, bias, cshape).astype(x.dtype), rm.copy(), rv.copy()
    axes = (0,) + tuple(range(2, x.ndim))
    s, mean, dev, var = _moments(xc, axes)
    y = dev / np.sqrt(var + _scaled_eps(eps, s))
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
