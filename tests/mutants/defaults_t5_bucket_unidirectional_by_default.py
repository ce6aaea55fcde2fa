"""T5 buckets unidirectional by default.

Real bug class: T5's decoder passes `bidirectional=False`; a helper written for the decoder keeps it as the default. Every other property passes this argument, so only the default is wrong: caught by
``defaults_are_the_catalogue_defaults`` in float32 (the dtype a plug-in declares by default).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-defaults-t5-bucket-unidirectional-by-default"
DTYPES = ("float32",)
CATCHES = ("t5_relative_position_bucket:defaults_are_the_catalogue_defaults",)


def t5_relative_position_bucket(relative_position, *, bidirectional=False, num_buckets=32, max_distance=128):  # BUG: the default
    return reference.t5_relative_position_bucket(relative_position, bidirectional=bidirectional, num_buckets=num_buckets, max_distance=max_distance)
