"""Adam with beta2 = 0.95 by default.

Real bug class: LLM pre-training recipes use beta2 0.95; baked into an optimizer kernel's default it changes every run that relies on the documented 0.999. Every other property passes this argument, so only the default is wrong: caught by
``defaults_are_the_catalogue_defaults`` in float32 (the dtype a plug-in declares by default).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-defaults-adam-beta2-095-by-default"
DTYPES = ("float32",)
CATCHES = ("adam_step:defaults_are_the_catalogue_defaults@float32",)


def adam_step(param, grad, exp_avg, exp_avg_sq, step, *, lr, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.0):  # BUG: the default
    return reference.adam_step(param, grad, exp_avg, exp_avg_sq, step, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
