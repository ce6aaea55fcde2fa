"""feed_forward whose first projection sees a window of three positions (a kernel-3 convolution over the
sequence axis, ``x[i-1] + x[i] + x[i+1]`` with zero padding) instead of one position.

Real bug class: a conv-FFN (FastSpeech/Conformer style, ``Conv1d(kernel_size=3, padding=1)``) reused where the
transformer's position-wise FFN (kernel size 1) was meant; shapes are unchanged. Caught by: feed_forward is
position-wise (changing one position changes its neighbours' outputs), and the oracle comparison.
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import feed_forward as reference_feed_forward

NAME = "mutant-attention-ffn-mixes-neighbour-positions"
DTYPES = ("float32", "float64")
CATCHES = ("feed_forward:position_wise", "feed_forward:matches_oracle")


def feed_forward(x, params, *, activation="gelu"):
    x = np.asarray(x)
    if x.ndim >= 2 and x.shape[-2] > 1:
        # BUG: a kernel-3 window over the position axis (axis -2), zero-padded at both ends
        pad = [(0, 0)] * (x.ndim - 2) + [(1, 1), (0, 0)]
        xp = np.pad(x, pad)
        x = (xp[..., :-2, :] + xp[..., 1:-1, :] + xp[..., 2:, :]).astype(x.dtype)
    return reference_feed_forward(x, params, activation=activation)
