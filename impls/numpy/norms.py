"""Normalization layers (SPEC 3.1) in NumPy: the float64 oracle.

Statistics are two-pass (mean first, then the mean of squared deviations, see ``_moments``) and biased; ``eps``
sits inside the square root. A group holding values too large to square (beyond 2**50 in float32) is first
divided by a power of two ``s``: exact, so results are those of the plain formula, while squares and sums of huge
inputs (bfloat16/float32 up to 3e38) stay finite. Half precision is computed in float32.
"""
import math

import numpy as np

from .._validate import norms as V
from ._util import upcast

__all__ = ["batch_norm", "layer_norm", "instance_norm", "group_norm", "rms_norm"]


def _meta(a):
    return None if a is None else (np.shape(a), np.asarray(a).dtype)


def _pow2_scale(x, axes):
    """Per-group power of two ``s >= 1`` that keeps ``|x| / s < 2**safe``: squares of deviations then sum
    finitely over 2**26 elements. ``s`` is 1 unless a group holds values beyond ``2**safe`` (1 for inf, NaN)."""
    peak = np.max(np.abs(x), axis=axes, keepdims=True, initial=0.0)
    _, e = np.frexp(peak)  # peak = f * 2**e with f in [0.5, 1); frexp gives e = 0 for 0, inf, NaN
    safe = np.finfo(peak.dtype).maxexp // 2 - 14  # 50 for float32, 498 for float64
    return np.ldexp(np.ones_like(peak), np.maximum(e - safe, 0))


def _scaled_eps(eps, s):
    """``eps / s**2``, kept a positive normal number so a constant group gives 0, not 0/0."""
    return np.maximum(eps / s / s, np.finfo(s.dtype).tiny)


def _moments(x, axes):
    """``(s, mean, dev, var)`` of ``x / s`` over ``axes`` (size-1 axes kept): mean, deviations from it, and
    the biased variance. Corrected two-pass: the mean of the first deviations is the rounding error of the
    first mean (``x - mean`` is exact near the mean), so subtracting it keeps ``dev`` accurate under large
    offsets and makes a constant group exactly 0."""
    s = _pow2_scale(x, axes)
    xs = x / s
    count = max(math.prod(x.shape[a] for a in axes), 1)
    mean = np.sum(xs, axis=axes, keepdims=True) / count
    dev = xs - mean
    correction = np.sum(dev, axis=axes, keepdims=True) / count
    dev = dev - correction
    return s, mean + correction, dev, np.sum(dev * dev, axis=axes, keepdims=True) / count


def _standardize(x, axes, eps):
    """``(x - mean) / sqrt(var + eps)`` over ``axes``, computed on ``x / s``."""
    s, _, dev, var = _moments(x, axes)
    return dev / np.sqrt(var + _scaled_eps(eps, s))


def _affine(y, weight, bias, shape):
    """``y * weight + bias`` with the parameters reshaped to ``shape`` (None skips the term)."""
    with np.errstate(over="ignore"):  # beyond the dtype's range: inf, correctly rounded
        if weight is not None:
            y = y * np.asarray(weight).astype(y.dtype).reshape(shape)
        if bias is not None:
            y = y + np.asarray(bias).astype(y.dtype).reshape(shape)
    return y


def _channel_shape(ndim):
    return (1, -1) + (1,) * (ndim - 2)


