"""A copy of the oracle (``impls.numpy``) with one planted bug: softmax rows scaled by 1.001.

Used by ``tests/test_oracle.py`` to show that when the oracle is wrong, the report blames the oracle ("oracle
suspected": two independent implementations agree with each other against it) instead of failing them.
"""
import numpy as np

from impls.numpy import *  # noqa: F401,F403  (every other component, correct)
from impls.numpy import asarray, to_numpy  # noqa: F401
from impls.numpy import softmax as _softmax

NAME = "oracle-with-planted-bug"
DTYPES = ("float64",)


def softmax(x, *, axis=-1):
    return _softmax(x, axis=axis) * np.asarray(1.001, np.asarray(x).dtype)  # BUG: rows sum to 1.001
