"""BCE-with-logits unreduced by default.

Real bug class: `tf.nn.sigmoid_cross_entropy_with_logits` returns the element-wise loss; a port keeps that default. Every other property passes this argument, so only the default is wrong: caught by
``defaults_are_the_catalogue_defaults`` in float32 (the dtype a plug-in declares by default).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-defaults-bce-none-by-default"
DTYPES = ("float32",)
CATCHES = ("binary_cross_entropy_with_logits:defaults_are_the_catalogue_defaults@float32",)


def binary_cross_entropy_with_logits(logits, target, *, reduction='none'):  # BUG: the default
    return reference.binary_cross_entropy_with_logits(logits, target, reduction=reduction)
