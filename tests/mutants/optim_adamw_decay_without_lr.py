"""AdamW decays by param *= 1 - weight_decay, forgetting to multiply weight_decay by the learning rate.

Real bug class: reading the AdamW paper's schedule-multiplier form as `theta *= (1 - lambda)`; with wd=0.01 the
weights shrink 1% per step regardless of lr. Caught by: the differential check and multi-step trajectories,
whenever weight_decay > 0 and lr != 1.
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-optim-adamw-decay-without-lr"
DTYPES = ("float32", "float64")
CATCHES = ("adamw_step:matches_oracle",
           "adamw_step:first_step_moves_lr_times_sign",
           "adamw_step:trajectory_matches_oracle",
           "adamw_step:zero_gradient_is_pure_decay")


def adamw_step(param, grad, exp_avg, exp_avg_sq, step, *, lr, weight_decay=0.01, **options):
    """The undecayed step minus ``weight_decay * param`` (BUG: should be ``lr * weight_decay * param``)."""
    reference.adamw_step(param, grad, exp_avg, exp_avg_sq, step, lr=lr, weight_decay=weight_decay,
                         **options)  # validates
    p, m, v = reference.adamw_step(param, grad, exp_avg, exp_avg_sq, step, lr=lr, weight_decay=0.0, **options)
    return (p - weight_decay * param).astype(p.dtype), m, v
