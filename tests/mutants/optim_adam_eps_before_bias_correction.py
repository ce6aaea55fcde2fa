"""Adam adds eps to sqrt(v) before dividing by sqrt(1 - b2**step): the effective eps is eps / sqrt(1 - b2**step).

Real bug class: the Adam paper's "efficient" ordering (TensorFlow's epsilon-hat), which differs from
torch.optim's `sqrt(v) / sqrt(bc2) + eps`; at step 1 with b2=0.999 eps grows ~32x. Caught by: "Adam's first
step moves each coordinate by lr * sign(grad)" for gradients near eps/sqrt(1 - b2) (~3e-7: it moves ~0.5 lr),
and the differential check whenever eps is not negligible next to sqrt(v_hat) (small gradients or a large eps).
"""
import numpy as np

from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls._validate import optim as V

NAME = "mutant-optim-adam-eps-before-bias-correction"
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
    denom = (np.sqrt(v) + eps) / np.sqrt(1 - b2**step)   # BUG: eps added before the bias correction
    p = param - lr / (1 - b1**step) * m / denom
    return p.astype(param.dtype), m.astype(param.dtype), v.astype(param.dtype)
