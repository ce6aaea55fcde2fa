"""RoPE rotating each pair by -angle instead of +angle.

Real bug class: `rotate_half` written as `cat([x2, -x1])` instead of `cat([-x2, x1])`, or a conjugated
`freqs_cis`. Preserves norms, is the identity at 0, composes and stays relative — only the direction is wrong,
so a model trained with it works but is incompatible with every checkpoint. Caught by: the differential check
against the oracle at any non-zero position.
"""
import numpy as np

from impls._validate import positional as check
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-positional-rotation-flipped"
DTYPES = ("float32", "float64")


def rope(x, positions, *, base=10000.0, interleaved=False):
    x, positions = np.asarray(x), np.asarray(positions)
    base = check.rope(x.shape, x.dtype, positions.shape, positions.dtype, base)
    d = x.shape[-1]
    inv_freq = base ** (-np.arange(0, d, 2, dtype=np.float64) / d)
    angles = positions.astype(np.float64)[:, None] * inv_freq
    cos, sin = np.cos(angles).astype(x.dtype), np.sin(angles).astype(x.dtype)
    a, b = (x[..., 0::2], x[..., 1::2]) if interleaved else (x[..., : d // 2], x[..., d // 2:])
    first, second = a * cos + b * sin, b * cos - a * sin  # BUG: the signs of sin are swapped
    if interleaved:
        return np.stack([first, second], axis=-1).reshape(x.shape)
    return np.concatenate([first, second], axis=-1)
