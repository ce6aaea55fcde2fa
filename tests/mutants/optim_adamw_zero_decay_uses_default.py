"""AdamW that treats ``weight_decay=0`` as "not given" and falls back to the default 0.01
(``weight_decay = weight_decay or 0.01``); Adam correct.

Real bug class: Python's falsy-default idiom applied to a number, so an explicit 0 is replaced by the default.
Correct for every non-zero decay. The module also provides a correct adam_step, so AdamW without decay can be
compared with it. Caught by: AdamW with ``weight_decay=0`` equals Adam, and the oracle comparison.
"""
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy import adam_step  # noqa: F401  (correct: the reference)
from impls import numpy as reference

NAME = "mutant-optim-adamw-zero-decay-uses-default"
DTYPES = ("float32", "float64")
CATCHES = ("adamw_step:matches_oracle",
           "adamw_step:first_step_moves_lr_times_sign",
           "adamw_step:trajectory_matches_oracle",
           "adamw_step:weight_decay_zero_equals_adam")


def adamw_step(param, grad, exp_avg, exp_avg_sq, step, *, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
    weight_decay = weight_decay or 0.01  # BUG: an explicit 0 becomes the default
    return reference.adamw_step(param, grad, exp_avg, exp_avg_sq, step, lr=lr, betas=betas, eps=eps,
                                weight_decay=weight_decay)
