"""AdamW with coupled decay: weight_decay * param is added to the gradient (Adam's L2) instead of decoupled.

Real bug class: "AdamW" that is really Adam + L2 (what `torch.optim.Adam(weight_decay=...)` does); the decay is
then rescaled by the adaptive denominator and nearly vanishes for weights with large gradients.
Caught by: the differential check and multi-step trajectories, whenever weight_decay > 0 (the default 0.01).
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls._validate import optim as V

NAME = "mutant-optim-adamw-coupled-decay"
DTYPES = ("float32", "float64")


def adamw_step(param, grad, exp_avg, exp_avg_sq, step, *, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    param, grad, exp_avg, exp_avg_sq = map(np.asarray, (param, grad, exp_avg, exp_avg_sq))
    step = V.adam_step(param.shape, param.dtype, grad.shape, grad.dtype, exp_avg.shape, exp_avg.dtype,
                       exp_avg_sq.shape, exp_avg_sq.dtype, step, lr=lr, betas=betas, eps=eps,
                       weight_decay=weight_decay, fn="adamw_step")
    b1, b2 = betas
    g = grad + weight_decay * param   # BUG: should be param *= 1 - lr * weight_decay, gradient untouched
    m = b1 * exp_avg + (1 - b1) * g
    v = b2 * exp_avg_sq + (1 - b2) * g * g
    denom = np.sqrt(v) / np.sqrt(1 - b2**step) + eps
    p = param - lr / (1 - b1**step) * m / denom
    return p.astype(param.dtype), m.astype(param.dtype), v.astype(param.dtype)
