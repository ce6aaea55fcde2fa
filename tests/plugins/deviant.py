"""A plug-in that declares deviations and unsupported options (``tests/test_loader.py``; installed there through
the ``dlprops.impls`` entry-point group).

- ``relu`` is correct, yet declares a deviation of ``odd_part_is_identity``: reported ``xpassed``;
- ``sigmoid`` is off by 1e-3 and declares ``matches_oracle`` a known deviation: that check is ``xfailed``, while
  ``symmetric`` (not declared) is ``failed``;
- ``silu`` raises ``NotImplementedError`` for every input: ``skipped``, with the message;
- ``gelu`` raises ``NotImplementedError`` for ``approximate=True`` only: the exact form is checked and passes,
  the tanh form's inputs are skipped and the message says so.
"""
import math

import numpy as np

NAME = "deviant"
DTYPES = ("float32",)
KNOWN_DEVIATIONS = {
    ("relu", "odd_part_is_identity"): "declared for the test; relu is in fact exact",
    ("sigmoid", "matches_oracle"): "this sigmoid is shifted by 1e-3 on purpose",
}
SILU_MESSAGE = "silu is not offered by the deviant plug-in"
GELU_MESSAGE = "approximate=True (the tanh form) is not supported"

_erfc = np.vectorize(math.erfc, otypes=[np.float64])


def asarray(a):
    return np.array(a, copy=True)


def to_numpy(x):
    return np.asarray(x)


def relu(x):
    return np.maximum(x, 0).astype(x.dtype)


def sigmoid(x):
    x64 = x.astype(np.float64)
    return (np.exp(-np.logaddexp(0.0, -x64)) + 1e-3).astype(x.dtype)


def silu(x):
    raise NotImplementedError(SILU_MESSAGE)


def gelu(x, *, approximate=False):
    if approximate:
        raise NotImplementedError(GELU_MESSAGE)
    x64 = x.astype(np.float64)
    return (0.5 * x64 * _erfc(-x64 / math.sqrt(2.0))).astype(x.dtype)  # erfc: accurate in the left tail too
