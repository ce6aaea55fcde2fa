"""Normalisation modules: ``nn.LayerNorm``, ``nn.RMSNorm``, ``nn.GroupNorm``, ``nn.InstanceNorm{1,2,3}d``,
``nn.BatchNorm{1,2,3}d``, each built with the catalogue's options and loaded with the drawn parameters.

The modules' affine parameters come in pairs (``affine=True`` gives both weight and bias; only ``nn.LayerNorm``
can drop the bias alone): a catalogue call with one of the two gives the module the other at its identity
value (weight ones, bias zeros), which computes the same. ``nn.RMSNorm``'s own default ``eps=None`` means
``torch.finfo(dtype).eps`` (1.2e-7 in float32, 9.8e-4 in float16), not the catalogue's 1e-6; the catalogue's
``eps`` is always passed explicitly here.
"""
import torch
from torch import nn

from impls._validate import norms as check

from ._module import build_on, call, meta

__all__ = ["batch_norm", "layer_norm", "instance_norm", "group_norm", "rms_norm"]

_INSTANCE = {3: nn.InstanceNorm1d, 4: nn.InstanceNorm2d, 5: nn.InstanceNorm3d}
_BATCH = {2: nn.BatchNorm1d, 3: nn.BatchNorm1d, 4: nn.BatchNorm2d, 5: nn.BatchNorm3d}


def _affine(weight, bias, shape, like):
    """The module's ``{weight, bias}`` for the catalogue's optional pair (a missing one at its identity)."""
    if weight is None and bias is None:
        return {}
    return {"weight": like.new_ones(shape) if weight is None else weight,
            "bias": like.new_zeros(shape) if bias is None else bias}


def _spatial_class(table, component, x):
    if x.ndim not in table:
        raise NotImplementedError(f"torch.nn has no {component} module for {x.ndim}-d input "
                                  f"(only {min(table)}-d to {max(table)}-d)")
    return table[x.ndim]


def batch_norm(x, running_mean, running_var, weight=None, bias=None, *, training, momentum=0.1, eps=1e-5):
    """``nn.BatchNorm{1,2,3}d(C, eps, momentum)`` in ``train()``/``eval()`` mode with the running statistics
    loaded: y = (x - mu_c) / sqrt(var_c + eps) * w + b over every axis but 1; training updates the module's
    ``running_mean``/``running_var`` to (1 - momentum) old + momentum stat (unbiased variance), which are returned
    as ``(y, new_running_mean, new_running_var)``."""
    training, momentum, eps = check.batch_norm(meta(x), meta(running_mean), meta(running_var), meta(weight),
                                               meta(bias), training=training, momentum=momentum, eps=eps)
    c = x.shape[1]
    affine = _affine(weight, bias, (c,), x)
    module = build_on(_spatial_class(_BATCH, "batch_norm", x), c, eps=eps, momentum=momentum, affine=bool(affine),
                   track_running_stats=True, dtype=x.dtype)
    module.train(training)
    # the module updates its buffers in place: hand it copies, so the caller's statistics stay intact
    state = {**affine, "running_mean": running_mean.detach().clone(), "running_var": running_var.detach().clone(),
             "num_batches_tracked": torch.zeros((), dtype=torch.long, device=x.device)}
    y, state = call(module, state, x, stateful=True)
    return y, state["running_mean"], state["running_var"]


def layer_norm(x, normalized_ndim, weight=None, bias=None, *, eps=1e-5):
    """``nn.LayerNorm(x.shape[-k:], eps, elementwise_affine, bias)``: (x - mean) / sqrt(var + eps) * w + b over
    the last ``normalized_ndim`` axes. No weight and no bias: ``elementwise_affine=False``; a weight alone:
    ``bias=False``; a bias alone: the module's weight is ones."""
    k, eps = check.layer_norm(meta(x), normalized_ndim, meta(weight), meta(bias), eps=eps)
    shape = tuple(x.shape[x.ndim - k:])
    state = {} if weight is None and bias is None else {"weight": x.new_ones(shape) if weight is None else weight}
    if bias is not None:
        state["bias"] = bias
    module = build_on(nn.LayerNorm, shape, eps=eps, elementwise_affine=bool(state), bias=bias is not None,
                   dtype=x.dtype)
    return call(module, state, x)


def instance_norm(x, weight=None, bias=None, *, eps=1e-5):
    """``nn.InstanceNorm{1,2,3}d(C, eps, affine, track_running_stats=False)`` by the number of spatial axes:
    per (n, c) over the spatial axes."""
    eps = check.instance_norm(meta(x), meta(weight), meta(bias), eps=eps)
    c = x.shape[1]
    affine = _affine(weight, bias, (c,), x)
    module = build_on(_spatial_class(_INSTANCE, "instance_norm", x), c, eps=eps, affine=bool(affine),
                   track_running_stats=False, dtype=x.dtype)
    return call(module, affine, x)


def group_norm(x, num_groups, weight=None, bias=None, *, eps=1e-5):
    """``nn.GroupNorm(num_groups, C, eps, affine)``: statistics per (n, group of C/num_groups channels) over the
    group and spatial axes."""
    num_groups, eps = check.group_norm(meta(x), num_groups, meta(weight), meta(bias), eps=eps)
    c = x.shape[1]
    affine = _affine(weight, bias, (c,), x)
    module = build_on(nn.GroupNorm, num_groups, c, eps=eps, affine=bool(affine), dtype=x.dtype)
    return call(module, affine, x)


def rms_norm(x, normalized_ndim, weight=None, *, eps=1e-6):
    """``nn.RMSNorm(x.shape[-k:], eps, elementwise_affine=weight given)``: x / sqrt(mean(x**2) + eps) * w over
    the last ``normalized_ndim`` axes (the catalogue's eps passed explicitly: the module's default differs)."""
    k, eps = check.rms_norm(meta(x), normalized_ndim, meta(weight), eps=eps)
    shape = tuple(x.shape[x.ndim - k:])
    module = build_on(nn.RMSNorm, shape, eps=eps, elementwise_affine=weight is not None, dtype=x.dtype)
    return call(module, {} if weight is None else {"weight": weight}, x)
