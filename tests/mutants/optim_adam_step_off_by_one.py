"""Adam bias-corrects with step + 1: the caller's 1-based step is incremented once more, as torch.optim does
with its own 0-based counter.

Real bug class: mixing 0- and 1-based step counters between a training loop and a functional optimizer.
Caught by: "Adam's first step moves each coordinate by lr * sign(grad)" (it moves ~0.74 lr with the default
betas) and the differential check.
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-optim-adam-step-off-by-one"
DTYPES = ("float32", "float64")
CATCHES = ("adam_step:matches_oracle",
           "adam_step:first_step_moves_lr_times_sign",
           "adam_step:invariant_to_gradient_scale",
           "adam_step:trajectory_matches_oracle")


def adam_step(param, grad, exp_avg, exp_avg_sq, step, *, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    """The reference at ``step + 1`` (BUG: step is already this step's 1-based index)."""
    reference.adam_step(param, grad, exp_avg, exp_avg_sq, step, lr=lr, betas=betas, eps=eps,
                        weight_decay=weight_decay)  # validates
    return reference.adam_step(param, grad, exp_avg, exp_avg_sq, int(step) + 1, lr=lr, betas=betas, eps=eps,
                               weight_decay=weight_decay)
