"""Activations: ``torch``'s element-wise functions and ``F.softmax``/``F.log_softmax``."""
import torch
import torch.nn.functional as F

from impls._validate import activations as check

__all__ = ["relu", "sigmoid", "tanh", "silu", "gelu", "softmax", "log_softmax"]


def relu(x):
    """``F.relu``: max(x, 0)."""
    check.elementwise("relu", (x.shape, x.dtype))
    return F.relu(x)


def sigmoid(x):
    """``torch.sigmoid``: 1 / (1 + exp(-x))."""
    check.elementwise("sigmoid", (x.shape, x.dtype))
    return torch.sigmoid(x)


def tanh(x):
    """``torch.tanh``."""
    check.elementwise("tanh", (x.shape, x.dtype))
    return torch.tanh(x)


def silu(x):
    """``F.silu``: x * sigmoid(x)."""
    check.elementwise("silu", (x.shape, x.dtype))
    return F.silu(x)


def gelu(x, *, approximate=False):
    """``F.gelu``: x * Phi(x) (erf), or with ``approximate`` the tanh formula
    0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    approximate = check.gelu((x.shape, x.dtype), approximate)
    # torch names the two forms with strings; the contract uses a bool.
    return F.gelu(x, approximate="tanh" if approximate else "none")


def softmax(x, *, axis=-1):
    """``F.softmax``: exp(x - max) / sum(exp(x - max)) along ``axis``."""
    axis = check.softmax("softmax", (x.shape, x.dtype), axis)
    return F.softmax(x, dim=axis)


def log_softmax(x, *, axis=-1):
    """``F.log_softmax``: x - logsumexp(x) along ``axis``."""
    axis = check.softmax("log_softmax", (x.shape, x.dtype), axis)
    return F.log_softmax(x, dim=axis)
