"""The smallest useful plug-in: the interface plus one component (``relu``). Every other component is reported
skipped, "not provided" (``tests/test_loader.py``)."""
import numpy as np

NAME = "relu-only"
DTYPES = ("float32", "float64")


def asarray(a):
    return np.array(a, copy=True)


def to_numpy(x):
    return np.asarray(x)


def relu(x):
    return np.maximum(x, 0).astype(x.dtype)
