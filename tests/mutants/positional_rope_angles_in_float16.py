"""RoPE angles `positions * inv_freq` rounded to float16 before cos/sin.

Real bug class: building the cos/sin cache under fp16 autocast or in the activations' dtype; float16 has an
ulp of 0.5 at 1000, so angles at long positions are off by up to 0.25 rad (and positions over 65504 overflow
to inf, giving NaN). Exact at small positions, wrong for float32 inputs from a few hundred positions on.
Caught by: the differential check at large positions, and `<rope(q, m), rope(k, n)>` depending only on m - n.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-positional-rope-angles-in-float16"
DTYPES = ("float32", "float64")
CATCHES = ("rope:matches_oracle",
           "rope:composes_additively",
           "rope:inner_product_is_relative",
           "rope:preserves_pair_norms")


def rope(x, positions, *, base=10000.0, interleaved=False):
    x, positions = np.asarray(x), np.asarray(positions)
    reference.rope(x, positions, base=base, interleaved=interleaved)  # validates
    d = x.shape[-1]
    inv_freq = base ** (-np.arange(0, d, 2, dtype=np.float64) / d)
    angles = (positions[:, None] * inv_freq).astype(np.float16)  # BUG: angles need float32 or better
    cos, sin = np.cos(angles).astype(x.dtype), np.sin(angles).astype(x.dtype)
    a, b = (x[..., 0::2], x[..., 1::2]) if interleaved else (x[..., : d // 2], x[..., d // 2:])
    first, second = a * cos - b * sin, b * cos + a * sin
    if interleaved:
        return np.stack([first, second], axis=-1).reshape(x.shape)
    return np.concatenate([first, second], axis=-1)
