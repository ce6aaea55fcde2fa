"""Group norm that accepts ``C % num_groups != 0`` and splits the channels into uneven groups
(``np.array_split``: the first ``C % G`` groups get one channel more).

Real bug class: a missing divisibility check papered over by a "forgiving" split; the layer runs with group
statistics nobody asked for, instead of raising as PyTorch does. Correct whenever G divides C. Caught by:
group_norm ``rejects_bad_input`` (C=6 with 4 groups).
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-norms-group-norm-uneven-groups"
DTYPES = ("float32", "float64")
CATCHES = ("group_norm:rejects_bad_input",)


def group_norm(x, num_groups, weight=None, bias=None, *, eps=1e-5):
    """Group norm over ``np.array_split`` groups (BUG: no check that ``num_groups`` divides C, nor that it is
    >= 1: uneven groups nobody asked for, instead of an error)."""
    reference.group_norm(x, 1, weight, bias, eps=eps)  # validates all but num_groups
    parts = np.array_split(np.asarray(x), int(num_groups), axis=1)
    y = np.concatenate([reference.layer_norm(p, p.ndim - 1, eps=eps) for p in parts], axis=1)
    shape = (1, -1) + (1,) * (y.ndim - 2)
    y = y if weight is None else y * np.asarray(weight, y.dtype).reshape(shape)
    return y if bias is None else y + np.asarray(bias, y.dtype).reshape(shape)
