"""Adam with eps inside the square root: denominator sqrt(v_hat + eps) instead of sqrt(v_hat) + eps.

Real bug class: a common transcription slip (and the deliberate choice of some other optimizers); with
eps=1e-8 it acts like eps=1e-4, so small gradients take much smaller steps. Caught by: the differential check,
"Adam's first step moves by lr * sign(grad)" and gradient-scale invariance, for gradients below ~1e-2.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-optim-adam-eps-inside-sqrt"
DTYPES = ("float32", "float64")
CATCHES = ("adam_step:matches_oracle",
           "adam_step:first_step_moves_lr_times_sign",
           "adam_step:invariant_to_gradient_scale",
           "adam_step:trajectory_matches_oracle")


def adam_step(param, grad, exp_avg, exp_avg_sq, step, *, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    """The reference's moments; the step ``lr / (1 - b1^t) * m / sqrt(v / (1 - b2^t) + eps)`` (BUG: eps belongs
    outside the square root)."""
    _, m, v = reference.adam_step(param, grad, exp_avg, exp_avg_sq, step, lr=lr, betas=betas, eps=eps,
                                  weight_decay=weight_decay)
    b1, b2 = betas
    p = param - lr / (1 - b1**step) * m / np.sqrt(v / (1 - b2**step) + eps)
    return p.astype(param.dtype), m, v
