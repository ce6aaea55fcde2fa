"""T5 buckets computed with max_distance=128 whatever the caller passes.

Real bug class: the public function forgets to forward `max_distance` to the bucketing helper, whose default
(128, T5's value) silently takes over. Correct at max_distance=128; otherwise the log-spaced buckets are
stretched or squeezed (bidirectional, 32 buckets, max_distance=20: distance +12 gets bucket 25, not 28).
Caught by: the differential check with a drawn max_distance != 128.
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-positional-t5-max-distance-ignored"
DTYPES = ("float32", "float64")
CATCHES = ("t5_relative_position_bucket:matches_oracle", "t5_relative_position_bucket:max_distance_honoured")


def t5_relative_position_bucket(relative_position, *, max_distance=128, **options):
    """The reference bucket for ``max_distance`` 128 (BUG: the argument is not passed on)."""
    reference.t5_relative_position_bucket(relative_position, max_distance=max_distance, **options)  # validates
    return reference.t5_relative_position_bucket(relative_position, **options)
