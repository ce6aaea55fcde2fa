"""InstanceNorm with Keras's `epsilon=1e-3` by default.

Real bug class: Keras normalisation layers default to `epsilon=1e-3`, PyTorch's to 1e-5. Every other property passes this argument, so only the default is wrong: caught by
``defaults_are_the_catalogue_defaults`` in float32 (the dtype a plug-in declares by default).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-defaults-instance-norm-keras-eps-by-default"
DTYPES = ("float32",)
CATCHES = ("instance_norm:defaults_are_the_catalogue_defaults@float32",)


def instance_norm(x, weight=None, bias=None, *, eps=1e-3):  # BUG: the default
    return reference.instance_norm(x, weight, bias, eps=eps)
