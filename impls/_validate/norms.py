"""Argument checks for the normalization family (SPEC 3.1), shared by every built-in implementation.

Arrays arrive as ``(shape, dtype)`` pairs (``None`` for an absent optional array). Every function returns
the plain values the kernels need (normalised ints/floats/bools), so backends never re-parse options.
"""
import math

from .activations import check_bool, check_float, check_int, check_real


def _shape_str(shape) -> str:
    return str(tuple(int(n) for n in shape))


def check_param(fn: str, arg: str, meta, shape) -> None:
    """An optional per-feature array must be float and have exactly ``shape`` (never broadcast)."""
    if meta is None:
        return
    got, dtype = meta
    check_float(fn, arg, dtype)
    if tuple(got) != tuple(shape):
        raise ValueError(f"{fn}: {arg} must have shape {_shape_str(shape)}, got {_shape_str(got)}")


def check_eps(fn: str, eps) -> float:
    """``eps`` is a finite number >= 0 (it sits inside the square root)."""
    eps = check_real(fn, "eps", eps)
    if not (math.isfinite(eps) and eps >= 0.0):
        raise ValueError(f"{fn}: eps must be finite and >= 0, got {eps!r}")
    return eps


def check_x(fn: str, x, min_ndim: int, layout: str) -> tuple:
    """``x`` is a float array of rank >= ``min_ndim``; returns its shape."""
    shape, dtype = x
    check_float(fn, "x", dtype)
    if len(shape) < min_ndim:
        raise ValueError(f"{fn}: x must have shape {layout} (rank >= {min_ndim}), got {_shape_str(shape)}")
    return tuple(shape)


def check_normalized_ndim(fn: str, normalized_ndim, ndim: int) -> int:
    """``normalized_ndim`` in ``1..ndim``."""
    k = check_int(fn, "normalized_ndim", normalized_ndim)
    if not 1 <= k <= ndim:
        raise ValueError(f"{fn}: normalized_ndim must be in 1..{ndim} for a {ndim}-d input, got {k}")
    return k


def batch_norm(x, running_mean, running_var, weight, bias, *, training, momentum, eps):
    """Returns ``(training, momentum, eps)``; x ``(N, C, *spatial)``, running stats required, shape ``(C,)``."""
    fn = "batch_norm"
    shape = check_x(fn, x, 2, "(N, C, *spatial)")
    c = shape[1]
    for arg, meta in (("running_mean", running_mean), ("running_var", running_var)):
        if meta is None:
            raise TypeError(f"{fn}: {arg} is required (an array of shape ({c},)), got None")
        check_param(fn, arg, meta, (c,))
    check_param(fn, "weight", weight, (c,))
    check_param(fn, "bias", bias, (c,))
    training = check_bool(fn, "training", training)
    momentum = check_real(fn, "momentum", momentum)
    if not 0.0 <= momentum <= 1.0:
        raise ValueError(f"{fn}: momentum must be in [0, 1], got {momentum!r}")
    eps = check_eps(fn, eps)
    count = shape[0] * math.prod(shape[2:])
    if training and count <= 1:
        # the unbiased variance that feeds running_var divides by count - 1
        raise ValueError(f"{fn}: training needs more than one value per channel, got input of shape "
                         f"{_shape_str(shape)} ({count} value(s) per channel)")
    return training, momentum, eps


def layer_norm(x, normalized_ndim, weight, bias, *, eps):
    """Returns ``(normalized_ndim, eps)``; weight/bias have the shape of the last ``normalized_ndim`` axes."""
    fn = "layer_norm"
    shape = check_x(fn, x, 1, "(..., *normalized_shape)")
    k = check_normalized_ndim(fn, normalized_ndim, len(shape))
    check_param(fn, "weight", weight, shape[-k:])
    check_param(fn, "bias", bias, shape[-k:])
    return k, check_eps(fn, eps)


def instance_norm(x, weight, bias, *, eps):
    """Returns ``eps``; x ``(N, C, *spatial)`` with at least one spatial axis, weight/bias ``(C,)``."""
    fn = "instance_norm"
    shape = check_x(fn, x, 3, "(N, C, *spatial) with at least one spatial axis")
    check_param(fn, "weight", weight, (shape[1],))
    check_param(fn, "bias", bias, (shape[1],))
    return check_eps(fn, eps)


def group_norm(x, num_groups, weight, bias, *, eps):
    """Returns ``(num_groups, eps)``; x ``(N, C, *spatial)``, ``C % num_groups == 0``, weight/bias ``(C,)``."""
    fn = "group_norm"
    shape = check_x(fn, x, 2, "(N, C, *spatial)")
    g = check_int(fn, "num_groups", num_groups)
    c = shape[1]
    if g < 1:
        raise ValueError(f"{fn}: num_groups must be >= 1, got {g}")
    if c % g:
        raise ValueError(f"{fn}: the number of channels C={c} must be divisible by num_groups={g}")
    check_param(fn, "weight", weight, (c,))
    check_param(fn, "bias", bias, (c,))
    return g, check_eps(fn, eps)


def rms_norm(x, normalized_ndim, weight, *, eps):
    """Returns ``(normalized_ndim, eps)``; weight has the shape of the last ``normalized_ndim`` axes."""
    fn = "rms_norm"
    shape = check_x(fn, x, 1, "(..., *normalized_shape)")
    k = check_normalized_ndim(fn, normalized_ndim, len(shape))
    check_param(fn, "weight", weight, shape[-k:])
    return k, check_eps(fn, eps)
