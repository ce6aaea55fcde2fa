"""RMSNorm with LayerNorm's `eps=1e-5` by default (the catalogue's is 1e-6, LLaMA's).

Real bug class: one eps constant shared by every norm of a codebase. Every other property passes this argument, so only the default is wrong: caught by
``defaults_are_the_catalogue_defaults`` in float32 (the dtype a plug-in declares by default).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-defaults-rms-norm-eps-1e5-by-default"
DTYPES = ("float32",)
CATCHES = ("rms_norm:defaults_are_the_catalogue_defaults@float32",)


def rms_norm(x, normalized_ndim, weight=None, *, eps=1e-5):  # BUG: the default
    return reference.rms_norm(x, normalized_ndim, weight, eps=eps)
