"""SGD with momentum 0.9 by default.

Real bug class: the usual training setting taken for the optimizer's default (torch.optim.SGD's is 0). Every other property passes this argument, so only the default is wrong: caught by
``defaults_are_the_catalogue_defaults`` in float32 (the dtype a plug-in declares by default).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-defaults-sgd-momentum-by-default"
DTYPES = ("float32",)
CATCHES = ("sgd_step:defaults_are_the_catalogue_defaults@float32",)


def sgd_step(param, grad, momentum_buffer, *, lr, momentum=0.9, dampening=0.0, nesterov=False, weight_decay=0.0):  # BUG: the default
    return reference.sgd_step(param, grad, momentum_buffer, lr=lr, momentum=momentum, dampening=dampening, nesterov=nesterov, weight_decay=weight_decay)
