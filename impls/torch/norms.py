"""Normalization layers (SPEC 3.1) from elementary tensor ops (no ``torch.nn.functional``).

Two-pass biased statistics (see ``_moments``) with ``eps`` inside the square root. A group holding values too
large to square (beyond 2**50 in float32) is first divided by a power of two ``s``: exact, so results are those of
the plain formula, while squares and sums of huge inputs stay finite. ``s`` is a constant for autograd (the
function does not depend on it). Half precision is computed in float32.
"""
import math

import torch

from .._validate import norms as V
from ._util import upcast

__all__ = ["batch_norm", "layer_norm", "instance_norm", "group_norm", "rms_norm"]


def _meta(a):
    if a is None:
        return None
    if not isinstance(a, torch.Tensor):
        raise TypeError(f"expected a torch.Tensor, got {type(a).__name__}")
    return tuple(a.shape), a.dtype


def _pow2_scale(x, dims):
    """Per-group power of two ``s >= 1`` that keeps ``|x| / s < 2**safe``: squares of deviations then sum
    finitely over 2**26 elements. ``s`` is 1 unless a group holds values beyond ``2**safe`` (1 for inf, NaN)."""
    x = x.detach()
    if x.numel() == 0:
        return torch.ones((), dtype=x.dtype, device=x.device)
    _, e = torch.frexp(x.abs().amax(dim=dims, keepdim=True))  # peak = f * 2**e, f in [0.5, 1)
    safe = math.frexp(torch.finfo(x.dtype).max)[1] // 2 - 14  # 50 for float32, 498 for float64
    return torch.ldexp(torch.ones_like(e, dtype=x.dtype), (e - safe).clamp_min(0))


def _scaled_eps(eps, s):
    """``eps / s**2``, kept a positive normal number so a constant group gives 0, not 0/0."""
    return (eps / s / s).clamp_min(torch.finfo(s.dtype).tiny)


def _moments(x, dims):
    """``(s, mean, dev, var)`` of ``x / s`` over ``dims`` (size-1 axes kept): mean, deviations from it, and
    the biased variance. Corrected two-pass: the mean of the first deviations is the rounding error of the
    first mean (``x - mean`` is exact near the mean), so subtracting it keeps ``dev`` accurate under large
    offsets and makes a constant group exactly 0."""
    s = _pow2_scale(x, dims)
    xs = x / s
    count = max(math.prod(x.shape[d] for d in dims), 1)
    mean = xs.sum(dim=dims, keepdim=True) / count
    dev = xs - mean
    correction = dev.sum(dim=dims, keepdim=True) / count
    dev = dev - correction
    return s, mean + correction, dev, (dev * dev).sum(dim=dims, keepdim=True) / count


def _standardize(x, dims, eps):
    """``(x - mean) * rsqrt(var + eps)`` over ``dims``, computed on ``x / s``."""
    s, _, dev, var = _moments(x, dims)
    return dev * torch.rsqrt(var + _scaled_eps(eps, s))


def _affine(y, weight, bias, shape):
    """``y * weight + bias`` with the parameters reshaped to ``shape`` (None skips the term)."""
    if weight is not None:
        y = y * weight.to(y.dtype).reshape(shape)
    if bias is not None:
        y = y + bias.to(y.dtype).reshape(shape)
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
    xc = upcast(x)
    cshape = _channel_shape(x.ndim)
    if not training:
        mu, var = running_mean.to(xc.dtype).reshape(cshape), running_var.to(xc.dtype).reshape(cshape)
        y = (xc - mu) * torch.rsqrt(var + eps)
        return _affine(y, weight, bias, cshape).to(x.dtype), running_mean.clone(), running_var.clone()
    dims = (0,) + tuple(range(2, x.ndim))
    s, mean, dev, var = _moments(xc, dims)
    y = dev * torch.rsqrt(var + _scaled_eps(eps, s))
    count = x.shape[0] * math.prod(x.shape[2:])  # > 1, checked above
    batch_mean = (mean * s).reshape(-1)
    batch_var = (var * s * s * (count / (count - 1))).reshape(-1)
    new_rm = (1 - momentum) * upcast(running_mean) + momentum * batch_mean
    new_rv = (1 - momentum) * upcast(running_var) + momentum * batch_var
    return (_affine(y, weight, bias, cshape).to(x.dtype),
            new_rm.to(running_mean.dtype), new_rv.to(running_var.dtype))


def layer_norm(x, normalized_ndim, weight=None, bias=None, *, eps=1e-5):
    """``y = (x - mean) / sqrt(var + eps) * weight + bias`` over the last ``normalized_ndim`` axes."""
    k, eps = V.layer_norm(_meta(x), normalized_ndim, _meta(weight), _meta(bias), eps=eps)
    y = _standardize(upcast(x), tuple(range(x.ndim - k, x.ndim)), eps)
    return _affine(y, weight, bias, x.shape[x.ndim - k:]).to(x.dtype)


def instance_norm(x, weight=None, bias=None, *, eps=1e-5):
    """``y = (x - mean) / sqrt(var + eps) * weight[c] + bias[c]`` per (n, c) over the spatial axes."""
    eps = V.instance_norm(_meta(x), _meta(weight), _meta(bias), eps=eps)
    y = _standardize(upcast(x), tuple(range(2, x.ndim)), eps)
    return _affine(y, weight, bias, _channel_shape(x.ndim)).to(x.dtype)


def group_norm(x, num_groups, weight=None, bias=None, *, eps=1e-5):
    """``y = (x - mean) / sqrt(var + eps) * weight[c] + bias[c]``, statistics per (n, group of
    ``C / num_groups`` contiguous channels) over the group's channels and the spatial axes."""
    g, eps = V.group_norm(_meta(x), num_groups, _meta(weight), _meta(bias), eps=eps)
    n, c = x.shape[:2]
    grouped = upcast(x).reshape((n, g, c // g) + tuple(x.shape[2:]))  # (N, G, C/G, *spatial)
    y = _standardize(grouped, tuple(range(2, grouped.ndim)), eps).reshape(x.shape)
    return _affine(y, weight, bias, _channel_shape(x.ndim)).to(x.dtype)


def rms_norm(x, normalized_ndim, weight=None, *, eps=1e-6):
    """``y = x / sqrt(mean(x**2) + eps) * weight`` over the last ``normalized_ndim`` axes."""
    k, eps = V.rms_norm(_meta(x), normalized_ndim, _meta(weight), eps=eps)
    xc = upcast(x)
    dims = tuple(range(x.ndim - k, x.ndim))
    s = _pow2_scale(xc, dims)
    xs = xc / s
    count = max(math.prod(x.shape[x.ndim - k:]), 1)
    mean_sq = (xs * xs).sum(dim=dims, keepdim=True) / count
    y = xs * torch.rsqrt(mean_sq + _scaled_eps(eps, s))
    return _affine(y, weight, None, x.shape[x.ndim - k:]).to(x.dtype)
