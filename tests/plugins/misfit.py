"""A plug-in whose ``rms_norm`` takes other parameters than the catalogue's (``dims`` for ``normalized_ndim``, eps
positional with another default) and whose ``layer_norm`` matches it: the run goes on, rms_norm's checks are
errors naming the mismatch, layer_norm's are checked (``tests/test_plugin_author.py``)."""
import numpy as np

NAME = "misfit"
DTYPES = ("float32",)


def asarray(a):
    return np.array(a, copy=True)


def to_numpy(x):
    return np.asarray(x)


def rms_norm(x, dims, eps=1e-6):  # the catalogue: (x, normalized_ndim, weight=None, *, eps=1e-6)
    axes = tuple(range(-dims, 0))
    x64 = x.astype(np.float64)
    return (x64 / np.sqrt(np.mean(x64 * x64, axis=axes, keepdims=True) + eps)).astype(x.dtype)


def layer_norm(x: np.ndarray, normalized_ndim: int, weight=None, bias=None, *, eps: float = 1e-5) -> np.ndarray:
    if not isinstance(normalized_ndim, int) or not 1 <= normalized_ndim <= x.ndim:
        raise ValueError(f"normalized_ndim={normalized_ndim} out of range for a {x.ndim}-d input")
    axes = tuple(range(-normalized_ndim, 0))
    shape = tuple(x.shape[-normalized_ndim:])
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and tuple(p.shape) != shape:
            raise ValueError(f"{name} must have the normalised axes' shape {shape}")
    x64 = x.astype(np.float64)
    mean = x64.mean(axis=axes, keepdims=True)
    var = ((x64 - mean) ** 2).mean(axis=axes, keepdims=True)
    y = (x64 - mean) / np.sqrt(var + eps)
    if weight is not None:
        y = y * weight.astype(np.float64)
    if bias is not None:
        y = y + bias.astype(np.float64)
    return y.astype(x.dtype)
