"""InstanceNorm taking its statistics over channels and spatial axes together (per sample, not per channel).

Real bug class: reducing over ``dims=(1, 2, ...)`` instead of ``(2, ...)``: that is LayerNorm over (C, *spatial),
i.e. GroupNorm with one group. Caught by: zero mean per (n, c), "group norm with C groups equals instance norm",
and the float64 oracle comparison.
"""
from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-norms-instance-norm-over-channels"
DTYPES = ("float32", "float64")
CATCHES = ("instance_norm:matches_oracle", "instance_norm:zero_mean_unit_variance")


def instance_norm(x, weight=None, bias=None, *, eps=1e-5):
    """Statistics per sample over the channels and the spatial axes (BUG: the axes start at 1, not 2): group
    norm with one group."""
    reference.instance_norm(x, weight, bias, eps=eps)  # validates
    return reference.group_norm(x, 1, weight, bias, eps=eps)
