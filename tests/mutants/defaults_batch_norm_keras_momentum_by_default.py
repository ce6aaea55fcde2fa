"""BatchNorm's running statistics updated with momentum 0.01 by default (Keras's 0.99 converted).

Real bug class: Keras's `momentum=0.99` keeps 99% of the old statistics, PyTorch's `momentum=0.1` keeps 90%; converting one convention to the other but not the default. Every other property passes this argument, so only the default is wrong: caught by
``defaults_are_the_catalogue_defaults`` in float32 (the dtype a plug-in declares by default).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-defaults-batch-norm-keras-momentum-by-default"
DTYPES = ("float32",)
CATCHES = ("batch_norm:defaults_are_the_catalogue_defaults@float32",)


def batch_norm(x, running_mean, running_var, weight=None, bias=None, *, training, momentum=0.01, eps=1e-5):  # BUG: the default
    return reference.batch_norm(x, running_mean, running_var, weight, bias, training=training, momentum=momentum, eps=eps)
