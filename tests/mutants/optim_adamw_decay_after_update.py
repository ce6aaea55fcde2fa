"""AdamW applies the decoupled decay after the Adam update (to the updated param) instead of before it.

Real bug class: moving the decay line below the update when refactoring; the result differs by
lr * weight_decay * update per step, small but systematic. Caught by: the differential check and multi-step
trajectories against the oracle, whenever weight_decay > 0 and lr > 0.
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-optim-adamw-decay-after-update"
DTYPES = ("float32", "float64")
CATCHES = ("adamw_step:matches_oracle",
           "adamw_step:first_step_moves_lr_times_sign",
           "adamw_step:trajectory_matches_oracle")


def adamw_step(param, grad, exp_avg, exp_avg_sq, step, *, lr, weight_decay=0.01, **options):
    """The undecayed step, then ``* (1 - lr * weight_decay)`` (BUG: the decay belongs before the update, on
    the old param)."""
    reference.adamw_step(param, grad, exp_avg, exp_avg_sq, step, lr=lr, weight_decay=weight_decay,
                         **options)  # validates
    p, m, v = reference.adamw_step(param, grad, exp_avg, exp_avg_sq, step, lr=lr, weight_decay=0.0, **options)
    return (p * (1 - lr * weight_decay)).astype(p.dtype), m, v
