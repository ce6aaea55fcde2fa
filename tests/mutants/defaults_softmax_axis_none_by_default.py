"""Softmax over the whole array by default (`axis=None`).

Real bug class: `scipy.special.softmax` normalises over every element unless given an axis; a port that keeps its default is right whenever the caller passes `axis`. Every other property passes this argument, so only the default is wrong: caught by
``defaults_are_the_catalogue_defaults`` in float32 (the dtype a plug-in declares by default).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-defaults-softmax-axis-none-by-default"
DTYPES = ("float32",)
CATCHES = ("softmax:defaults_are_the_catalogue_defaults@float32",)


def softmax(x, *, axis=None):  # BUG: the default
    if axis is None:  # scipy's meaning: one distribution over every element
        return reference.softmax(x.reshape(-1), axis=-1).reshape(x.shape)
    return reference.softmax(x, axis=axis)
