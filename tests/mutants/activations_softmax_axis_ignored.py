"""Softmax always over the last axis, whatever ``axis`` says.

Real bug class: ``dim=-1`` hard-coded inside a helper that takes an axis argument (attention over heads vs keys,
channel softmax in segmentation). Caught by: rows summing to 1 along the requested axis, and the float64 oracle
comparison with axis != -1.
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-activations-softmax-axis-ignored"
DTYPES = ("float32", "float64")
CATCHES = ("softmax:matches_oracle", "softmax:rows_are_distributions")


def softmax(x, *, axis=-1):
    """The reference softmax over the last axis (BUG: ``axis`` validated, then ignored)."""
    reference.softmax(x, axis=axis)  # validates
    return reference.softmax(x, axis=-1)
