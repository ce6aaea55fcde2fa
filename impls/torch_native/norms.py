"""Normalisation layers: ``torch.nn.functional``'s kernels behind the contract's signatures."""
import torch.nn.functional as F

from impls._validate import norms as check

from ._util import meta

__all__ = ["batch_norm", "layer_norm", "instance_norm", "group_norm", "rms_norm"]


def batch_norm(x, running_mean, running_var, weight=None, bias=None, *, training, momentum=0.1, eps=1e-5):
    """``F.batch_norm``: y = (x - mu_c) / sqrt(var_c + eps) * w + b over every axis but 1;
    training updates ``new = (1 - momentum) * old + momentum * stat`` (unbiased variance)."""
    training, momentum, eps = check.batch_norm(meta(x), meta(running_mean), meta(running_var), meta(weight),
                                               meta(bias), training=training, momentum=momentum, eps=eps)
    # F.batch_norm updates the running statistics in place; work on copies so the caller's stay intact.
    new_mean = running_mean.detach().clone()
    new_var = running_var.detach().clone()
    y = F.batch_norm(x, new_mean, new_var, weight, bias, training=training, momentum=momentum, eps=eps)
    return y, new_mean, new_var


def layer_norm(x, normalized_ndim, weight=None, bias=None, *, eps=1e-5):
    """``F.layer_norm`` over the last ``normalized_ndim`` axes: (x - mean) / sqrt(var + eps) * w + b."""
    k, eps = check.layer_norm(meta(x), normalized_ndim, meta(weight), meta(bias), eps=eps)
    return F.layer_norm(x, tuple(x.shape[x.ndim - k:]), weight, bias, eps)


def instance_norm(x, weight=None, bias=None, *, eps=1e-5):
    """``F.instance_norm`` (batch statistics, no running ones): per (n, c) over the spatial axes."""
    eps = check.instance_norm(meta(x), meta(weight), meta(bias), eps=eps)
    return F.instance_norm(x, weight=weight, bias=bias, use_input_stats=True, eps=eps)


def group_norm(x, num_groups, weight=None, bias=None, *, eps=1e-5):
    """``F.group_norm``: statistics per (n, group of C/num_groups channels) over the group and spatial axes."""
    num_groups, eps = check.group_norm(meta(x), num_groups, meta(weight), meta(bias), eps=eps)
    return F.group_norm(x, num_groups, weight, bias, eps)


def rms_norm(x, normalized_ndim, weight=None, *, eps=1e-6):
    """``F.rms_norm``: x / sqrt(mean(x**2) + eps) * w over the last ``normalized_ndim`` axes."""
    k, eps = check.rms_norm(meta(x), normalized_ndim, meta(weight), eps=eps)
    return F.rms_norm(x, tuple(x.shape[x.ndim - k:]), weight, eps)
