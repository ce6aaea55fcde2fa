"""Dropout scales kept elements by 1/p instead of 1/(1 - p).

Real bug class: confusing the drop probability with the keep probability in the inverted-dropout scale
(frameworks differ: PyTorch's p drops, TF1's keep_prob keeps). Caught by: "every output is 0 or x/(1-p)" and
the mean bound, for any p other than 0.5.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-dropout-scaled-by-1-over-p"
DTYPES = ("float32", "float64")
CATCHES = ("dropout:kept_fraction_mean_and_row_independence", "dropout:outputs_are_zero_or_scaled_input")


def dropout(x, p, *, training, seed):
    """The kept elements scaled by ``1 / p`` (BUG: should be ``1 / (1 - p)``), on the reference's mask."""
    y = reference.dropout(x, p, training=training, seed=seed)  # validates
    if not training:
        return y
    x = np.asarray(x)
    kept = reference.dropout(np.ones(x.shape), p, training=True, seed=seed) != 0
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(kept, x / p, 0).astype(x.dtype)
