"""A plug-in whose sigmoid never returns from pure-Python code (``while True: pass``) and whose softmax returns an
object ``to_numpy`` cannot convert; relu is correct."""
import numpy as np

NAME = "spinner"
DTYPES = ("float32",)


def asarray(a):
    return np.array(a, copy=True)


def to_numpy(x):
    if not isinstance(x, np.ndarray):
        raise TypeError(f"not an array: {type(x).__name__}")
    return x


def relu(x):
    return np.maximum(x, 0).astype(x.dtype)


def sigmoid(x):
    while True:
        pass


def softmax(x, *, axis=-1):
    return object()
