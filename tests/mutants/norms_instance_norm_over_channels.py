"""InstanceNorm taking its statistics over channels and spatial axes together (per sample, not per channel).

Real bug class: reducing over ``dims=(1, 2, ...)`` instead of ``(2, ...)``: that is LayerNorm over (C, *spatial),
i.e. GroupNorm with one group. Caught by: zero mean per (n, c), "group norm with C groups equals instance norm",
and the float64 oracle comparison.
"""
import numpy as np

from impls._validate import norms as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.norms import _meta

NAME = "mutant-norms-instance-norm-over-channels"
DTYPES = ("float32", "float64")


def instance_norm(x, weight=None, bias=None, *, eps=1e-5):
    eps = V.instance_norm(_meta(x), _meta(weight), _meta(bias), eps=eps)
    xc = upcast(np.asarray(x))
    cshape = (1, -1) + (1,) * (xc.ndim - 2)
    axes = tuple(range(1, xc.ndim))  # BUG: should start at 2
    mean = xc.mean(axis=axes, keepdims=True)
    var = ((xc - mean) ** 2).mean(axis=axes, keepdims=True)
    y = (xc - mean) / np.sqrt(var + eps)
    if weight is not None:
        y = y * np.asarray(weight, dtype=y.dtype).reshape(cshape)
    if bias is not None:
        y = y + np.asarray(bias, dtype=y.dtype).reshape(cshape)
    return y.astype(x.dtype)
