"""Activations: ``keras.ops.relu``, ``sigmoid``, ``tanh``, ``silu``, ``gelu``, ``softmax``, ``log_softmax``.

On the JAX backend these call ``jax.nn`` (``tanh``: ``jnp.tanh`` after Keras' dtype promotion). ``gelu``'s
``approximate`` is passed explicitly: Keras defaults to the tanh formula, the catalogue to the exact one.
"""
from impls._validate import activations as check

from ._util import jit, keras

__all__ = ["relu", "sigmoid", "tanh", "silu", "gelu", "softmax", "log_softmax"]

_relu = jit(keras.ops.relu)
_sigmoid = jit(keras.ops.sigmoid)
_tanh = jit(keras.ops.tanh)
_silu = jit(keras.ops.silu)
_gelu = jit(keras.ops.gelu, static_argnames=("approximate",))
_softmax = jit(keras.ops.softmax, static_argnames=("axis",))
_log_softmax = jit(keras.ops.log_softmax, static_argnames=("axis",))


def relu(x):
    """``keras.ops.relu``: max(x, 0)."""
    check.elementwise("relu", (x.shape, x.dtype))
    return _relu(x)


def sigmoid(x):
    """``keras.ops.sigmoid``: 1 / (1 + exp(-x))."""
    check.elementwise("sigmoid", (x.shape, x.dtype))
    return _sigmoid(x)


def tanh(x):
    """``keras.ops.tanh``."""
    check.elementwise("tanh", (x.shape, x.dtype))
    return _tanh(x)


def silu(x):
    """``keras.ops.silu``: x * sigmoid(x)."""
    check.elementwise("silu", (x.shape, x.dtype))
    return _silu(x)


def gelu(x, *, approximate=False):
    """``keras.ops.gelu(x, approximate=...)``: x * Phi(x), or the tanh formula with ``approximate``."""
    return _gelu(x, approximate=check.gelu((x.shape, x.dtype), approximate))


def softmax(x, *, axis=-1):
    """``keras.ops.softmax``: exp(x - max) / sum(exp(x - max)) along ``axis``."""
    return _softmax(x, axis=check.softmax("softmax", (x.shape, x.dtype), axis))


def log_softmax(x, *, axis=-1):
    """``keras.ops.log_softmax``: x - logsumexp(x) along ``axis``."""
    return _log_softmax(x, axis=check.softmax("log_softmax", (x.shape, x.dtype), axis))
