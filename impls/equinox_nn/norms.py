"""Normalisation layers as Equinox users call them: construct ``eqx.nn.<Layer>`` for one example, set the
drawn weights with ``eqx.tree_at``, and ``jax.vmap`` it over the batch.

``layer_norm``/``rms_norm``: ``eqx.nn.LayerNorm(normalized_shape, eps, use_weight, use_bias)`` and
``eqx.nn.RMSNorm(normalized_shape, eps, use_weight, use_bias=False)`` (the catalogue's RMS norm has no bias),
vmapped over the leading axes flattened into one. ``group_norm``: ``eqx.nn.GroupNorm(groups, channels, eps)``
acts on one ``(C, *spatial)`` example (channels-first, the catalogue's layout), vmapped over N; its
``channelwise_affine`` gives weight and bias together, so an absent one is set to ones/zeros (the same values).
Parameters are created in the input's dtype. Equinox has no instance or batch normalisation without its
stateful ``eqx.nn.State`` machinery: ``instance_norm`` (no layer) and ``batch_norm`` are not provided.
"""
import math

import equinox as eqx
import jax
import jax.numpy as jnp

from impls._validate import norms as check

from ._util import kernel, meta

__all__ = ["layer_norm", "group_norm", "rms_norm"]


def _set(layer, weight, bias):
    """``layer`` with the given weight/bias leaves replaced (``eqx.tree_at``); None keeps the layer's own."""
    if weight is not None:
        layer = eqx.tree_at(lambda m: m.weight, layer, weight)
    if bias is not None:
        layer = eqx.tree_at(lambda m: m.bias, layer, bias)
    return layer


def _rows(x, k):
    """x as ``(rows, *last k axes)``: the examples the per-example layer is vmapped over."""
    return x.reshape((math.prod(x.shape[:x.ndim - k]),) + x.shape[x.ndim - k:])


@kernel("k", "eps")
def _layer_norm(x, weight, bias, k, eps):
    layer = eqx.nn.LayerNorm(x.shape[x.ndim - k:], eps, use_weight=weight is not None,
                             use_bias=bias is not None, dtype=x.dtype)
    return jax.vmap(_set(layer, weight, bias))(_rows(x, k)).reshape(x.shape)


def layer_norm(x, normalized_ndim, weight=None, bias=None, *, eps=1e-5):
    """``jax.vmap(eqx.nn.LayerNorm(normalized_shape, eps))``: (x - mean) / sqrt(var + eps) * w + b over the
    last ``normalized_ndim`` axes."""
    k, eps = check.layer_norm(meta(x), normalized_ndim, meta(weight), meta(bias), eps=eps)
    return _layer_norm(x, weight, bias, k=k, eps=eps)


@kernel("k", "eps")
def _rms_norm(x, weight, k, eps):
    layer = eqx.nn.RMSNorm(x.shape[x.ndim - k:], eps, use_weight=weight is not None, use_bias=False,
                           dtype=x.dtype)
    return jax.vmap(_set(layer, weight, None))(_rows(x, k)).reshape(x.shape)


def rms_norm(x, normalized_ndim, weight=None, *, eps=1e-6):
    """``jax.vmap(eqx.nn.RMSNorm(normalized_shape, eps, use_bias=False))``: x / sqrt(mean(x^2) + eps) * w."""
    k, eps = check.rms_norm(meta(x), normalized_ndim, meta(weight), eps=eps)
    return _rms_norm(x, weight, k=k, eps=eps)


@kernel("num_groups", "eps")
def _group_norm(x, weight, bias, num_groups, eps):
    affine = weight is not None or bias is not None
    c = x.shape[1]
    layer = eqx.nn.GroupNorm(num_groups, c, eps, channelwise_affine=affine, dtype=x.dtype)
    if affine:  # the absent one of the pair keeps its value: ones / zeros
        layer = _set(layer, weight if weight is not None else jnp.ones((c,), x.dtype),
                     bias if bias is not None else jnp.zeros((c,), x.dtype))
    return jax.vmap(layer)(x)


def group_norm(x, num_groups, weight=None, bias=None, *, eps=1e-5):
    """``jax.vmap(eqx.nn.GroupNorm(num_groups, C, eps))`` over N: per (n, group of C/num_groups contiguous
    channels) over the group and spatial axes, then * w_c + b_c."""
    num_groups, eps = check.group_norm(meta(x), num_groups, meta(weight), meta(bias), eps=eps)
    return _group_norm(x, weight, bias, num_groups=num_groups, eps=eps)
