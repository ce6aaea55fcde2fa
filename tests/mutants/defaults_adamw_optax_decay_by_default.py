"""AdamW with optax's `weight_decay=1e-4` by default (torch.optim.AdamW's, the catalogue's, is 0.01).

Real bug class: two frameworks' defaults for the same optimizer differ by 100x. Every other property passes this argument, so only the default is wrong: caught by
``defaults_are_the_catalogue_defaults`` in float32 (the dtype a plug-in declares by default).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-defaults-adamw-optax-decay-by-default"
DTYPES = ("float32",)
CATCHES = ("adamw_step:defaults_are_the_catalogue_defaults@float32",)


def adamw_step(param, grad, exp_avg, exp_avg_sq, step, *, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-4):  # BUG: the default
    return reference.adamw_step(param, grad, exp_avg, exp_avg_sq, step, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
