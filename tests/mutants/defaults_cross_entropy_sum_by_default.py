"""Cross entropy summed by default.

Real bug class: TF1's `reduce_sum` habit, or a loss meant for gradient accumulation, with the catalogue's `mean` only when asked. Every other property passes this argument, so only the default is wrong: caught by
``defaults_are_the_catalogue_defaults`` in float32 (the dtype a plug-in declares by default).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-defaults-cross-entropy-sum-by-default"
DTYPES = ("float32",)
CATCHES = ("cross_entropy:defaults_are_the_catalogue_defaults@float32",)


def cross_entropy(logits, target, *, ignore_index=-100, label_smoothing=0.0, reduction='sum'):  # BUG: the default
    return reference.cross_entropy(logits, target, ignore_index=ignore_index, label_smoothing=label_smoothing, reduction=reduction)
