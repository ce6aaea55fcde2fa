"""Relative position bias with max_distance 256 by default.

Real bug class: LongT5-style settings taken for T5's default of 128. Every other property passes this argument, so only the default is wrong: caught by
``defaults_are_the_catalogue_defaults`` in float32 (the dtype a plug-in declares by default).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-defaults-relative-bias-max-distance-by-default"
DTYPES = ("float32",)
CATCHES = ("relative_position_bias:defaults_are_the_catalogue_defaults@float32",)


def relative_position_bias(q_len, k_len, table, *, bidirectional=True, max_distance=256):  # BUG: the default
    return reference.relative_position_bias(q_len, k_len, table, bidirectional=bidirectional, max_distance=max_distance)
