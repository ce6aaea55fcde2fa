"""A feed-forward layer whose float16 path runs in bfloat16: inputs, weights and output rounded through
bfloat16 (8 significant bits instead of float16's 11), accumulation in float32.

Real bug class: CPU autocast (``torch.autocast("cpu")`` defaults to bfloat16) wrapped around a float16 model, or
a dispatch that picks the bfloat16 GEMM for any 2-byte dtype. Errors of up to ~8 float16 roundings: inside the
a-priori budget ``eps16 (4 + sqrt n) (1 + slope)`` relative to ``|out| + max(|act(|x| @ |w1|)| @ |w2| + |b2|)``,
caught by the derived budget of :mod:`properties.budgets`. float32/float64 are correct.
"""
import ml_dtypes
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import attention as reference

NAME = "mutant-half-ffn-autocast-bfloat16"
DTYPES = ("float16", "float32", "float64")
CATCHES = ("feed_forward:matches_oracle@float16",)


def _bf16(a):
    return a.astype(ml_dtypes.bfloat16).astype(a.dtype)


def feed_forward(x, params, *, activation="gelu"):
    if x.dtype != np.float16:
        return reference.feed_forward(x, params, activation=activation)
    out = reference.feed_forward(_bf16(x), {key: _bf16(w) for key, w in params.items()}, activation=activation)
    return _bf16(out)  # BUG: the float16 path computes in bfloat16
