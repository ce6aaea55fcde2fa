"""Sigmoid written as ``exp(x) / (1 + exp(x))``: inf / inf = NaN for x above ~88.7 (float32) / ~709.8 (float64).

Real bug class: the algebraically equal form of the logistic function, chosen without checking the overflow
side. Caught by: no overflow for large |x|, ``sigmoid(x) + sigmoid(-x) == 1``, and the oracle comparison.
"""
import numpy as np

from impls._validate import activations as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.activations import _meta

NAME = "mutant-activations-sigmoid-naive"
DTYPES = ("float32", "float64")


def sigmoid(x):
    V.elementwise("sigmoid", _meta(x))
    xc = upcast(np.asarray(x))
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(xc)
        return (e / (1.0 + e)).astype(x.dtype)  # BUG: NaN for large positive x
