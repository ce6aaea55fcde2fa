"""SwiGLU with the SiLU on the up projection: ``(x @ w1) * silu(x @ w3)`` instead of ``silu(x @ w1) * (x @ w3)``.

Real bug class: swapping ``gate_proj`` and ``up_proj`` when porting LLaMA-style weights; the output stays
plausible but differs. Caught by: the differential check of ``feed_forward(activation="swiglu")``.
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-attention-swiglu-gate-wrong-branch"
DTYPES = ("float32", "float64")
CATCHES = ("feed_forward:matches_oracle",)


def feed_forward(x, params, *, activation="gelu"):
    """The reference, except that SwiGLU's silu gates the ``x @ w3`` branch (BUG: should be ``x @ w1``): the
    two matrices swapped."""
    reference.feed_forward(x, params, activation=activation)  # validates
    if activation == "swiglu":
        params = {**params, "w1": params["w3"], "w3": params["w1"]}
    return reference.feed_forward(x, params, activation=activation)
