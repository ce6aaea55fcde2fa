"""Activations: ``jax.nn``'s and ``jnp.tanh``."""

import jax
import jax.numpy as jnp

from impls._jax_jit import jit
from impls._validate import activations as check

__all__ = ["relu", "sigmoid", "tanh", "silu", "gelu", "softmax", "log_softmax"]

_relu = jit(jax.nn.relu)
_sigmoid = jit(jax.nn.sigmoid)
_tanh = jit(jnp.tanh)
_silu = jit(jax.nn.silu)
_gelu = jit(jax.nn.gelu, static_argnames=("approximate",))
_softmax = jit(jax.nn.softmax, static_argnames=("axis",))
_log_softmax = jit(jax.nn.log_softmax, static_argnames=("axis",))


def relu(x):
    """``jax.nn.relu``: max(x, 0)."""
    check.elementwise("relu", (x.shape, x.dtype))
    return _relu(x)


def sigmoid(x):
    """``jax.nn.sigmoid``: 1 / (1 + exp(-x))."""
    check.elementwise("sigmoid", (x.shape, x.dtype))
    return _sigmoid(x)


def tanh(x):
    """``jnp.tanh``."""
    check.elementwise("tanh", (x.shape, x.dtype))
    return _tanh(x)


def silu(x):
    """``jax.nn.silu``: x * sigmoid(x)."""
    check.elementwise("silu", (x.shape, x.dtype))
    return _silu(x)


def gelu(x, *, approximate=False):
    """``jax.nn.gelu``: x * Phi(x) (erfc), or with ``approximate`` the tanh formula
    0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    approximate = check.gelu((x.shape, x.dtype), approximate)
    # jax.nn.gelu defaults to the tanh approximation; the contract's default is the exact form.
    return _gelu(x, approximate=approximate)


def softmax(x, *, axis=-1):
    """``jax.nn.softmax``: exp(x - max) / sum(exp(x - max)) along ``axis``."""
    return _softmax(x, axis=check.softmax("softmax", (x.shape, x.dtype), axis))


def log_softmax(x, *, axis=-1):
    """``jax.nn.log_softmax``: x - logsumexp(x) along ``axis``."""
    return _log_softmax(x, axis=check.softmax("log_softmax", (x.shape, x.dtype), axis))
