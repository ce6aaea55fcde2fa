"""log-softmax over the first axis by default.

Real bug class: PyTorch's deprecated implicit `dim` chose 0 for 0-, 1- and 3-d inputs; a kernel defaulting to the first axis agrees on vectors only. Every other property passes this argument, so only the default is wrong: caught by
``defaults_are_the_catalogue_defaults`` in float32 (the dtype a plug-in declares by default).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-defaults-log-softmax-axis-zero-by-default"
DTYPES = ("float32",)
CATCHES = ("log_softmax:defaults_are_the_catalogue_defaults@float32",)


def log_softmax(x, *, axis=0):  # BUG: the default
    return reference.log_softmax(x, axis=axis)
