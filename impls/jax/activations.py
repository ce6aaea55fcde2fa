"""Activations (SPEC 3.2) from ``jax.numpy``/``jax.lax`` primitives (no ``jax.nn``).

Every formula is arranged so that no intermediate overflows for any finite input — ``exp`` only ever sees
non-positive arguments — which also keeps autodiff free of ``0 * inf`` in the unselected ``where`` branches.
Arguments are validated in Python, then a jitted kernel (the axis static) runs.
"""
import math

import jax
import jax.numpy as jnp

from .._validate import activations as V
from ._util import upcast
from ._jit import jit

__all__ = ["relu", "sigmoid", "tanh", "silu", "gelu", "softmax", "log_softmax"]

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
# |x| beyond which the tanh-GELU gate is saturated to 0/1 in every dtype; clipping the cubic there keeps it finite
_GELU_CUBIC_CLIP = 1e4


def _meta(a):
    if not (hasattr(a, "shape") and hasattr(a, "dtype")):
        raise TypeError(f"expected a jax.Array, got {type(a).__name__}")
    return tuple(a.shape), a.dtype


def _sigmoid(x):
    """``1 / (1 + exp(-x))`` written with ``e = exp(-|x|) <= 1`` on both sides of 0.
    ``-|x|`` is spelled as a ``where`` because autodiff gives ``abs`` slope 0 at 0, which would zero the
    gradient of sigmoid at 0."""
    e = jnp.exp(jnp.where(x >= 0, -x, x))
    return jnp.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


@jit
def _relu(x):
    return jnp.where(x <= 0, jnp.zeros_like(x), x)


@jit
def _sigmoid_kernel(x):
    return _sigmoid(upcast(x)).astype(x.dtype)


@jit
def _tanh(x):
    return jnp.tanh(upcast(x)).astype(x.dtype)


@jit
def _silu(x):
    xc = upcast(x)
    return (xc * _sigmoid(xc)).astype(x.dtype)


@jit(static_argnames=("approximate",))
def _gelu(x, approximate):
    xc = upcast(x)
    if approximate:
        xt = jnp.clip(xc, -_GELU_CUBIC_CLIP, _GELU_CUBIC_CLIP)
        y = xc * _sigmoid(2.0 * _SQRT_2_OVER_PI * (xt + 0.044715 * xt * xt * xt))
    else:
        # erfc keeps relative accuracy in the left tail, where 1 + erf cancels
        y = 0.5 * xc * jax.lax.erfc(-xc / math.sqrt(2.0))
    return y.astype(x.dtype)


def _shifted(x, axis):
    """``x - max(x, axis)``: all <= 0, so ``exp`` of it cannot overflow and the largest term is 1.
    The max is a constant for autodiff: the result does not depend on it."""
    return x - jax.lax.stop_gradient(jnp.max(x, axis=axis, keepdims=True, initial=-jnp.inf))


@jit(static_argnames=("axis",))
def _softmax(x, axis):
    e = jnp.exp(_shifted(upcast(x), axis))
    return (e / jnp.sum(e, axis=axis, keepdims=True)).astype(x.dtype)


def _log_sum_exp(z, axis):
    """``log(sum(exp(z), axis))`` (keepdims) of ``z = x - max(x)`` (all <= 0, the max 0), as ``log1p`` of the
    sum with the max's term replaced by ``expm1(0) = 0``: exactly the others' sum ``R``, so that a row whose
    max dominates keeps ``log1p(R) ~ R`` relatively accurate (``log`` of the rounded ``1 + R`` is 0 once ``R``
    is below the rounding of 1). ``expm1``'s slope 1 at 0 keeps the max's gradient ``p_max``; a tie at the max
    keeps its other members' terms ``exp(0) = 1``. ``axis`` must not be empty."""
    first = jnp.argmax(z, axis=axis, keepdims=True)
    positions = jax.lax.broadcasted_iota(first.dtype, z.shape, axis % z.ndim)
    terms = jnp.where(positions == first, jnp.expm1(z), jnp.exp(z))
    return jnp.log1p(jnp.sum(terms, axis=axis, keepdims=True))


@jit(static_argnames=("axis",))
def _log_softmax(x, axis):
    z = _shifted(upcast(x), axis)
    return (z - _log_sum_exp(z, axis)).astype(x.dtype)


def relu(x):
    """``max(x, 0)`` (NaN stays NaN; the gradient at 0 is 0, as PyTorch's)."""
    V.elementwise("relu", _meta(x))
    return _relu(x)


def sigmoid(x):
    """``1 / (1 + exp(-x))``."""
    V.elementwise("sigmoid", _meta(x))
    return _sigmoid_kernel(x)


def tanh(x):
    """``(e^x - e^-x) / (e^x + e^-x)``, by the library's tanh."""
    V.elementwise("tanh", _meta(x))
    return _tanh(x)


def silu(x):
    """``x * sigmoid(x)``."""
    V.elementwise("silu", _meta(x))
    return _silu(x)


def gelu(x, *, approximate=False):
    """exact: ``x * Phi(x) = x/2 * erfc(-x / sqrt 2)``; approximate:
    ``x/2 * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x^3))) = x * sigmoid(2 sqrt(2/pi) (x + 0.044715 x^3))``."""
    approximate = V.gelu(_meta(x), approximate)
    return _gelu(x, approximate)


def softmax(x, *, axis=-1):
    """``exp(x - m) / sum(exp(x - m), axis)`` with ``m = max(x, axis)``."""
    axis = V.softmax("softmax", _meta(x), axis)
    return _softmax(x, axis)


def log_softmax(x, *, axis=-1):
    """``(x - m) - log(sum(exp(x - m), axis))`` with ``m = max(x, axis)`` (the log-sum-exp by
    :func:`_log_sum_exp`: relatively accurate where the max dominates)."""
    axis = V.softmax("log_softmax", _meta(x), axis)
    if x.shape[axis] == 0:  # nothing to normalise (and no max to exclude)
        return x
    return _log_softmax(x, axis)
