"""RoPE that accepts an odd head dim by rotating the first ``D - 1`` columns and passing the last one through.

Real bug class: a missing ``D % 2`` check hidden by partial-rotary code (GPT-J/NeoX ``rotary_dim``): the odd
column is silently left unrotated, so a mis-sized head (a wrong reshape upstream) runs without an error.
Correct for even D. Caught by: rope ``rejects_bad_input`` (odd head dim).
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import rope as reference_rope

NAME = "mutant-positional-rope-odd-dim-passthrough"
DTYPES = ("float32", "float64")
CATCHES = ("rope:rejects_bad_input",)


def rope(x, positions, *, base=10000.0, interleaved=False):
    x, positions = np.asarray(x), np.asarray(positions)
    d = x.shape[-1] if x.ndim else 0
    rotary = d - d % 2  # BUG: an odd D is rounded down instead of rejected
    if rotary == d:
        return reference_rope(x, positions, base=base, interleaved=interleaved)
    head = reference_rope(np.ascontiguousarray(x[..., :rotary]), positions, base=base, interleaved=interleaved)
    return np.concatenate([head, x[..., rotary:]], axis=-1)
