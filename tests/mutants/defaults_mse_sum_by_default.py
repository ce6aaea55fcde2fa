"""MSE summed by default.

Real bug class: `size_average=False` of old PyTorch code carried into a kernel's default. Every other property passes this argument, so only the default is wrong: caught by
``defaults_are_the_catalogue_defaults`` in float32 (the dtype a plug-in declares by default).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-defaults-mse-sum-by-default"
DTYPES = ("float32",)
CATCHES = ("mse_loss:defaults_are_the_catalogue_defaults@float32",)


def mse_loss(pred, target, *, reduction='sum'):  # BUG: the default
    return reference.mse_loss(pred, target, reduction=reduction)
