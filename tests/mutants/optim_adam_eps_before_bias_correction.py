"""Adam adds eps to sqrt(v) before dividing by sqrt(1 - b2**step): the effective eps is eps / sqrt(1 - b2**step).

Real bug class: the Adam paper's "efficient" ordering (TensorFlow's epsilon-hat), which differs from
torch.optim's `sqrt(v) / sqrt(bc2) + eps`; at step 1 with b2=0.999 eps grows ~32x. Caught by: "Adam's first
step moves each coordinate by lr * sign(grad)" for gradients near eps/sqrt(1 - b2) (~3e-7: it moves ~0.5 lr),
and the differential check whenever eps is not negligible next to sqrt(v_hat) (small gradients or a large eps).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-optim-adam-eps-before-bias-correction"
DTYPES = ("float32", "float64")
CATCHES = ("adam_step:matches_oracle",
           "adam_step:first_step_moves_lr_times_sign",
           "adam_step:invariant_to_gradient_scale",
           "adam_step:trajectory_matches_oracle")


def adam_step(param, grad, exp_avg, exp_avg_sq, step, *, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    """``denom = (sqrt(v) + eps) / sqrt(1 - b2^step)`` (BUG: eps added before the bias correction): the
    reference with ``eps / sqrt(1 - b2^step)``."""
    reference.adam_step(param, grad, exp_avg, exp_avg_sq, step, lr=lr, betas=betas, eps=eps,
                        weight_decay=weight_decay)  # validates
    eps = eps / (1 - float(betas[1]) ** int(step)) ** 0.5
    return reference.adam_step(param, grad, exp_avg, exp_avg_sq, step, lr=lr, betas=betas, eps=eps,
                               weight_decay=weight_decay)
