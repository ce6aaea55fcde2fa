"""RoPE that always uses the half-split pairing, silently ignoring `interleaved=True`.

Real bug class: a NeoX-style kernel exposed behind an API that accepts `interleaved` (or a GPT-J checkpoint
loaded into a LLaMA-style rotary module). Correct for `interleaved=False`; for `True` every D >= 4 differs.
Caught by: interleaved and half-split RoPE agreeing up to the fixed permutation of the last axis (here they
are identical, not permuted), and the differential check with `interleaved=True`.
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-positional-interleaved-ignored"
DTYPES = ("float32", "float64")
CATCHES = ("rope:matches_oracle", "rope:layouts_agree_up_to_permutation", "rope:preserves_pair_norms")


def rope(x, positions, *, base=10000.0, interleaved=False):
    """Half-split RoPE whatever ``interleaved`` says (BUG: the flag is never consulted)."""
    reference.rope(x, positions, base=base, interleaved=interleaved)  # validates
    return reference.rope(x, positions, base=base)
