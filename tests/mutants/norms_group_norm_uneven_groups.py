"""Group norm that accepts ``C % num_groups != 0`` and splits the channels into uneven groups
(``np.array_split``: the first ``C % G`` groups get one channel more).

Real bug class: a missing divisibility check papered over by a "forgiving" split; the layer runs with group
statistics nobody asked for, instead of raising as PyTorch does. Correct whenever G divides C. Caught by:
group_norm ``rejects_bad_input`` (C=6 with 4 groups).
"""
import numpy as np

from impls._validate import norms as V
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)
from impls.numpy._util import upcast
from impls.numpy.norms import _affine, _channel_shape, _meta, _standardize

NAME = "mutant-norms-group-norm-uneven-groups"
DTYPES = ("float32", "float64")


def group_norm(x, num_groups, weight=None, bias=None, *, eps=1e-5):
    shape = V.check_x("group_norm", _meta(x), 2, "(N, C, *spatial)")
    V.check_param("group_norm", "weight", _meta(weight), (shape[1],))
    V.check_param("group_norm", "bias", _meta(bias), (shape[1],))
    eps = V.check_eps("group_norm", eps)
    # BUG: no check that num_groups divides C (nor that it is >= 1): array_split makes uneven groups
    x = np.asarray(x)
    xc = upcast(x)
    parts = np.array_split(xc, int(num_groups), axis=1)
    y = np.concatenate([_standardize(p, tuple(range(1, p.ndim)), eps) for p in parts], axis=1)
    return _affine(y, weight, bias, _channel_shape(x.ndim)).astype(x.dtype)
