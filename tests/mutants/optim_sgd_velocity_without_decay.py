"""SGD with momentum feeds the raw gradient into the velocity: weight decay is only applied without momentum.

Real bug class: weight decay added on one code path only (e.g. in the `momentum == 0` branch, or to the step
rather than the gradient). Caught by: the differential check and multi-step trajectories, whenever
momentum > 0 and weight_decay > 0.
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-optim-sgd-velocity-without-decay"
DTYPES = ("float32", "float64")
CATCHES = ("sgd_step:matches_oracle", "sgd_step:trajectory_matches_oracle")


def sgd_step(param, grad, momentum_buffer, *, momentum=0.0, weight_decay=0.0, **options):
    """The reference, except that the momentum path drops the decay (BUG: ``weight_decay * param`` missing
    from g when momentum != 0)."""
    reference.sgd_step(param, grad, momentum_buffer, momentum=momentum, weight_decay=weight_decay,
                       **options)  # validates
    decay = weight_decay if momentum == 0 else 0.0
    return reference.sgd_step(param, grad, momentum_buffer, momentum=momentum, weight_decay=decay, **options)
