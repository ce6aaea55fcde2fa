"""Activations exported by flax.nnx (``nnx.relu``, ``nnx.sigmoid``, ``nnx.tanh``, ``nnx.silu``, ``nnx.gelu``,
``nnx.softmax``, ``nnx.log_softmax``): flax re-exports ``jax.nn``'s functions under its own API, so these are
the same computations as the ``jax_native`` implementation's, called as flax users call them."""
from flax import nnx

from impls._validate import activations as check

from ._util import kernel, meta

__all__ = ["relu", "sigmoid", "tanh", "silu", "gelu", "softmax", "log_softmax"]


@kernel("name")
def _elementwise(x, name):
    return getattr(nnx, name)(x)


@kernel("approximate")
def _gelu(x, approximate):
    return nnx.gelu(x, approximate=approximate)


@kernel("axis", "log")
def _softmax(x, axis, log):
    return (nnx.log_softmax if log else nnx.softmax)(x, axis=axis)


def relu(x):
    """``nnx.relu``: max(x, 0)."""
    check.elementwise("relu", meta(x))
    return _elementwise(x, name="relu")


def sigmoid(x):
    """``nnx.sigmoid``: 1 / (1 + exp(-x))."""
    check.elementwise("sigmoid", meta(x))
    return _elementwise(x, name="sigmoid")


def tanh(x):
    """``nnx.tanh``."""
    check.elementwise("tanh", meta(x))
    return _elementwise(x, name="tanh")


def silu(x):
    """``nnx.silu``: x * sigmoid(x)."""
    check.elementwise("silu", meta(x))
    return _elementwise(x, name="silu")


def gelu(x, *, approximate=False):
    """``nnx.gelu(x, approximate=...)``: x * Phi(x) (erf), or the tanh formula when approximate."""
    approximate = check.gelu(meta(x), approximate)
    return _gelu(x, approximate=approximate)


def softmax(x, *, axis=-1):
    """``nnx.softmax(x, axis=axis)``."""
    axis = check.softmax("softmax", meta(x), axis)
    return _softmax(x, axis=axis, log=False)


def log_softmax(x, *, axis=-1):
    """``nnx.log_softmax(x, axis=axis)``."""
    axis = check.softmax("log_softmax", meta(x), axis)
    return _softmax(x, axis=axis, log=True)
