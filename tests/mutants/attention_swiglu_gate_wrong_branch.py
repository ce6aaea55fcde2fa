"""SwiGLU with the SiLU on the up projection: ``(x @ w1) * silu(x @ w3)`` instead of ``silu(x @ w1) * (x @ w3)``.

Real bug class: swapping ``gate_proj`` and ``up_proj`` when porting LLaMA-style weights; the output stays
plausible but differs. Caught by: the differential check of ``feed_forward(activation="swiglu")``.
"""
import numpy as np

from impls._validate import attention as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.attention import _gelu, _linear, _meta, _params_meta, _sigmoid

NAME = "mutant-attention-swiglu-gate-wrong-branch"
DTYPES = ("float32", "float64")


def feed_forward(x, params, *, activation="gelu"):
    activation = V.feed_forward(_meta(x, "x"), _params_meta(params, "feed_forward"), activation)
    xc = upcast(x)
    if activation == "swiglu":
        up = xc @ upcast(params["w3"])
        hidden = (xc @ upcast(params["w1"])) * up * _sigmoid(up)  # BUG: silu on the x @ w3 branch
    else:
        pre = _linear(xc, params, "w1", "b1")
        hidden = np.maximum(pre, 0.0) if activation == "relu" else _gelu(pre)
    return _linear(hidden, params, "w2", "b2").astype(x.dtype)
