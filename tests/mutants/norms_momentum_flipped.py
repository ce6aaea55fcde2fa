"""BatchNorm running statistics updated as ``momentum * old + (1 - momentum) * stat``.

Real bug class: mixing PyTorch's momentum convention (weight of the new statistic, 0.1) with Keras/TF's
(weight of the old one, 0.99). Caught by: the running-stat update matches its formula (any momentum != 0.5).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-norms-momentum-flipped"
DTYPES = ("float32", "float64")
CATCHES = ("batch_norm:running_stats_update",)


def batch_norm(x, running_mean, running_var, weight=None, bias=None, *, training, momentum=0.1, eps=1e-5):
    """The reference with ``momentum`` replaced by ``1 - momentum`` (BUG: the old statistic gets the weight
    meant for the new one)."""
    reference.batch_norm(x, running_mean, running_var, weight, bias, training=training, momentum=momentum,
                         eps=eps)  # validates
    return reference.batch_norm(x, running_mean, running_var, weight, bias, training=training,
                                momentum=1 - momentum, eps=eps)
