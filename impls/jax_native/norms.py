"""Normalisation layers: ``jax.nn.standardize`` plus the affine map and the running-statistics update.

``jax.nn.standardize`` is called with its default variance algorithm (``"fast"``: mean(x**2) - mean(x)**2,
clipped at 0), as a JAX user calling it gets; the suite's large-offset inputs show what that costs. An absent
weight/bias is passed as ones/zeros (the same values; one compilation per shape instead of one per combination).
Inputs reach the kernels in canonical shapes, ``(rows, features)`` for layer and RMS norm and ``(N, C, spatial
size)`` for the others (a reshape on the host: the same statistics over the same elements), so a kernel compiles
once per canonical shape instead of once per input shape and number of normalised axes.
"""

import jax
import jax.numpy as jnp

from impls._jax_jit import jit
from impls._validate import norms as check

from ._util import as_channels, as_rows, meta, reshape, vector

__all__ = ["batch_norm", "layer_norm", "instance_norm", "group_norm", "rms_norm"]


def _affine(y, weight, bias, shape):
    """y * weight + bias, the parameters reshaped to ``shape`` (broadcast against y); None skips one."""
    if weight is not None:
        y = y * weight.reshape(shape)
    if bias is not None:
        y = y + bias.reshape(shape)
    return y


def _channel_shape(x):
    """(1, C, 1, ...): a per-channel vector's shape broadcast against x (N, C, *spatial)."""
    return (1, x.shape[1]) + (1,) * (x.ndim - 2)


@jit(static_argnames=("training",))
def _batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps):
    axes = (0,) + tuple(range(2, x.ndim))
    shape = _channel_shape(x)
    if not training:
        y = jax.nn.standardize(x, axes, mean=running_mean.reshape(shape), variance=running_var.reshape(shape),
                               epsilon=eps)
        return _affine(y, weight, bias, shape), running_mean, running_var
    y = jax.nn.standardize(x, axes, epsilon=eps)
    # The running-statistics update is PyTorch's convention, which jax.nn has no counterpart for.
    count = x.size // x.shape[1]
    batch_mean = jnp.mean(x, axes)
    batch_var = jnp.var(x, axes) * (count / (count - 1))
    new_mean = (1 - momentum) * running_mean + momentum * batch_mean
    new_var = (1 - momentum) * running_var + momentum * batch_var
    return _affine(y, weight, bias, shape), new_mean.astype(running_mean.dtype), new_var.astype(running_var.dtype)


def batch_norm(x, running_mean, running_var, weight=None, bias=None, *, training, momentum=0.1, eps=1e-5):
    """y = (x - mu_c) / sqrt(var_c + eps) * w + b over every axis but 1 (``jax.nn.standardize``); training
    uses batch statistics and returns ``(1 - momentum) * old + momentum * stat`` (unbiased variance)."""
    training, momentum, eps = check.batch_norm(meta(x), meta(running_mean), meta(running_var), meta(weight),
                                               meta(bias), training=training, momentum=momentum, eps=eps)
    c = x.shape[1]
    weight, bias = vector(weight, 1, c, x.dtype), vector(bias, 0, c, x.dtype)
    y, new_mean, new_var = _batch_norm(as_channels(x), running_mean, running_var, weight, bias, training, momentum, eps)
    return reshape(y, x.shape), new_mean, new_var


@jit
def _layer_norm(x, weight, bias, eps):
    return _affine(jax.nn.standardize(x, -1, epsilon=eps), weight, bias, (-1,))  # x (rows, features)


def layer_norm(x, normalized_ndim, weight=None, bias=None, *, eps=1e-5):
    """``jax.nn.standardize`` over the last ``normalized_ndim`` axes: (x - mean) / sqrt(var + eps) * w + b."""
    k, eps = check.layer_norm(meta(x), normalized_ndim, meta(weight), meta(bias), eps=eps)
    rows, n = as_rows(x, k)
    return reshape(_layer_norm(rows, vector(weight, 1, n, x.dtype), vector(bias, 0, n, x.dtype), eps), x.shape)


@jit
def _instance_norm(x, weight, bias, eps):
    y = jax.nn.standardize(x, tuple(range(2, x.ndim)), epsilon=eps)
    return _affine(y, weight, bias, _channel_shape(x))


def instance_norm(x, weight=None, bias=None, *, eps=1e-5):
    """``jax.nn.standardize`` per (n, c) over the spatial axes, then * w_c + b_c."""
    eps = check.instance_norm(meta(x), meta(weight), meta(bias), eps=eps)
    c = x.shape[1]
    return reshape(_instance_norm(as_channels(x), vector(weight, 1, c, x.dtype), vector(bias, 0, c, x.dtype), eps),
                   x.shape)


@jit(static_argnames=("num_groups",))
def _group_norm(x, weight, bias, num_groups, eps):
    n, c, s = x.shape
    # one row per (n, group), its C/G channels' spatial values in order: the elements, and the order of their
    # sums, of layer_norm's row over (C, *spatial) when num_groups is 1
    grouped = x.reshape(n, num_groups, c // num_groups * s)
    y = jax.nn.standardize(grouped, -1, epsilon=eps).reshape(x.shape)
    return _affine(y, weight, bias, _channel_shape(x))


def group_norm(x, num_groups, weight=None, bias=None, *, eps=1e-5):
    """``jax.nn.standardize`` per (n, group of C/num_groups contiguous channels) over the group and
    spatial axes, then * w_c + b_c."""
    num_groups, eps = check.group_norm(meta(x), num_groups, meta(weight), meta(bias), eps=eps)
    c = x.shape[1]
    y = _group_norm(as_channels(x), vector(weight, 1, c, x.dtype), vector(bias, 0, c, x.dtype), num_groups, eps)
    return reshape(y, x.shape)


@jit
def _rms_norm(x, weight, eps):
    # standardize with the mean pinned at 0 divides by sqrt(mean(x**2) + eps): RMS normalisation.
    y = jax.nn.standardize(x, -1, mean=jnp.zeros((), x.dtype), epsilon=eps)  # x (rows, features)
    return _affine(y, weight, None, (-1,))


def rms_norm(x, normalized_ndim, weight=None, *, eps=1e-6):
    """``jax.nn.standardize`` with mean 0: x / sqrt(mean(x**2) + eps) * w over the last ``normalized_ndim``
    axes."""
    k, eps = check.rms_norm(meta(x), normalized_ndim, meta(weight), eps=eps)
    rows, n = as_rows(x, k)
    return reshape(_rms_norm(rows, vector(weight, 1, n, x.dtype), eps), x.shape)
