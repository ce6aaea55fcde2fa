"""A plug-in whose components misbehave in every way a check must survive (``tests/test_hostile_plugins.py``).

``relu`` is correct; every other activation is hostile in its own way, and each misbehaviour must cost only that
component's checks, be reported ``error`` with a message saying what went wrong, and reach the HTML page
escaped (``sigmoid``'s message carries markup).
"""
import time

import numpy as np

NAME = "hostile"
DTYPES = ("float32",)
#: what each component does, and a phrase its error message must contain
BEHAVIOUR = {
    "relu": ("correct", None),
    "sigmoid": ("raises, with HTML in the message", "sigmoid raised ValueError: <script>alert(1)</script>"),
    "tanh": ("returns NaN", "not finite"),
    "softmax": ("returns a Python list", "softmax returned a Python list"),
    "log_softmax": ("returns the wrong shape", "has shape"),
    "gelu": ("returns the wrong dtype", "has dtype float64, expected float32"),
    "silu": ("hangs in time.sleep", "silu did not return within 1 s (--check-timeout)"),
}


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


def softmax(x, *, axis=-1):
    return np.exp(x).tolist()


def log_softmax(x, *, axis=-1):
    return np.zeros(x.shape + (2,), dtype=x.dtype)


def gelu(x, *, approximate=False):
    return np.asarray(x, dtype=np.float64) * 0.5


def silu(x):
    time.sleep(1000)
