"""Normalization layers (SPEC 3.1) from ``jax.numpy`` primitives (no flax, no ``jax.nn``).

Two-pass biased statistics (see ``_moments``) with ``eps`` inside the square root. A group holding values too
large to square (beyond 2**50 in float32) is first divided by a power of two ``s``: exact, so results are those of
the plain formula, while squares and sums of huge inputs stay finite. ``s`` is a constant for autodiff (the
function does not depend on it). Half precision is computed in float32.

Arguments are validated in Python (shapes are static), then a jitted kernel runs on canonical shapes:
``(rows, features)`` for layer and RMS norm, ``(N, C, spatial size)`` for batch, instance and group norm (a
reshape, see ``_util.reshape``), so a kernel compiles once per canonical shape, not once per input shape and
number of normalised axes. ``eps`` and ``momentum`` are traced, so new values do not recompile. An absent
weight/bias is passed as ones/zeros (see ``_util.filled``), so a kernel compiles once whichever are given.
"""
import math

import jax
import jax.numpy as jnp

from .._validate import norms as V
from ._util import as_array, as_channels, as_rows, reshape, upcast, vector
from ._jit import jit

__all__ = ["batch_norm", "layer_norm", "instance_norm", "group_norm", "rms_norm"]


def _meta(a):
    if a is None:
        return None
    if not (hasattr(a, "shape") and hasattr(a, "dtype")):
        raise TypeError(f"expected a jax.Array, got {type(a).__name__}")
    return tuple(a.shape), a.dtype


def _pow2_scale(x, axes):
    """Per-group power of two ``s >= 1`` that keeps ``|x| / s < 2**safe``: squares of deviations then sum
    finitely over 2**26 elements. ``s`` is 1 unless a group holds values beyond ``2**safe`` (1 for inf, NaN)."""
    peak = jnp.max(jnp.abs(jax.lax.stop_gradient(x)), axis=axes, keepdims=True, initial=0.0)
    _, e = jnp.frexp(peak)  # peak = f * 2**e with f in [0.5, 1); e = 0 for 0, inf, NaN
    safe = jnp.finfo(peak.dtype).maxexp // 2 - 14  # 50 for float32, 498 for float64
    return jnp.ldexp(jnp.ones_like(peak), jnp.maximum(e - safe, 0))


def _scaled_eps(eps, s):
    """``eps / s**2``, kept a positive normal number so a constant group gives 0, not 0/0."""
    return jnp.maximum(eps / s / s, jnp.finfo(s.dtype).tiny)


def _moments(x, axes):
    """``(s, mean, dev, var)`` of ``x / s`` over ``axes`` (size-1 axes kept): mean, deviations from it, and
    the biased variance. Corrected two-pass: the mean of the first deviations is the rounding error of the
    first mean (``x - mean`` is exact near the mean), so subtracting it keeps ``dev`` accurate under large
    offsets and makes a constant group exactly 0."""
    s = _pow2_scale(x, axes)
    xs = x / s
    count = max(math.prod(x.shape[a] for a in axes), 1)
    mean = jnp.sum(xs, axis=axes, keepdims=True) / count
    dev = xs - mean
    correction = jnp.sum(dev, axis=axes, keepdims=True) / count
    dev = dev - correction
    return s, mean + correction, dev, jnp.sum(dev * dev, axis=axes, keepdims=True) / count


def _standardize(x, axes, eps):
    """``(x - mean) * rsqrt(var + eps)`` over ``axes``, computed on ``x / s``."""
    s, _, dev, var = _moments(x, axes)
    return dev * jax.lax.rsqrt(var + _scaled_eps(eps, s))


def _affine(y, weight, bias, shape):
    """``y * weight + bias`` with the parameters reshaped to ``shape`` (None skips the term)."""
    if weight is not None:
        y = y * weight.astype(y.dtype).reshape(shape)
    if bias is not None:
        y = y + bias.astype(y.dtype).reshape(shape)
    return y


def _channel_shape(ndim):
    return (1, -1) + (1,) * (ndim - 2)


@jit
def _batch_norm_eval(x, running_mean, running_var, weight, bias, eps):
    xc = upcast(x)
    cshape = _channel_shape(x.ndim)
    mu = running_mean.astype(xc.dtype).reshape(cshape)
    var = running_var.astype(xc.dtype).reshape(cshape)
    y = (xc - mu) * jax.lax.rsqrt(var + eps)
    return _affine(y, weight, bias, cshape).astype(x.dtype)


@jit
def _batch_norm_train(x, running_mean, running_var, weight, bias, momentum, eps):
    xc = upcast(x)
    cshape = _channel_shape(x.ndim)
    s, mean, dev, var = _moments(xc, (0,) + tuple(range(2, x.ndim)))
    y = dev * jax.lax.rsqrt(var + _scaled_eps(eps, s))
    count = x.shape[0] * math.prod(x.shape[2:])  # > 1, checked before the call
    batch_mean = (mean * s).reshape(-1)
    batch_var = (var * s * s * (count / (count - 1))).reshape(-1)
    new_rm = (1 - momentum) * upcast(running_mean) + momentum * batch_mean
    new_rv = (1 - momentum) * upcast(running_var) + momentum * batch_var
    return (_affine(y, weight, bias, cshape).astype(x.dtype),
            new_rm.astype(running_mean.dtype), new_rv.astype(running_var.dtype))