def batch_norm(x, running_mean, running_var, weight=None, bias=None, *, training, momentum=0.1, eps=1e-5):
    """``y = (x - mu) / sqrt(var + eps) * weight + bias`` per channel over every axis but 1.

    training: ``mu, var`` are the batch mean and biased variance; the running statistics become
    ``(1 - momentum) * old + momentum * stat`` with the *unbiased* batch variance. eval: ``mu, var`` are the
    running statistics, returned unchanged. Returns ``(y, new_running_mean, new_running_var)``.
    """
    training, momentum, eps = V.batch_norm(
        _meta(x), _meta(running_mean), _meta(running_var), _meta(weight), _meta(bias),
        training=training, momentum=momentum, eps=eps)
    x, rm, rv = np.asarray(x), np.asarray(running_mean), np.asarray(running_var)
    xc = upcast(x)
    cshape = _channel_shape(x.ndim)
    if not training:
        mu, var = upcast(rm).astype(xc.dtype), upcast(rv).astype(xc.dtype)
        with np.errstate(over="ignore"):  # beyond the compute or the output dtype's range: inf, correctly rounded
            y = (xc - mu.reshape(cshape)) / np.sqrt(var.reshape(cshape) + eps)
            return _affine(y, weight, bias, cshape).astype(x.dtype), rm.copy(), rv.copy()
    axes = (0,) + tuple(range(2, x.ndim))
    s, mean, dev, var = _moments(xc, axes)
    y = dev / np.sqrt(var + _scaled_eps(eps, s))
    count = x.shape[0] * math.prod(x.shape[2:])  # > 1, checked above
    batch_mean = (mean * s).reshape(-1)
    # a variance beyond the range of the compute or the running-stat dtype is inf, correctly rounded; with momentum
    # 0 the formula's 0 * inf is then NaN (PyTorch's too)
    with np.errstate(over="ignore", invalid="ignore"):
        batch_var = (var * s * s * (count / (count - 1))).reshape(-1)
        new_rm = ((1 - momentum) * upcast(rm) + momentum * batch_mean).astype(rm.dtype)
        new_rv = ((1 - momentum) * upcast(rv) + momentum * batch_var).astype(rv.dtype)
    return _affine(y, weight, bias, cshape).astype(x.dtype), new_rm, new_rv


def layer_norm(x, normalized_ndim, weight=None, bias=None, *, eps=1e-5):
    """``y = (x - mean) / sqrt(var + eps) * weight + bias`` over the last ``normalized_ndim`` axes."""
    k, eps = V.layer_norm(_meta(x), normalized_ndim, _meta(weight), _meta(bias), eps=eps)
    x = np.asarray(x)
    y = _standardize(upcast(x), tuple(range(x.ndim - k, x.ndim)), eps)
    return _affine(y, weight, bias, x.shape[x.ndim - k:]).astype(x.dtype)


def instance_norm(x, weight=None, bias=None, *, eps=1e-5):
    """``y = (x - mean) / sqrt(var + eps) * weight[c] + bias[c]`` per (n, c) over the spatial axes."""
    eps = V.instance_norm(_meta(x), _meta(weight), _meta(bias), eps=eps)
    x = np.asarray(x)
    y = _standardize(upcast(x), tuple(range(2, x.ndim)), eps)
    return _affine(y, weight, bias, _channel_shape(x.ndim)).astype(x.dtype)


def group_norm(x, num_groups, weight=None, bias=None, *, eps=1e-5):
    """``y = (x - mean) / sqrt(var + eps) * weight[c] + bias[c]``, statistics per (n, group of
    ``C / num_groups`` contiguous channels) over the group's channels and the spatial axes."""
    g, eps = V.group_norm(_meta(x), num_groups, _meta(weight), _meta(bias), eps=eps)
    x = np.asarray(x)
    n, c = x.shape[:2]
    grouped = upcast(x).reshape((n, g, c // g) + x.shape[2:])  # (N, G, C/G, *spatial)
    y = _standardize(grouped, tuple(range(2, grouped.ndim)), eps).reshape(x.shape)
    return _affine(y, weight, bias, _channel_shape(x.ndim)).astype(x.dtype)


def rms_norm(x, normalized_ndim, weight=None, *, eps=1e-6):
    """``y = x / sqrt(mean(x**2) + eps) * weight`` over the last ``normalized_ndim`` axes."""
    k, eps = V.rms_norm(_meta(x), normalized_ndim, _meta(weight), eps=eps)
    x = np.asarray(x)
    xc = upcast(x)
    axes = tuple(range(x.ndim - k, x.ndim))
    s = _pow2_scale(xc, axes)
    xs = xc / s
    count = max(math.prod(x.shape[x.ndim - k:]), 1)
    mean_sq = np.sum(xs * xs, axis=axes, keepdims=True) / count
    y = xs / np.sqrt(mean_sq + _scaled_eps(eps, s))
    return _affine(y, weight, None, x.shape[x.ndim - k:]).astype(x.dtype)
