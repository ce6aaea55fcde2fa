"""Adam without bias correction: param -= lr * m / (sqrt(v) + eps) with the raw, zero-initialised moments.

Real bug class: "simplified" Adam; the first steps are mis-sized (step 1 moves lr * (1-b1)/sqrt(1-b2) ~ 3.16 lr
with the default betas). Caught by: "Adam's first step moves each coordinate by lr * sign(grad)" and the
differential check.
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls._validate import optim as V

NAME = "mutant-optim-adam-no-bias-correction"
DTYPES = ("float32", "float64")


def adam_step(param, grad, exp_avg, exp_avg_sq, step, *, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    param, grad, exp_avg, exp_avg_sq = map(np.asarray, (param, grad, exp_avg, exp_avg_sq))
    V.adam_step(param.shape, param.dtype, grad.shape, grad.dtype, exp_avg.shape, exp_avg.dtype,
                exp_avg_sq.shape, exp_avg_sq.dtype, step, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
    b1, b2 = betas
    g = grad + weight_decay * param
    m = b1 * exp_avg + (1 - b1) * g
    v = b2 * exp_avg_sq + (1 - b2) * g * g
    p = param - lr * m / (np.sqrt(v) + eps)   # BUG: no 1 - b1**step, 1 - b2**step corrections
    return p.astype(param.dtype), m.astype(param.dtype), v.astype(param.dtype)
