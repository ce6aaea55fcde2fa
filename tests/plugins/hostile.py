"""A plug-in whose components misbehave in every way a check must survive (tests/test_hostile_plugins.py).

relu is correct; every other activation is hostile in its own way. Each misbehaviour must cost only that
component's checks.
"""
import time

import numpy as np

NAME = "hostile"
DTYPES = ("float32",)


def asarray(a):
    return np.array(a, copy=True)


def to_numpy(x):
    return np.asarray(x)


def relu(x):
    return np.maximum(x, 0).astype(x.dtype)


def sigmoid(x):
    raise ValueError("<script>alert(1)</script> sigmoid exploded")


def tanh(x):
    return np.full(x.shape, np.nan, dtype=x.dtype)


def silu(x):
    return np.zeros(x.shape + (2,), dtype=x.dtype)


def gelu(x, *, approximate=False):
    return np.asarray(x, dtype=np.float64) * 0.5


def softmax(x, *, axis=-1):
    return np.asarray(x).tolist()


def log_softmax(x, *, axis=-1):
    time.sleep(1000)
