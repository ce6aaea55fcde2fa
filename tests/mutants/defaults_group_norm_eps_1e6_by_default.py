"""GroupNorm with `eps=1e-6` by default (diffusers' UNets pass 1e-6; the catalogue's default is 1e-5).

Real bug class: a default copied from the model a kernel was first written for. Every other property passes this argument, so only the default is wrong: caught by
``defaults_are_the_catalogue_defaults`` in float32 (the dtype a plug-in declares by default).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-defaults-group-norm-eps-1e6-by-default"
DTYPES = ("float32",)
CATCHES = ("group_norm:defaults_are_the_catalogue_defaults@float32",)


def group_norm(x, num_groups, weight=None, bias=None, *, eps=1e-6):  # BUG: the default
    return reference.group_norm(x, num_groups, weight, bias, eps=eps)
