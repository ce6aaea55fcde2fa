"""Group norm normalising with the unbiased (n - 1) variance of each group; layer and instance norm correct.

Real bug class: ``x.var(dim)`` in PyTorch is unbiased by default, so a hand-written group norm that calls it
is off by ``sqrt(n / (n - 1))`` (worst for small groups). The module also provides correct layer and instance
norm, so the group-norm identities can be checked against them. Caught by: group norm with 1 group equals layer
norm and with C groups equals instance norm, and the oracle comparison.
"""
import numpy as np

from impls._validate import norms as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import instance_norm, layer_norm  # noqa: F401  (correct: the references)
from impls.numpy._util import upcast
from impls.numpy.norms import _affine, _channel_shape, _meta

NAME = "mutant-norms-group-norm-unbiased-variance"
DTYPES = ("float32", "float64")


def group_norm(x, num_groups, weight=None, bias=None, *, eps=1e-5):
    g, eps = V.group_norm(_meta(x), num_groups, _meta(weight), _meta(bias), eps=eps)
    x = np.asarray(x)
    n, c = x.shape[:2]
    grouped = upcast(x).reshape((n, g, c // g) + x.shape[2:])
    axes = tuple(range(2, grouped.ndim))
    mean = grouped.mean(axis=axes, keepdims=True)
    count = grouped[0, 0].size
    var = grouped.var(axis=axes, ddof=1 if count > 1 else 0, keepdims=True)  # BUG: unbiased
    y = ((grouped - mean) / np.sqrt(var + eps)).reshape(x.shape)
    return _affine(y, weight, bias, _channel_shape(x.ndim)).astype(x.dtype)
