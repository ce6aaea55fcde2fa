"""Adam with eps inside the square root: denominator sqrt(v_hat + eps) instead of sqrt(v_hat) + eps.

Real bug class: a common transcription slip (and the deliberate choice of some other optimizers); with
eps=1e-8 it acts like eps=1e-4, so small gradients take much smaller steps. Caught by: the differential check,
"Adam's first step moves by lr * sign(grad)" and gradient-scale invariance, for gradients below ~1e-2.
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls._validate import optim as V

NAME = "mutant-optim-adam-eps-inside-sqrt"
DTYPES = ("float32", "float64")


def adam_step(param, grad, exp_avg, exp_avg_sq, step, *, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    param, grad, exp_avg, exp_avg_sq = map(np.asarray, (param, grad, exp_avg, exp_avg_sq))
    step = V.adam_step(param.shape, param.dtype, grad.shape, grad.dtype, exp_avg.shape, exp_avg.dtype,
                       exp_avg_sq.shape, exp_avg_sq.dtype, step, lr=lr, betas=betas, eps=eps,
                       weight_decay=weight_decay)
    b1, b2 = betas
    g = grad + weight_decay * param
    m = b1 * exp_avg + (1 - b1) * g
    v = b2 * exp_avg_sq + (1 - b2) * g * g
    denom = np.sqrt(v / (1 - b2**step) + eps)   # BUG: eps belongs outside the square root
    p = param - lr / (1 - b1**step) * m / denom
    return p.astype(param.dtype), m.astype(param.dtype), v.astype(param.dtype)
