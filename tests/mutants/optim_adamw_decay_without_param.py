"""AdamW subtracts lr * weight_decay from every weight instead of lr * weight_decay * param.

Real bug class: dropping the `* param` factor when writing the decay as a subtraction
(`p -= lr * wd` instead of `p -= lr * wd * p`): a constant drift towards -inf instead of a shrink towards 0.
Caught by: the differential check and multi-step trajectories, whenever weight_decay > 0 and param != 1.
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-optim-adamw-decay-without-param"
DTYPES = ("float32", "float64")
CATCHES = ("adamw_step:matches_oracle",
           "adamw_step:first_step_moves_lr_times_sign",
           "adamw_step:trajectory_matches_oracle",
           "adamw_step:zero_gradient_is_pure_decay")


def adamw_step(param, grad, exp_avg, exp_avg_sq, step, *, lr, weight_decay=0.01, **options):
    """The undecayed step minus ``lr * weight_decay`` (BUG: should be ``lr * weight_decay * param``)."""
    reference.adamw_step(param, grad, exp_avg, exp_avg_sq, step, lr=lr, weight_decay=weight_decay,
                         **options)  # validates
    p, m, v = reference.adamw_step(param, grad, exp_avg, exp_avg_sq, step, lr=lr, weight_decay=0.0, **options)
    return (p - lr * weight_decay).astype(p.dtype), m, v
