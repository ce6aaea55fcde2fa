"""Dropout always uses seed 0: the same mask on every call whatever seed is passed.

Real bug class: a hard-coded or default seed that shadows the caller's (`default_rng(0)`, a PRNG key created
once at import and never split), so every step drops the same units. Caught by: the check that different seeds
give different outputs (for 0 < p < 1 and more than a few elements).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-dropout-constant-mask"
DTYPES = ("float32", "float64")
CATCHES = ("dropout:deterministic_per_seed_independent_across_seeds",)


def dropout(x, p, *, training, seed):
    """The reference with seed 0 (BUG: the seed argument is validated, then ignored)."""
    reference.dropout(x, p, training=training, seed=seed)  # validates
    return reference.dropout(x, p, training=training, seed=0)
