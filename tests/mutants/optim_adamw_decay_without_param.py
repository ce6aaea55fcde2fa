"""AdamW subtracts lr * weight_decay from every weight instead of lr * weight_decay * param.

Real bug class: dropping the `* param` factor when writing the decay as a subtraction
(`p -= lr * wd` instead of `p -= lr * wd * p`): a constant drift towards -inf instead of a shrink towards 0.
Caught by: the differential check and multi-step trajectories, whenever weight_decay > 0 and param != 1.
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls._validate import optim as V

NAME = "mutant-optim-adamw-decay-without-param"
DTYPES = ("float32", "float64")


def adamw_step(param, grad, exp_avg, exp_avg_sq, step, *, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    param, grad, exp_avg, exp_avg_sq = map(np.asarray, (param, grad, exp_avg, exp_avg_sq))
    step = V.adam_step(param.shape, param.dtype, grad.shape, grad.dtype, exp_avg.shape, exp_avg.dtype,
                       exp_avg_sq.shape, exp_avg_sq.dtype, step, lr=lr, betas=betas, eps=eps,
                       weight_decay=weight_decay, fn="adamw_step")
    b1, b2 = betas
    p = param - lr * weight_decay   # BUG: should be param - lr * weight_decay * param
    m = b1 * exp_avg + (1 - b1) * grad
    v = b2 * exp_avg_sq + (1 - b2) * grad * grad
    denom = np.sqrt(v) / np.sqrt(1 - b2**step) + eps
    p = p - lr / (1 - b1**step) * m / denom
    return p.astype(param.dtype), m.astype(param.dtype), v.astype(param.dtype)
