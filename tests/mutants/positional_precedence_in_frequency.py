"""RoPE frequencies `1 / base ** arange(0, D, 2) / D` — missing parentheses around the exponent.

Real bug class: `1.0 / base ** torch.arange(0, dim, 2) / dim` for `1.0 / (base ** (torch.arange(0, dim, 2) /
dim))`: operator precedence makes it `base**(-2i) / D`. Still a norm-preserving rotation that is the identity at
position 0 and relative, so only the angles are wrong: pair 0 turns by m/D instead of m. Caught by: the
differential check against the oracle at any position != 0.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-positional-precedence-in-frequency"
DTYPES = ("float32", "float64")
CATCHES = ("rope:matches_oracle",)


def rope(x, positions, *, base=10000.0, interleaved=False):
    x, positions = np.asarray(x), np.asarray(positions)
    reference.rope(x, positions, base=base, interleaved=interleaved)  # validates
    d = x.shape[-1]
    inv_freq = 1.0 / base ** np.arange(0, d, 2, dtype=np.float64) / d  # BUG: needs base ** (arange / d)
    angles = positions.astype(np.float64)[:, None] * inv_freq
    cos, sin = np.cos(angles).astype(x.dtype), np.sin(angles).astype(x.dtype)
    a, b = (x[..., 0::2], x[..., 1::2]) if interleaved else (x[..., : d // 2], x[..., d // 2:])
    first, second = a * cos - b * sin, b * cos + a * sin
    if interleaved:
        return np.stack([first, second], axis=-1).reshape(x.shape)
    return np.concatenate([first, second], axis=-1)
