"""SGD ignores nesterov=True and takes a plain heavy-ball momentum step.

Real bug class: an option accepted in the signature but never wired into the update. Caught by: the
differential check and multi-step trajectories, whenever nesterov=True (momentum > 0).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-optim-sgd-nesterov-ignored"
DTYPES = ("float32", "float64")
CATCHES = ("sgd_step:matches_oracle", "sgd_step:trajectory_matches_oracle")


def sgd_step(param, grad, momentum_buffer, *, nesterov=False, **options):
    """The reference without Nesterov (BUG: the flag is validated, then ignored: the step is the buffer, not
    ``g + momentum * buf``)."""
    reference.sgd_step(param, grad, momentum_buffer, nesterov=nesterov, **options)  # validates
    return reference.sgd_step(param, grad, momentum_buffer, **options)
