"""A plug-in whose ``gelu`` never returns from pure-Python code (``while True: pass``) and whose ``tanh`` returns an
object ``to_numpy`` cannot convert; ``relu`` is correct (``tests/test_hostile_plugins.py``)."""
import numpy as np

NAME = "spinner"
DTYPES = ("float32",)
BEHAVIOUR = {
    "relu": ("correct", None),
    "gelu": ("spins in `while True: pass`", "gelu did not return within 1 s (--check-timeout)"),
    "tanh": ("returns an object to_numpy rejects", "which to_numpy cannot convert"),
}


def asarray(a):
    return np.array(a, copy=True)


def to_numpy(x):
    if not isinstance(x, np.ndarray):
        raise TypeError(f"not an array: {type(x).__name__}")
    return x


def relu(x):
    return np.maximum(x, 0).astype(x.dtype)


def gelu(x, *, approximate=False):
    while True:
        pass


def tanh(x):
    return object()
