"""Dropout zeroes elements but does not rescale the kept ones by 1/(1 - p).

Real bug class: "plain" (non-inverted) dropout used in training without the matching scale at inference, so the
expected activation shrinks by 1 - p. Caught by: "every output is 0 or x/(1-p)" and the mean bound, for p > 0.
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-dropout-not-scaled"
DTYPES = ("float32", "float64")
CATCHES = ("dropout:kept_fraction_mean_and_row_independence", "dropout:outputs_are_zero_or_scaled_input")


def dropout(x, p, *, training, seed):
    """The reference's output times ``1 - p`` in training (BUG: kept elements lose the ``1 / (1 - p)``
    scale)."""
    y = reference.dropout(x, p, training=training, seed=seed)
    return (y * (1.0 - p)).astype(y.dtype) if training else y
