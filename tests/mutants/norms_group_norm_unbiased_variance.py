"""Group norm normalising with the unbiased (n - 1) variance of each group; layer and instance norm correct.

Real bug class: ``x.var(dim)`` in PyTorch is unbiased by default, so a hand-written group norm that calls it
is off by ``sqrt(n / (n - 1))`` (worst for small groups). The module also provides correct layer and instance
norm, so the group-norm identities can be checked against them. Caught by: group norm with 1 group equals layer
norm and with C groups equals instance norm, and the oracle comparison.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import instance_norm, layer_norm  # noqa: F401  (correct: the references)

NAME = "mutant-norms-group-norm-unbiased-variance"
DTYPES = ("float32", "float64")
CATCHES = ("group_norm:extremes_are_layer_and_instance_norm",)


def group_norm(x, num_groups, weight=None, bias=None, *, eps=1e-5):
    """Group norm dividing by ``sqrt(var * m / (m - 1) + eps)`` for groups of ``m > 1`` elements (BUG: the
    unbiased variance)."""
    reference.group_norm(x, num_groups, weight, bias, eps=eps)  # validates
    x = np.asarray(x)
    grouped = x.reshape((x.shape[0], num_groups, -1) + x.shape[2:])
    axes = tuple(range(2, grouped.ndim))
    ddof = 1 if grouped[0, 0].size > 1 else 0
    y = (grouped - grouped.mean(axis=axes, keepdims=True)) / np.sqrt(grouped.var(axis=axes, ddof=ddof,
                                                                                  keepdims=True) + eps)
    shape = (1, -1) + (1,) * (x.ndim - 2)
    y = y.reshape(x.shape)
    y = y if weight is None else y * np.asarray(weight, y.dtype).reshape(shape)
    return (y if bias is None else y + np.asarray(bias, y.dtype).reshape(shape)).astype(x.dtype)
