"""Half-split RoPE whose cos/sin cache is laid out for adjacent pairs (`repeat_interleave(freqs, 2)`).

Real bug class: mixing Meta's interleaved LLaMA layout with Hugging Face's `rotate_half`: the rotation pairs
x[i] with x[i + D/2], but the cache gives column j the angle of pair j // 2, so the two halves of a pair turn by
different angles. Identity at position 0; for D >= 4 and positions != 0 it is no longer a rotation. Caught by:
RoPE preserves norms, `<rope(q, m), rope(k, n)>` depends only on m - n, and the differential check.
"""
import numpy as np

from impls.numpy import asarray, rope as correct_rope, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-positional-rope-pairs-adjacent-for-halfsplit"
DTYPES = ("float32", "float64")
CATCHES = ("rope:matches_oracle",
           "rope:composes_additively",
           "rope:inner_product_is_relative",
           "rope:layouts_agree_up_to_permutation")


def _rotate_half(x):
    half = x.shape[-1] // 2
    return np.concatenate([-x[..., half:], x[..., :half]], axis=-1)


def rope(x, positions, *, base=10000.0, interleaved=False):
    if interleaved:
        return correct_rope(x, positions, base=base, interleaved=True)
    x, positions = np.asarray(x), np.asarray(positions)
    correct_rope(x, positions, base=base)  # validates
    d = x.shape[-1]
    inv_freq = base ** (-np.arange(0, d, 2, dtype=np.float64) / d)
    angles = np.repeat(positions.astype(np.float64)[:, None] * inv_freq, 2, axis=-1)  # BUG: rotate_half needs
    cos, sin = np.cos(angles).astype(x.dtype), np.sin(angles).astype(x.dtype)         # cat([f, f]), not repeat
    return x * cos + _rotate_half(x) * sin
