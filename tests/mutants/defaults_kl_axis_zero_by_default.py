"""KL divergence summed over the first axis by default.

Real bug class: a batch-first vs class-first mix-up hidden behind a default. Every other property passes this argument, so only the default is wrong: caught by
``defaults_are_the_catalogue_defaults`` in float32 (the dtype a plug-in declares by default).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-defaults-kl-axis-zero-by-default"
DTYPES = ("float32",)
CATCHES = ("kl_divergence:defaults_are_the_catalogue_defaults@float32",)


def kl_divergence(log_p, log_q, *, axis=0):  # BUG: the default
    return reference.kl_divergence(log_p, log_q, axis=axis)
