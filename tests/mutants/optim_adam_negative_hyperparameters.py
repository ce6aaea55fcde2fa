"""Adam and AdamW that validate shapes, betas and the step index but not the signs of lr, eps and weight
decay: a negative lr silently ascends, a negative eps can divide by zero.

Real bug class: range checks left out of a hand-written optimizer (``torch.optim.Adam`` raises for each).
Correct for valid hyperparameters. Caught by: ``rejects_bad_input`` of adam_step and adamw_step.
"""
import numpy as np

from impls._validate import optim as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import compute_dtype

NAME = "mutant-optim-adam-negative-hyperparameters"
DTYPES = ("float32", "float64")


def _adam(param, grad, exp_avg, exp_avg_sq, step, *, lr, betas, eps, weight_decay, decoupled, fn):
    param, grad = np.asarray(param), np.asarray(grad)
    exp_avg, exp_avg_sq = np.asarray(exp_avg), np.asarray(exp_avg_sq)
    # BUG: lr, eps and weight_decay are passed to the check as their magnitudes, so no sign is ever rejected
    step = V.adam_step(param.shape, param.dtype, grad.shape, grad.dtype, exp_avg.shape, exp_avg.dtype,
                       exp_avg_sq.shape, exp_avg_sq.dtype, step, lr=abs(float(lr)), betas=betas,
                       eps=abs(float(eps)), weight_decay=abs(float(weight_decay)), fn=fn)
    lr, eps, weight_decay = float(lr), float(eps), float(weight_decay)
    beta1, beta2 = float(betas[0]), float(betas[1])
    dtype = compute_dtype(param.dtype)
    p, g = param.astype(dtype), grad.astype(dtype)
    if weight_decay != 0:
        if decoupled:
            p = p * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * p
    m = beta1 * exp_avg.astype(dtype) + (1 - beta1) * g
    v = beta2 * exp_avg_sq.astype(dtype) + (1 - beta2) * g * g
    denom = np.sqrt(v) / (1 - beta2**step) ** 0.5 + eps
    with np.errstate(divide="ignore", invalid="ignore"):
        p = p - (lr / (1 - beta1**step)) * (m / denom)
    return p.astype(param.dtype), m.astype(exp_avg.dtype), v.astype(exp_avg_sq.dtype)


def adam_step(param, grad, exp_avg, exp_avg_sq, step, *, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    return _adam(param, grad, exp_avg, exp_avg_sq, step, lr=lr, betas=betas, eps=eps,
                 weight_decay=weight_decay, decoupled=False, fn="adam_step")


def adamw_step(param, grad, exp_avg, exp_avg_sq, step, *, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    return _adam(param, grad, exp_avg, exp_avg_sq, step, lr=lr, betas=betas, eps=eps,
                 weight_decay=weight_decay, decoupled=True, fn="adamw_step")
