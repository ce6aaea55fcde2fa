"""A plug-in with one planted bug: its ``relu`` leaks (``max(x, 0.01 x)``), so ``relu:matches_oracle`` and
``relu:odd_part_is_identity`` fail with a shrunk counterexample; ``sigmoid`` and ``tanh`` are correct. Used for the
report, browser and reproducibility tests."""
import numpy as np

NAME = "buggy"
DTYPES = ("float32",)
#: the checks this plug-in fails (component, property)
FAILS = {("relu", "matches_oracle"), ("relu", "odd_part_is_identity")}


def asarray(a):
    return np.array(a, copy=True)


def to_numpy(x):
    return np.asarray(x)


def relu(x):
    return np.maximum(x, x * np.asarray(0.01, x.dtype)).astype(x.dtype)  # BUG: leaky


def sigmoid(x):
    x64 = x.astype(np.float64)
    return (np.exp(-np.logaddexp(0.0, -x64))).astype(x.dtype)


def tanh(x):
    return np.tanh(x.astype(np.float64)).astype(x.dtype)
