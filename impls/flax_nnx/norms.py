"""Normalisation layers as flax.nnx users call them: construct ``nnx.<Layer>(..., rngs=nnx.Rngs(0))``, assign
the drawn parameters to its ``nnx.Param``s (``layer.scale[...] = w``), call it.

Options map one to one: ``eps`` -> ``epsilon``, an absent weight/bias -> ``use_scale=False``/``use_bias=False``,
the last ``normalized_ndim`` axes -> ``reduction_axes = feature_axes``. Parameters are created in the input's
dtype (``param_dtype=x.dtype``), as a half-precision model would; flax still computes the statistics in at
least float32 (``_compute_stats``). Every layer keeps flax's default ``use_fast_variance=True``
(var = mean(x^2) - mean(x)^2), as a user calling it gets.

Conventions converted (never the arithmetic): ``nnx.GroupNorm`` is channels-last, so ``(N, C, *spatial)`` is
moved to ``(N, *spatial, C)`` and back; ``nnx.InstanceNorm`` takes ``feature_axes=1`` (channels-first) directly;
``nnx.BatchNorm``'s ``momentum`` is the decay of the old statistics (flax momentum = 1 - catalogue momentum) and
its running statistics are returned in the dtype they were passed in (flax keeps them in float32).
"""
import math

import jax.numpy as jnp
from flax import nnx

from impls._validate import norms as check

from ._util import kernel, meta

__all__ = ["batch_norm", "layer_norm", "instance_norm", "group_norm", "rms_norm"]


def _assign(layer, weight, bias):
    """The drawn parameters into the layer's ``nnx.Param``s (flattened to flax's ``(num_features,)``)."""
    if weight is not None:
        layer.scale[...] = weight.reshape(-1)
    if bias is not None:
        layer.bias[...] = bias.reshape(-1)


@kernel("k")
def _layer_norm(x, weight, bias, eps, k):
    axes = tuple(range(x.ndim - k, x.ndim))
    layer = nnx.LayerNorm(math.prod(x.shape[-k:]), epsilon=eps, use_scale=weight is not None,
                          use_bias=bias is not None, reduction_axes=axes, feature_axes=axes,
                          param_dtype=x.dtype, rngs=nnx.Rngs(0))
    _assign(layer, weight, bias)
    return layer(x)


def layer_norm(x, normalized_ndim, weight=None, bias=None, *, eps=1e-5):
    """``nnx.LayerNorm`` over the last ``normalized_ndim`` axes: (x - mean) / sqrt(var + eps) * w + b."""
    k, eps = check.layer_norm(meta(x), normalized_ndim, meta(weight), meta(bias), eps=eps)
    return _layer_norm(x, weight, bias, eps, k=k)


@kernel("k")
def _rms_norm(x, weight, eps, k):
    axes = tuple(range(x.ndim - k, x.ndim))
    layer = nnx.RMSNorm(math.prod(x.shape[-k:]), epsilon=eps, use_scale=weight is not None,
                        reduction_axes=axes, feature_axes=axes, param_dtype=x.dtype, rngs=nnx.Rngs(0))
    _assign(layer, weight, None)
    return layer(x)


def rms_norm(x, normalized_ndim, weight=None, *, eps=1e-6):
    """``nnx.RMSNorm`` over the last ``normalized_ndim`` axes: x / sqrt(mean(x^2) + eps) * w."""
    k, eps = check.rms_norm(meta(x), normalized_ndim, meta(weight), eps=eps)
    return _rms_norm(x, weight, eps, k=k)


@kernel()
def _instance_norm(x, weight, bias, eps):
    layer = nnx.InstanceNorm(x.shape[1], epsilon=eps, use_scale=weight is not None, use_bias=bias is not None,
                             feature_axes=1, param_dtype=x.dtype, rngs=nnx.Rngs(0))
    _assign(layer, weight, bias)
    return layer(x)


def instance_norm(x, weight=None, bias=None, *, eps=1e-5):
    """``nnx.InstanceNorm(feature_axes=1)``: per (n, c) over the spatial axes, then * w_c + b_c."""
    eps = check.instance_norm(meta(x), meta(weight), meta(bias), eps=eps)
    return _instance_norm(x, weight, bias, eps)


@kernel("num_groups")
def _group_norm(x, weight, bias, eps, num_groups):
    last = jnp.moveaxis(x, 1, -1)  # flax's GroupNorm is channels-last
    layer = nnx.GroupNorm(x.shape[1], num_groups=num_groups, epsilon=eps, use_scale=weight is not None,
                          use_bias=bias is not None, param_dtype=x.dtype, rngs=nnx.Rngs(0))
    _assign(layer, weight, bias)
    return jnp.moveaxis(layer(last), -1, 1)


def group_norm(x, num_groups, weight=None, bias=None, *, eps=1e-5):
    """``nnx.GroupNorm`` on the channels-last view of x: per (n, group of C/num_groups contiguous channels)
    over the group and spatial axes, then * w_c + b_c."""
    num_groups, eps = check.group_norm(meta(x), num_groups, meta(weight), meta(bias), eps=eps)
    return _group_norm(x, weight, bias, eps, num_groups=num_groups)


@kernel("training")
def _batch_norm(x, running_mean, running_var, weight, bias, momentum, eps, training):
    layer = nnx.BatchNorm(x.shape[1], axis=1, momentum=1 - momentum, epsilon=eps, use_scale=weight is not None,
                          use_bias=bias is not None, dtype=x.dtype, param_dtype=x.dtype, rngs=nnx.Rngs(0))
    _assign(layer, weight, bias)
    layer.mean[...] = running_mean
    layer.var[...] = running_var
    y = layer(x, use_running_average=not training)
    return y, layer.mean[...].astype(running_mean.dtype), layer.var[...].astype(running_var.dtype)


def batch_norm(x, running_mean, running_var, weight=None, bias=None, *, training, momentum=0.1, eps=1e-5):
    """``nnx.BatchNorm(axis=1, momentum=1 - momentum)`` called with ``use_running_average=not training``:
    y = (x - mu_c) / sqrt(var_c + eps) * w + b over every axis but 1; returns ``(y, new running mean, new
    running var)`` as flax updates them (``momentum * old + (1 - momentum) * stat`` in flax's terms)."""
    training, momentum, eps = check.batch_norm(meta(x), meta(running_mean), meta(running_var), meta(weight),
                                               meta(bias), training=training, momentum=momentum, eps=eps)
    return _batch_norm(x, running_mean, running_var, weight, bias, momentum, eps, training=training)
