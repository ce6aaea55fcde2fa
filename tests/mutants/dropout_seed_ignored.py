"""Dropout ignores its seed and draws fresh randomness on every call.

Real bug class: using the global/unseeded generator (`np.random.rand`, `torch.rand` without the generator)
inside a function that takes a seed, which breaks reproducibility and recomputation (activation
checkpointing). Caught by: "the same seed gives the same output".
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-dropout-seed-ignored"
DTYPES = ("float32", "float64")
CATCHES = ("dropout:deterministic_per_seed_independent_across_seeds",)


def dropout(x, p, *, training, seed):
    """The reference with a fresh OS-entropy seed on every call (BUG: an unseeded generator)."""
    reference.dropout(x, p, training=training, seed=seed)  # validates
    return reference.dropout(x, p, training=training, seed=int(np.random.default_rng().integers(2**62)))
