"""AdamW applies the decoupled decay after the Adam update (to the updated param) instead of before it.

Real bug class: moving the decay line below the update when refactoring; the result differs by
lr * weight_decay * update per step, small but systematic. Caught by: the differential check and multi-step
trajectories against the oracle, whenever weight_decay > 0 and lr > 0.
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls._validate import optim as V

NAME = "mutant-optim-adamw-decay-after-update"
DTYPES = ("float32", "float64")


def adamw_step(param, grad, exp_avg, exp_avg_sq, step, *, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    param, grad, exp_avg, exp_avg_sq = map(np.asarray, (param, grad, exp_avg, exp_avg_sq))
    step = V.adam_step(param.shape, param.dtype, grad.shape, grad.dtype, exp_avg.shape, exp_avg.dtype,
                       exp_avg_sq.shape, exp_avg_sq.dtype, step, lr=lr, betas=betas, eps=eps,
                       weight_decay=weight_decay, fn="adamw_step")
    b1, b2 = betas
    m = b1 * exp_avg + (1 - b1) * grad
    v = b2 * exp_avg_sq + (1 - b2) * grad * grad
    denom = np.sqrt(v) / np.sqrt(1 - b2**step) + eps
    p = param - lr / (1 - b1**step) * m / denom
    p = p * (1 - lr * weight_decay)   # BUG: the decay belongs before the update, on the old param
    return p.astype(param.dtype), m.astype(param.dtype), v.astype(param.dtype)
