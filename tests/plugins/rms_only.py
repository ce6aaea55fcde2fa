"""One component, ``rms_norm``, with a planted bug: it forgets the square root (``x / (mean(x^2) + eps)``), so its
value checks fail with an error against the allowance. Every other norm is reported "not provided"
(``tests/test_plugin_author.py``: the terminal summary)."""
import numpy as np

NAME = "rms-only"
DTYPES = ("float32",)


def asarray(a):
    return np.array(a, copy=True)


def to_numpy(x):
    return np.asarray(x)


def rms_norm(x, normalized_ndim, weight=None, *, eps=1e-6):
    if not isinstance(normalized_ndim, int) or not 1 <= normalized_ndim <= x.ndim:
        raise ValueError(f"normalized_ndim={normalized_ndim} out of range for a {x.ndim}-d input")
    dims = tuple(range(-normalized_ndim, 0))
    if weight is not None and tuple(weight.shape) != tuple(x.shape[-normalized_ndim:]):
        raise ValueError("weight must have the normalised axes' shape")
    x64 = x.astype(np.float64)
    y = x64 / (np.mean(x64 * x64, axis=dims, keepdims=True) + eps)  # BUG: no square root
    if weight is not None:
        y = y * weight.astype(np.float64)
    return y.astype(x.dtype)
