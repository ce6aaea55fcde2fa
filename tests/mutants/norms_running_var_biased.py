"""BatchNorm updating ``running_var`` with the biased batch variance instead of the unbiased one.

Real bug class: reusing the variance that normalised the batch for the running estimate (the one PyTorch
updates with ``n / (n - 1)`` applied). Caught by: the running-stat update matches its formula, and the float64
oracle comparison of ``new_running_var`` (clearest for small batches).
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-norms-running-var-biased"
DTYPES = ("float32", "float64")
CATCHES = ("batch_norm:running_stats_update",)


def batch_norm(x, running_mean, running_var, weight=None, bias=None, *, training, momentum=0.1, eps=1e-5):
    """The reference, except that the running variance takes the biased batch variance (BUG: no ``n / (n - 1)``):
    the reference's momentum term scaled back by ``(n - 1) / n``."""
    y, rm, rv = reference.batch_norm(x, running_mean, running_var, weight, bias, training=training,
                                     momentum=momentum, eps=eps)
    if not training:
        return y, rm, rv
    n = x.size // x.shape[1]
    old = (1 - momentum) * running_var
    return y, rm, (old + (rv - old) * ((n - 1) / n)).astype(rv.dtype)
