"""Dropout that clips ``p`` into [0, 1] instead of rejecting it: p = 1.5 silently drops everything, p = -0.1
keeps everything.

Real bug class: "defensive" clamping of a probability (``min(max(p, 0), 1)``), which turns a configuration
error (a percentage passed as 15, a sign slip) into a silently wrong model. Correct for p in [0, 1]. Caught
by: dropout ``rejects_bad_input``.
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-dropout-p-clipped"
DTYPES = ("float32", "float64")
CATCHES = ("dropout:rejects_bad_input",)


def dropout(x, p, *, training, seed):
    """The reference on ``p`` clamped into ``[0, 1]`` (BUG: out-of-range p accepted; NaN still reaches the
    check)."""
    return reference.dropout(x, min(max(float(p), 0.0), 1.0), training=training, seed=seed)
