"""Unidirectional T5 buckets measuring the distance to future keys instead of past ones.

Real bug class: `n = max(relative_position, 0)` for `n = -min(relative_position, 0)` (a sign slip over
`relative_position = key - query`): a causal decoder then lumps its whole past into bucket 0 and spreads
buckets over keys it can never see. Bidirectional buckets are unaffected; unidirectional differ for every
non-zero distance. Caught by: T5 buckets are exact for small distances, and the differential check.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-positional-t5-unidirectional-inverted"
DTYPES = ("float32", "float64")
CATCHES = ("t5_relative_position_bucket:matches_oracle",
           "t5_relative_position_bucket:exact_for_small_distances",
           "t5_relative_position_bucket:future_in_bucket_zero",
           "t5_relative_position_bucket:max_distance_honoured")


def t5_relative_position_bucket(relative_position, *, bidirectional=True, **options):
    """The reference, except that unidirectional buckets count the future, ``n = max(rel, 0)`` (BUG: the past,
    key before query, should be counted): the reference on ``-rel``."""
    out = reference.t5_relative_position_bucket(relative_position, bidirectional=bidirectional,
                                                **options)  # validates
    if bidirectional:
        return out
    negated = -np.asarray(relative_position).astype(np.int64)
    return reference.t5_relative_position_bucket(negated, bidirectional=False, **options)
