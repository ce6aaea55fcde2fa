"""Adam with eps = 1e-6 by default.

Real bug class: Hugging Face's old `AdamW` defaulted to eps=1e-6, PyTorch's Adam to 1e-8. Every other property passes this argument, so only the default is wrong: caught by
``defaults_are_the_catalogue_defaults`` in float32 (the dtype a plug-in declares by default).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-defaults-adam-eps-1e6-by-default"
DTYPES = ("float32",)
CATCHES = ("adam_step:defaults_are_the_catalogue_defaults@float32",)


def adam_step(param, grad, exp_avg, exp_avg_sq, step, *, lr, betas=(0.9, 0.999), eps=1e-6, weight_decay=0.0):  # BUG: the default
    return reference.adam_step(param, grad, exp_avg, exp_avg_sq, step, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
