"""Softmax always over the last axis, whatever ``axis`` says.

Real bug class: ``dim=-1`` hard-coded inside a helper that takes an axis argument (attention over heads vs keys,
channel softmax in segmentation). Caught by: rows summing to 1 along the requested axis, and the float64 oracle
comparison with axis != -1.
"""
import numpy as np

from impls._validate import activations as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.activations import _meta

NAME = "mutant-activations-softmax-axis-ignored"
DTYPES = ("float32", "float64")


def softmax(x, *, axis=-1):
    V.softmax("softmax", _meta(x), axis)
    xc = upcast(np.asarray(x))
    e = np.exp(xc - xc.max(axis=-1, keepdims=True))  # BUG: axis ignored
    return (e / e.sum(axis=-1, keepdims=True)).astype(x.dtype)
