"""Activations (SPEC 3.2) in NumPy: the float64 oracle.

Every formula is arranged so that no intermediate overflows for any finite input: ``exp`` only ever sees
non-positive arguments.
"""
import math

import numpy as np

from .._validate import activations as V
from ._util import upcast

__all__ = ["relu", "sigmoid", "tanh", "silu", "gelu", "softmax", "log_softmax"]

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
# |x| beyond which the tanh-GELU gate is saturated to 0/1 in every dtype; clipping the cubic there keeps it finite
_GELU_CUBIC_CLIP = 1e4
# math.erfc is correctly rounded in double precision; NumPy itself has no erf
_erfc = np.vectorize(math.erfc, otypes=[np.float64])


def _meta(a):
    return np.shape(a), np.asarray(a).dtype


def _sigmoid(x):
    """``1 / (1 + exp(-x))`` written with ``e = exp(-|x|) <= 1`` on both sides of 0."""
    e = np.exp(np.where(x >= 0, -x, x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def relu(x):
    """``max(x, 0)`` (NaN stays NaN)."""
    V.elementwise("relu", _meta(x))
    x = np.asarray(x)
    xc = upcast(x)
    return np.where(xc <= 0, 0.0, xc).astype(x.dtype)


def sigmoid(x):
    """``1 / (1 + exp(-x))``."""
    V.elementwise("sigmoid", _meta(x))
    x = np.asarray(x)
    return _sigmoid(upcast(x)).astype(x.dtype)


def tanh(x):
    """``(e^x - e^-x) / (e^x + e^-x)``, by the library's tanh."""
    V.elementwise("tanh", _meta(x))
    x = np.asarray(x)
    return np.tanh(upcast(x)).astype(x.dtype)


def silu(x):
    """``x * sigmoid(x)``."""
    V.elementwise("silu", _meta(x))
    x = np.asarray(x)
    xc = upcast(x)
    return (xc * _sigmoid(xc)).astype(x.dtype)


def gelu(x, *, approximate=False):
    """exact: ``x * Phi(x) = x/2 * erfc(-x / sqrt 2)``; approximate:
    ``x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))) = x * sigmoid(2 sqrt(2/pi) (x + 0.044715 x^3))``."""
    approximate = V.gelu(_meta(x), approximate)
    x = np.asarray(x)
    xc = upcast(x)
    if approximate:
        xt = np.clip(xc, -_GELU_CUBIC_CLIP, _GELU_CUBIC_CLIP)
        y = xc * _sigmoid(2.0 * _SQRT_2_OVER_PI * (xt + 0.044715 * xt * xt * xt))
    else:
        # erfc keeps relative accuracy in the left tail, where 1 + erf cancels
        y = 0.5 * xc * _erfc(-xc / math.sqrt(2.0)).astype(xc.dtype)
    return y.astype(x.dtype)


def _shifted(x, axis):
    """``x - max(x, axis)``: all <= 0, so ``exp`` of it cannot overflow and the largest term is 1."""
    return x - np.max(x, axis=axis, keepdims=True, initial=-np.inf)


def softmax(x, *, axis=-1):
    """``exp(x - m) / sum(exp(x - m), axis)`` with ``m = max(x, axis)``."""
    axis = V.softmax("softmax", _meta(x), axis)
    x = np.asarray(x)
    e = np.exp(_shifted(upcast(x), axis))
    return (e / np.sum(e, axis=axis, keepdims=True)).astype(x.dtype)


def _log_sum_exp(z, axis):
    """``log(sum(exp(z), axis))`` (keepdims) of ``z = x - max(x)`` (all <= 0, the max 0), as ``log1p`` of the
    sum with the max's term replaced by ``expm1(0) = 0``: exactly the others' sum ``R``, so that a row whose
    max dominates keeps ``log1p(R) ~ R`` relatively accurate (``log`` of the rounded ``1 + R`` is 0 once
    ``R`` is below the rounding of 1)."""
    if z.shape[axis] == 0:
        return np.log(np.sum(np.exp(z), axis=axis, keepdims=True))
    first = np.expand_dims(np.argmax(z, axis=axis), axis)
    positions = np.arange(z.shape[axis]).reshape([-1 if a == axis % z.ndim else 1 for a in range(z.ndim)])
    terms = np.where(positions == first, np.expm1(z), np.exp(z))
    return np.log1p(np.sum(terms, axis=axis, keepdims=True))


def log_softmax(x, *, axis=-1):
    """``(x - m) - log(sum(exp(x - m), axis))`` with ``m = max(x, axis)`` (the log-sum-exp by
    :func:`_log_sum_exp`: relatively accurate where the max dominates)."""
    axis = V.softmax("log_softmax", _meta(x), axis)
    x = np.asarray(x)
    z = _shifted(upcast(x), axis)
    return (z - _log_sum_exp(z, axis)).astype(x.dtype)
