"""Normalisation: ``keras.ops.layer_normalization`` / ``rms_normalization`` and the
``keras.layers.BatchNormalization`` / ``GroupNormalization`` layers, called as Keras users call them.

Layer and RMS norm pass the last ``normalized_ndim`` axes as ``axis`` (both take several axes). Batch, group
and instance norm are layers built once per configuration (channels-first: ``axis=1``; instance norm is
``GroupNormalization(groups=-1)``, Keras' documented spelling of it) and run by ``layer.stateless_call`` (how
Keras' JAX trainer calls a layer inside ``jax.jit``) with the drawn arrays as their variables. An absent
weight/bias is passed as ones/zeros: the same values, and one compilation per shape instead of one per
combination. ``BatchNormalization``'s ``momentum`` is the weight of the *old* statistic: the catalogue's
``momentum`` m is Keras' ``1 - m`` (a convention converted here).
"""
import functools

import numpy as np

from impls._validate import norms as check

from ._util import asarray, jit, keras, meta

__all__ = ["batch_norm", "layer_norm", "instance_norm", "group_norm", "rms_norm"]


def _vector(param, value, size, dtype):
    """``param``, or ``value`` everywhere (a (size,) array) when it is absent."""
    return asarray(np.full((size,), value, dtype=dtype)) if param is None else param


@jit(static_argnames=("axis",))
def _layer_norm(x, weight, bias, eps, axis):
    return keras.ops.layer_normalization(x, weight, bias, axis=axis, epsilon=eps)


def layer_norm(x, normalized_ndim, weight=None, bias=None, *, eps=1e-5):
    """``keras.ops.layer_normalization(x, gamma, beta, axis=<last normalized_ndim axes>, epsilon=eps)``."""
    k, eps = check.layer_norm(meta(x), normalized_ndim, meta(weight), meta(bias), eps=eps)
    axis = tuple(range(x.ndim - k, x.ndim))
    return _layer_norm(x, weight, bias, eps, axis=axis)


@jit(static_argnames=("axis",))
def _rms_norm(x, weight, eps, axis):
    return keras.ops.rms_normalization(x, weight, axis=axis, epsilon=eps)


def rms_norm(x, normalized_ndim, weight=None, *, eps=1e-6):
    """``keras.ops.rms_normalization(x, scale, axis=<last normalized_ndim axes>, epsilon=eps)``:
    x / sqrt(mean(x^2) + eps) * scale."""
    k, eps = check.rms_norm(meta(x), normalized_ndim, meta(weight), eps=eps)
    return _rms_norm(x, weight, eps, axis=tuple(range(x.ndim - k, x.ndim)))


@functools.lru_cache(maxsize=None)
def _layer(kind, shape, dtype, **options):
    """A built Keras layer for inputs of ``shape`` (batch axis free) and ``dtype`` (its dtype policy, so its
    variables are in the input's dtype), channels-first."""
    layer = getattr(keras.layers, kind)(axis=1, dtype=dtype, **options)
    layer.build((None,) + shape[1:])
    return layer


def _built(config):
    """The cached layer of ``config`` = (kind, shape, dtype, options); called eagerly first, so that its
    variables' initial values are never created inside a ``jit`` trace."""
    kind, shape, dtype, options = config
    return _layer(kind, shape, dtype, **dict(options))


def _stateless(config, trainable, non_trainable, x, **call):
    """``layer.stateless_call`` of the layer ``config``: the given arrays stand for its variables."""
    return _built(config).stateless_call(trainable, non_trainable, x, **call)


@jit(static_argnames=("config", "training"))
def _batch_norm(x, running_mean, running_var, weight, bias, config, training):
    y, (new_mean, new_var) = _stateless(config, [weight, bias], [running_mean, running_var], x, training=training)
    return y, new_mean, new_var


def _config(kind, x, **options):
    """The hashable key of a layer: kind, input shape (batch free), dtype name, options."""
    return kind, (None,) + tuple(x.shape[1:]), str(x.dtype), tuple(sorted(options.items()))


def batch_norm(x, running_mean, running_var, weight=None, bias=None, *, training, momentum=0.1, eps=1e-5):
    """``keras.layers.BatchNormalization(axis=1, momentum=1 - momentum, epsilon=eps)`` called with
    ``training``: y = (x - mean) / sqrt(var + eps) * w + b with the batch's statistics (training) or the
    running ones (eval); in training the running statistics become ``keras_momentum * old + (1 -
    keras_momentum) * batch_stat``, as the layer's ``moving_mean``/``moving_variance`` update."""
    training, momentum, eps = check.batch_norm(meta(x), meta(running_mean), meta(running_var), meta(weight),
                                               meta(bias), training=training, momentum=momentum, eps=eps)
    c = x.shape[1]
    config = _config("BatchNormalization", x, momentum=1.0 - momentum, epsilon=eps)
    _built(config)
    return _batch_norm(x, running_mean, running_var, _vector(weight, 1, c, x.dtype), _vector(bias, 0, c, x.dtype),
                       config=config, training=training)


@jit(static_argnames=("config",))
def _group_norm(x, weight, bias, config):
    y, _ = _stateless(config, [weight, bias], [], x)
    return y


def _grouped(x, groups, weight, bias, eps):
    config = _config("GroupNormalization", x, groups=groups, epsilon=eps)
    _built(config)
    c = x.shape[1]
    return _group_norm(x, _vector(weight, 1, c, x.dtype), _vector(bias, 0, c, x.dtype), config=config)


def group_norm(x, num_groups, weight=None, bias=None, *, eps=1e-5):
    """``keras.layers.GroupNormalization(groups=num_groups, axis=1, epsilon=eps)``: per (n, group of C/G
    contiguous channels) (x - mean) / sqrt(var + eps), then * w_c + b_c."""
    num_groups, eps = check.group_norm(meta(x), num_groups, meta(weight), meta(bias), eps=eps)
    return _grouped(x, num_groups, weight, bias, eps)


def instance_norm(x, weight=None, bias=None, *, eps=1e-5):
    """``keras.layers.GroupNormalization(groups=-1, axis=1, epsilon=eps)`` (one group per channel: Keras'
    instance normalisation): per (n, c) over the spatial axes, then * w_c + b_c."""
    eps = check.instance_norm(meta(x), meta(weight), meta(bias), eps=eps)
    return _grouped(x, -1, weight, bias, eps)
