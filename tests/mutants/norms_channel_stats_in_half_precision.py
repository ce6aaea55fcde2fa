"""Batch, group, instance and RMS norm computing their statistics in the input's float16 instead of float32.

Real bug class: a hand-written kernel without the ``.float()`` upcast under autocast: a group whose sum passes
65504, or whose squares pass ~256 squared, overflows float16, giving a variance of inf (outputs 0) or a mean
of inf (outputs NaN). RMS norm has an overflow guard, but a per-tensor one kept in float16: dividing by the
tensor's max makes an ordinary group's squares (and the rescaled eps) underflow to 0, so it returns inf. Fine
for float32 and moderate float16 inputs. Caught by: ``finite_for_large_half_inputs``
of each of the four, and the oracle comparison in float16.
"""
import math

import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-norms-channel-stats-in-half-precision"
DTYPES = ("float16", "float32")
CATCHES = ("batch_norm:finite_for_large_half_inputs",
           "instance_norm:finite_for_large_half_inputs",
           "group_norm:finite_for_large_half_inputs",
           "rms_norm:finite_for_large_half_inputs")


def _standardize(x, axes, eps):
    # BUG: no upcast; the sums and squares are rounded to (and overflow) the input dtype
    count = math.prod(x.shape[a] for a in axes)
    with np.errstate(over="ignore", invalid="ignore"):
        mean = (np.sum(x, axis=axes, keepdims=True, dtype=x.dtype) / count).astype(x.dtype)
        dev = x - mean
        var = (np.sum(dev * dev, axis=axes, keepdims=True, dtype=x.dtype) / count).astype(x.dtype)
        return dev / np.sqrt(var + np.asarray(eps, x.dtype)), mean, var


def _affine(y, weight, bias, ndim):
    shape = (1, -1) + (1,) * (ndim - 2)
    if weight is not None:
        y = y * np.asarray(weight).astype(y.dtype).reshape(shape)
    if bias is not None:
        y = y + np.asarray(bias).astype(y.dtype).reshape(shape)
    return y


def batch_norm(x, running_mean, running_var, weight=None, bias=None, *, training, momentum=0.1, eps=1e-5):
    reference.batch_norm(x, running_mean, running_var, weight, bias, training=training, momentum=momentum,
                         eps=eps)  # validates
    x, rm, rv = np.asarray(x), np.asarray(running_mean), np.asarray(running_var)
    cshape = (1, -1) + (1,) * (x.ndim - 2)
    if not training:
        y = (x - rm.astype(x.dtype).reshape(cshape)) / np.sqrt(rv.astype(x.dtype).reshape(cshape) + eps)
        return _affine(y.astype(x.dtype), weight, bias, x.ndim).astype(x.dtype), rm.copy(), rv.copy()
    axes = (0,) + tuple(range(2, x.ndim))
    y, mean, var = _standardize(x, axes, eps)
    count = x.size // x.shape[1]
    with np.errstate(over="ignore", invalid="ignore"):
        new_rm = ((1 - momentum) * rm + momentum * mean.reshape(-1)).astype(rm.dtype)
        new_rv = ((1 - momentum) * rv + momentum * var.reshape(-1) * (count / (count - 1))).astype(rv.dtype)
    return _affine(y, weight, bias, x.ndim).astype(x.dtype), new_rm, new_rv


def instance_norm(x, weight=None, bias=None, *, eps=1e-5):
    reference.instance_norm(x, weight, bias, eps=eps)  # validates
    x = np.asarray(x)
    y, _, _ = _standardize(x, tuple(range(2, x.ndim)), eps)
    return _affine(y, weight, bias, x.ndim).astype(x.dtype)


def group_norm(x, num_groups, weight=None, bias=None, *, eps=1e-5):
    reference.group_norm(x, num_groups, weight, bias, eps=eps)  # validates
    g = num_groups
    x = np.asarray(x)
    n, c = x.shape[:2]
    grouped = x.reshape((n, g, c // g) + x.shape[2:])
    y, _, _ = _standardize(grouped, tuple(range(2, grouped.ndim)), eps)
    return _affine(y.reshape(x.shape), weight, bias, x.ndim).astype(x.dtype)


def rms_norm(x, normalized_ndim, weight=None, *, eps=1e-6):
    reference.rms_norm(x, normalized_ndim, weight, eps=eps)  # validates
    k = normalized_ndim
    x = np.asarray(x)
    axes = tuple(range(x.ndim - k, x.ndim))
    count = math.prod(x.shape[a] for a in axes)
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        # BUG: the overflow guard divides by the max over the whole tensor (not per group) and stays in
        # float16: an ordinary group's squares and the rescaled eps underflow to 0, and x / 0 is inf
        s = np.max(np.abs(x)) if x.size else np.ones((), x.dtype)
        s = s if s > 0 else np.ones((), x.dtype)
        xs = (x / s).astype(x.dtype)
        mean_sq = (np.sum(xs * xs, axis=axes, keepdims=True, dtype=x.dtype) / count).astype(x.dtype)
        y = xs / np.sqrt(mean_sq + np.asarray(eps / (float(s) * float(s)), x.dtype))
    if weight is not None:
        y = y * np.asarray(weight).astype(x.dtype)
    return y.astype(x.dtype)
