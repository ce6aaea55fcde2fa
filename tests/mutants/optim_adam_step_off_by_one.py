"""Adam bias-corrects with step + 1: the caller's 1-based step is incremented once more, as torch.optim does
with its own 0-based counter.

Real bug class: mixing 0- and 1-based step counters between a training loop and a functional optimizer.
Caught by: "Adam's first step moves each coordinate by lr * sign(grad)" (it moves ~0.74 lr with the default
betas) and the differential check.
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls._validate import optim as V

NAME = "mutant-optim-adam-step-off-by-one"
DTYPES = ("float32", "float64")


def adam_step(param, grad, exp_avg, exp_avg_sq, step, *, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    param, grad, exp_avg, exp_avg_sq = map(np.asarray, (param, grad, exp_avg, exp_avg_sq))
    step = V.adam_step(param.shape, param.dtype, grad.shape, grad.dtype, exp_avg.shape, exp_avg.dtype,
                       exp_avg_sq.shape, exp_avg_sq.dtype, step, lr=lr, betas=betas, eps=eps,
                       weight_decay=weight_decay)
    step += 1   # BUG: step is already this step's 1-based index
    b1, b2 = betas
    g = grad + weight_decay * param
    m = b1 * exp_avg + (1 - b1) * g
    v = b2 * exp_avg_sq + (1 - b2) * g * g
    denom = np.sqrt(v) / np.sqrt(1 - b2**step) + eps
    p = param - lr / (1 - b1**step) * m / denom
    return p.astype(param.dtype), m.astype(param.dtype), v.astype(param.dtype)
