"""Activation modules: ``nn.ReLU``, ``nn.Sigmoid``, ``nn.Tanh``, ``nn.SiLU``, ``nn.GELU``, ``nn.Softmax``,
``nn.LogSoftmax`` (parameter-free: built once per option and called)."""
from torch import nn

from impls._validate import activations as check

from ._module import build

__all__ = ["relu", "sigmoid", "tanh", "silu", "gelu", "softmax", "log_softmax"]


def _elementwise(name, cls, x):
    check.elementwise(name, (x.shape, x.dtype))
    return build(cls)(x)


def relu(x):
    """``nn.ReLU()``: max(x, 0)."""
    return _elementwise("relu", nn.ReLU, x)


def sigmoid(x):
    """``nn.Sigmoid()``: 1 / (1 + exp(-x))."""
    return _elementwise("sigmoid", nn.Sigmoid, x)


def tanh(x):
    """``nn.Tanh()``."""
    return _elementwise("tanh", nn.Tanh, x)


def silu(x):
    """``nn.SiLU()``: x * sigmoid(x)."""
    return _elementwise("silu", nn.SiLU, x)


def gelu(x, *, approximate=False):
    """``nn.GELU(approximate="none")``: x * Phi(x) (erf); with ``approximate``, ``nn.GELU(approximate="tanh")``:
    0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    approximate = check.gelu((x.shape, x.dtype), approximate)
    # the module names the two forms with strings; the catalogue uses a bool
    return build(nn.GELU, approximate="tanh" if approximate else "none")(x)


def softmax(x, *, axis=-1):
    """``nn.Softmax(dim=axis)``: exp(x - max) / sum(exp(x - max)) along ``axis``."""
    axis = check.softmax("softmax", (x.shape, x.dtype), axis)
    return build(nn.Softmax, dim=axis)(x)


def log_softmax(x, *, axis=-1):
    """``nn.LogSoftmax(dim=axis)``: x - logsumexp(x) along ``axis``."""
    axis = check.softmax("log_softmax", (x.shape, x.dtype), axis)
    return build(nn.LogSoftmax, dim=axis)(x)
