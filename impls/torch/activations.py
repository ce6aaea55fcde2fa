"""Activations (SPEC 3.2) from elementary tensor ops (no ``torch.nn.functional``, ``torch.softmax``,
``torch.sigmoid``).

Every formula is arranged so that no intermediate overflows for any finite input — ``exp`` only ever sees
non-positive arguments — which also keeps autograd free of ``0 * inf`` in the unselected ``where`` branches.
"""
import math

import torch

from .._validate import activations as V
from ._util import upcast

__all__ = ["relu", "sigmoid", "tanh", "silu", "gelu", "softmax", "log_softmax"]

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
# |x| beyond which the tanh-GELU gate is saturated to 0/1 in every dtype; clipping the cubic there keeps it finite
_GELU_CUBIC_CLIP = 1e4


def _meta(a):
    if not isinstance(a, torch.Tensor):
        raise TypeError(f"expected a torch.Tensor, got {type(a).__name__}")
    return tuple(a.shape), a.dtype


def _sigmoid(x):
    """``1 / (1 + exp(-x))`` written with ``e = exp(-|x|) <= 1`` on both sides of 0.
    ``-|x|`` is spelled as a ``where`` because autograd gives ``abs`` slope 0 at 0, which would zero the
    gradient of sigmoid at 0."""
    e = torch.exp(torch.where(x >= 0, -x, x))
    return torch.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def relu(x):
    """``max(x, 0)`` (NaN stays NaN; the gradient at 0 is 0, as PyTorch's)."""
    V.elementwise("relu", _meta(x))
    return torch.where(x <= 0, torch.zeros_like(x), x)


def sigmoid(x):
    """``1 / (1 + exp(-x))``."""
    V.elementwise("sigmoid", _meta(x))
    return _sigmoid(upcast(x)).to(x.dtype)


def tanh(x):
    """``(e^x - e^-x) / (e^x + e^-x)``, by the library's tanh."""
    V.elementwise("tanh", _meta(x))
    return torch.tanh(upcast(x)).to(x.dtype)


def silu(x):
    """``x * sigmoid(x)``."""
    V.elementwise("silu", _meta(x))
    xc = upcast(x)
    return (xc * _sigmoid(xc)).to(x.dtype)


def gelu(x, *, approximate=False):
    """exact: ``x * Phi(x) = x/2 * erfc(-x / sqrt 2)``; approximate:
    ``x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))) = x * sigmoid(2 sqrt(2/pi) (x + 0.044715 x^3))``."""
    approximate = V.gelu(_meta(x), approximate)
    xc = upcast(x)
    if approximate:
        xt = xc.clamp(-_GELU_CUBIC_CLIP, _GELU_CUBIC_CLIP)
        y = xc * _sigmoid(2.0 * _SQRT_2_OVER_PI * (xt + 0.044715 * xt * xt * xt))
    else:
        # erfc keeps relative accuracy in the left tail, where 1 + erf cancels
        y = 0.5 * xc * torch.erfc(-xc / math.sqrt(2.0))
    return y.to(x.dtype)


def _shifted(x, dim):
    """``x - max(x, dim)``: all <= 0, so ``exp`` of it cannot overflow and the largest term is 1.
    The max is a constant for autograd: the result does not depend on it."""
    return x - x.detach().amax(dim=dim, keepdim=True)


def softmax(x, *, axis=-1):
    """``exp(x - m) / sum(exp(x - m), axis)`` with ``m = max(x, axis)``."""
    axis = V.softmax("softmax", _meta(x), axis)
    if x.shape[axis] == 0:
        return x.clone()
    e = torch.exp(_shifted(upcast(x), axis))
    return (e / e.sum(dim=axis, keepdim=True)).to(x.dtype)


def _log_sum_exp(z, dim):
    """``log(sum(exp(z), dim))`` (keepdim) of ``z = x - max(x)`` (all <= 0, the max 0), as ``log1p`` of the
    sum with the max's term replaced by ``expm1(0) = 0``: exactly the others' sum ``R``, so that a row whose
    max dominates keeps ``log1p(R) ~ R`` relatively accurate (``log`` of the rounded ``1 + R`` is 0 once ``R``
    is below the rounding of 1). ``expm1``'s slope 1 at 0 keeps the max's gradient ``p_max``; a tie at the max
    keeps its other members' terms ``exp(0) = 1``. ``dim`` must not be empty."""
    first = z.argmax(dim=dim, keepdim=True)
    shape = [1] * z.ndim
    shape[dim] = -1
    positions = torch.arange(z.shape[dim], device=z.device).reshape(shape)
    terms = torch.where(positions == first, torch.expm1(z), torch.exp(z))
    return torch.log1p(terms.sum(dim=dim, keepdim=True))


def log_softmax(x, *, axis=-1):
    """``(x - m) - log(sum(exp(x - m), axis))`` with ``m = max(x, axis)`` (the log-sum-exp by
    :func:`_log_sum_exp`: relatively accurate where the max dominates)."""
    axis = V.softmax("log_softmax", _meta(x), axis)
    if x.shape[axis] == 0:
        return x.clone()
    z = _shifted(upcast(x), axis)
    return (z - _log_sum_exp(z, axis)).to(x.dtype)
