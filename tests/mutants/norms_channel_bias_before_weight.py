"""Batch, group and instance norm adding the bias before multiplying by the weight: ``(y + b) * w``.

Real bug class: the affine map applied in the wrong order (a fused kernel's epilogue written as
``fma(y + b, w)``), so the bias gets scaled by the weight. Identical whenever weight is 1 or bias 0, which is
what most tests use. Caught by: ``weight_bias_are_affine`` of each of the three, and the oracle comparison.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-norms-channel-bias-before-weight"
DTYPES = ("float32", "float64")
CATCHES = ("batch_norm:weight_bias_are_affine", "instance_norm:weight_bias_are_affine",
           "group_norm:weight_bias_are_affine")


def _bias_then_weight(y, weight, bias):
    """``(y + bias[c]) * weight[c]`` (BUG: the bias is added first, so the weight scales it too)."""
    shape = (1, -1) + (1,) * (y.ndim - 2)
    y = y if bias is None else y + np.asarray(bias, y.dtype).reshape(shape)
    return y if weight is None else y * np.asarray(weight, y.dtype).reshape(shape)


def batch_norm(x, running_mean, running_var, weight=None, bias=None, *, training, momentum=0.1, eps=1e-5):
    """The reference's batch norm with the affine step of :func:`_bias_then_weight`."""
    reference.batch_norm(x, running_mean, running_var, weight, bias, training=training, momentum=momentum,
                         eps=eps)  # validates
    y, rm, rv = reference.batch_norm(x, running_mean, running_var, training=training, momentum=momentum, eps=eps)
    return _bias_then_weight(y, weight, bias), rm, rv


def instance_norm(x, weight=None, bias=None, *, eps=1e-5):
    """The reference's instance norm with the affine step of :func:`_bias_then_weight`."""
    reference.instance_norm(x, weight, bias, eps=eps)  # validates
    return _bias_then_weight(reference.instance_norm(x, eps=eps), weight, bias)


def group_norm(x, num_groups, weight=None, bias=None, *, eps=1e-5):
    """The reference's group norm with the affine step of :func:`_bias_then_weight`."""
    reference.group_norm(x, num_groups, weight, bias, eps=eps)  # validates
    return _bias_then_weight(reference.group_norm(x, num_groups, eps=eps), weight, bias)
