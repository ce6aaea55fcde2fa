"""GroupNorm putting channel ``c`` in group ``c % G`` (strided) instead of the contiguous block ``c // (C/G)``.

Real bug class: reshaping ``(N, C, ...)`` to ``(N, C/G, G, ...)`` instead of ``(N, G, C/G, ...)``: shapes line up,
only the grouping is wrong. Caught by: the float64 oracle comparison whenever 1 < G < C, and (through the
statistics) zero mean per contiguous group.
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-norms-groups-by-modulo"
DTYPES = ("float32", "float64")
CATCHES = ("group_norm:matches_oracle", "group_norm:zero_mean_unit_variance")


def group_norm(x, num_groups, weight=None, bias=None, *, eps=1e-5):
    """Group norm whose group ``j`` holds the channels ``c`` with ``c % G == j`` (BUG: a reshape to
    ``(N, C/G, G, ...)`` where ``(N, G, C/G, ...)`` was meant): the reference on channels permuted so that
    each such group is contiguous, permuted back."""
    reference.group_norm(x, num_groups, weight, bias, eps=eps)  # validates
    x = np.asarray(x)
    order = np.argsort(np.arange(x.shape[1]) % num_groups, kind="stable")
    pick = (lambda a: None if a is None else np.asarray(a)[order])
    y = reference.group_norm(x[:, order], num_groups, pick(weight), pick(bias), eps=eps)
    return y[:, np.argsort(order)]