def batch_norm(x, running_mean, running_var, weight=None, bias=None, *, training, momentum=0.1, eps=1e-5):
    """``y = (x - mu) / sqrt(var + eps) * weight + bias`` per channel over every axis but 1.

    training: ``mu, var`` are the batch mean and biased variance; the running statistics become
    ``(1 - momentum) * old + momentum * stat`` with the *unbiased* batch variance. eval: ``mu, var`` are the
    running statistics, returned unchanged. Returns ``(y, new_running_mean, new_running_var)``.
    """
    training, momentum, eps = V.batch_norm(
        _meta(x), _meta(running_mean), _meta(running_var), _meta(weight), _meta(bias),
        training=training, momentum=momentum, eps=eps)
    c = x.shape[1]
    weight, bias = vector(weight, 1, c, x.dtype), vector(bias, 0, c, x.dtype)
    if training:
        y, new_mean, new_var = _batch_norm_train(as_channels(x), running_mean, running_var, weight, bias, momentum, eps)
        return reshape(y, x.shape), new_mean, new_var
    y = _batch_norm_eval(as_channels(x), running_mean, running_var, weight, bias, eps)
    return reshape(y, x.shape), as_array(running_mean), as_array(running_var)


@jit
def _layer_norm(x, weight, bias, eps):
    y = _standardize(upcast(x), (1,), eps)  # x (rows, features)
    return _affine(y, weight, bias, (-1,)).astype(x.dtype)


def layer_norm(x, normalized_ndim, weight=None, bias=None, *, eps=1e-5):
    """``y = (x - mean) / sqrt(var + eps) * weight + bias`` over the last ``normalized_ndim`` axes."""
    k, eps = V.layer_norm(_meta(x), normalized_ndim, _meta(weight), _meta(bias), eps=eps)
    rows, n = as_rows(x, k)
    y = _layer_norm(rows, vector(weight, 1, n, x.dtype), vector(bias, 0, n, x.dtype), eps)
    return reshape(y, x.shape)


@jit
def _instance_norm(x, weight, bias, eps):
    y = _standardize(upcast(x), tuple(range(2, x.ndim)), eps)
    return _affine(y, weight, bias, _channel_shape(x.ndim)).astype(x.dtype)


def instance_norm(x, weight=None, bias=None, *, eps=1e-5):
    """``y = (x - mean) / sqrt(var + eps) * weight[c] + bias[c]`` per (n, c) over the spatial axes."""
    eps = V.instance_norm(_meta(x), _meta(weight), _meta(bias), eps=eps)
    c = x.shape[1]
    return reshape(_instance_norm(as_channels(x), vector(weight, 1, c, x.dtype), vector(bias, 0, c, x.dtype), eps),
                   x.shape)


@jit(static_argnames=("g",))
def _group_norm(x, weight, bias, eps, g):
    n, c, s = x.shape
    grouped = upcast(x).reshape(n, g, c // g * s)  # one row per (n, group): layer_norm's row when g is 1
    y = _standardize(grouped, (2,), eps).reshape(x.shape)
    return _affine(y, weight, bias, _channel_shape(x.ndim)).astype(x.dtype)


def group_norm(x, num_groups, weight=None, bias=None, *, eps=1e-5):
    """``y = (x - mean) / sqrt(var + eps) * weight[c] + bias[c]``, statistics per (n, group of
    ``C / num_groups`` contiguous channels) over the group's channels and the spatial axes."""
    g, eps = V.group_norm(_meta(x), num_groups, _meta(weight), _meta(bias), eps=eps)
    c = x.shape[1]
    return reshape(_group_norm(as_channels(x), vector(weight, 1, c, x.dtype), vector(bias, 0, c, x.dtype), eps, g),
                   x.shape)


@jit
def _rms_norm(x, weight, eps):
    xc = upcast(x)  # (rows, features)
    s = _pow2_scale(xc, (1,))
    xs = xc / s
    mean_sq = jnp.sum(xs * xs, axis=1, keepdims=True) / max(x.shape[1], 1)
    y = xs * jax.lax.rsqrt(mean_sq + _scaled_eps(eps, s))
    return _affine(y, weight, None, (-1,)).astype(x.dtype)


def rms_norm(x, normalized_ndim, weight=None, *, eps=1e-6):
    """``y = x / sqrt(mean(x**2) + eps) * weight`` over the last ``normalized_ndim`` axes."""
    k, eps = V.rms_norm(_meta(x), normalized_ndim, _meta(weight), eps=eps)
    rows, n = as_rows(x, k)
    return reshape(_rms_norm(rows, vector(weight, 1, n, x.dtype), eps), x.shape)
