"""AdamW with coupled decay: weight_decay * param is added to the gradient (Adam's L2) instead of decoupled.

Real bug class: "AdamW" that is really Adam + L2 (what `torch.optim.Adam(weight_decay=...)` does); the decay is
then rescaled by the adaptive denominator and nearly vanishes for weights with large gradients.
Caught by: the differential check and multi-step trajectories, whenever weight_decay > 0 (the default 0.01).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-optim-adamw-coupled-decay"
DTYPES = ("float32", "float64")
CATCHES = ("adamw_step:matches_oracle",
           "adamw_step:first_step_moves_lr_times_sign",
           "adamw_step:invariant_to_gradient_scale",
           "adamw_step:trajectory_matches_oracle")


def adamw_step(param, grad, exp_avg, exp_avg_sq, step, **options):
    """``adam_step``: the decay added to the gradient (BUG: should be ``param *= 1 - lr * weight_decay``,
    the gradient untouched)."""
    reference.adamw_step(param, grad, exp_avg, exp_avg_sq, step, **options)  # validates
    options.setdefault("weight_decay", 0.01)  # adamw's default
    return reference.adam_step(param, grad, exp_avg, exp_avg_sq, step, **options)
