"""Adam without bias correction: param -= lr * m / (sqrt(v) + eps) with the raw, zero-initialised moments.

Real bug class: "simplified" Adam; the first steps are mis-sized (step 1 moves lr * (1-b1)/sqrt(1-b2) ~ 3.16 lr
with the default betas). Caught by: "Adam's first step moves each coordinate by lr * sign(grad)" and the
differential check.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-optim-adam-no-bias-correction"
DTYPES = ("float32", "float64")
CATCHES = ("adam_step:matches_oracle",
           "adam_step:first_step_moves_lr_times_sign",
           "adam_step:invariant_to_gradient_scale",
           "adam_step:trajectory_matches_oracle")


def adam_step(param, grad, exp_avg, exp_avg_sq, step, *, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    """The reference's moments; the step ``lr * m / (sqrt(v) + eps)`` (BUG: no ``1 - b1^t``, ``1 - b2^t``
    corrections)."""
    _, m, v = reference.adam_step(param, grad, exp_avg, exp_avg_sq, step, lr=lr, betas=betas, eps=eps,
                                  weight_decay=weight_decay)
    p = param - lr * m / (np.sqrt(v) + eps)
    return p.astype(param.dtype), m, v
