"""RoPE that always uses the half-split pairing, silently ignoring `interleaved=True`.

Real bug class: a NeoX-style kernel exposed behind an API that accepts `interleaved` (or a GPT-J checkpoint
loaded into a LLaMA-style rotary module). Correct for `interleaved=False`; for `True` every D >= 4 differs.
Caught by: interleaved and half-split RoPE agreeing up to the fixed permutation of the last axis (here they
are identical, not permuted), and the differential check with `interleaved=True`.
"""
import numpy as np

from impls._validate import positional as check
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-positional-interleaved-ignored"
DTYPES = ("float32", "float64")


def rope(x, positions, *, base=10000.0, interleaved=False):
    x, positions = np.asarray(x), np.asarray(positions)
    base = check.rope(x.shape, x.dtype, positions.shape, positions.dtype, base)
    d = x.shape[-1]
    inv_freq = base ** (-np.arange(0, d, 2, dtype=np.float64) / d)
    angles = positions.astype(np.float64)[:, None] * inv_freq
    cos, sin = np.cos(angles).astype(x.dtype), np.sin(angles).astype(x.dtype)
    a, b = x[..., : d // 2], x[..., d // 2:]  # BUG: `interleaved` never consulted
    return np.concatenate([a * cos - b * sin, b * cos + a * sin], axis=-1)
