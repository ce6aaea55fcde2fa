"""Activations: ``transformers.activations.ACT2FN``, the table every transformers model looks its
``hidden_act`` up in.

``gelu`` is ``ACT2FN["gelu"]`` (``GELUActivation``: ``F.gelu``, exact erf); with ``approximate=True`` it is
``ACT2FN["gelu_new"]`` (``NewGELUActivation``, GPT-2's default ``activation_function``:
0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), evaluated with torch ops in the input dtype).
Softmax has no ACT2FN entry (models call torch's), so it is not provided.
"""
from transformers.activations import ACT2FN

from impls._validate import activations as check

__all__ = ["relu", "sigmoid", "tanh", "silu", "gelu"]


def _act(name, x):
    """``ACT2FN[name](x)``: ACT2FN instantiates the activation module, which is then called."""
    check.elementwise(name, (x.shape, x.dtype))
    return ACT2FN[name](x)


def relu(x):
    """``ACT2FN["relu"]`` (``nn.ReLU``): max(x, 0)."""
    return _act("relu", x)


def sigmoid(x):
    """``ACT2FN["sigmoid"]`` (``nn.Sigmoid``): 1 / (1 + exp(-x))."""
    return _act("sigmoid", x)


def tanh(x):
    """``ACT2FN["tanh"]`` (``nn.Tanh``)."""
    return _act("tanh", x)


def silu(x):
    """``ACT2FN["silu"]`` (``SiLUActivation``: ``F.silu``): x * sigmoid(x)."""
    return _act("silu", x)


def gelu(x, *, approximate=False):
    """``ACT2FN["gelu"]`` (exact, erf) or, approximate, ``ACT2FN["gelu_new"]`` (GPT-2's tanh form)."""
    approximate = check.gelu((x.shape, x.dtype), approximate)
    return ACT2FN["gelu_new" if approximate else "gelu"](x)
