"""RoPE rotating each pair by -angle instead of +angle.

Real bug class: `rotate_half` written as `cat([x2, -x1])` instead of `cat([-x2, x1])`, or a conjugated
`freqs_cis`. Preserves norms, is the identity at 0, composes and stays relative — only the direction is wrong,
so a model trained with it works but is incompatible with every checkpoint. Caught by: the differential check
against the oracle at any non-zero position.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-positional-rotation-flipped"
DTYPES = ("float32", "float64")
CATCHES = ("rope:matches_oracle",)


def _swap_pairs(x, interleaved):
    """Each rotation pair ``(a, b)`` as ``(b, a)``."""
    if interleaved:
        return x.reshape(x.shape[:-1] + (-1, 2))[..., ::-1].reshape(x.shape)
    half = x.shape[-1] // 2
    return np.concatenate([x[..., half:], x[..., :half]], axis=-1)


def rope(x, positions, *, base=10000.0, interleaved=False):
    """``(a cos t + b sin t, b cos t - a sin t)`` (BUG: the signs of sin swapped, a rotation by ``-t``): the
    reference on swapped pairs, swapped back."""
    reference.rope(x, positions, base=base, interleaved=interleaved)  # validates
    x = np.asarray(x)
    rotated = reference.rope(_swap_pairs(x, interleaved), positions, base=base, interleaved=interleaved)
    return _swap_pairs(rotated, interleaved)
