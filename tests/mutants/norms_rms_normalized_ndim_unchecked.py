"""RMS norm that does not check ``normalized_ndim``: 0 normalises over no axis at all, so every element is
divided by its own magnitude (``x / sqrt(x**2 + eps)``, about ``sign(x)``).

Real bug class: a missing range check on an axis-count argument; ``axis=()`` is a valid (empty) reduction in
NumPy and PyTorch, so the call runs and returns garbage of the right shape. Correct for every valid
``normalized_ndim``. Caught by: rms_norm ``rejects_bad_input`` (normalized_ndim 0).
"""
import numpy as np

from impls import numpy as reference
from impls.numpy import asarray, to_numpy  # noqa: F401  (the plug-in interface)

NAME = "mutant-norms-rms-normalized-ndim-unchecked"
DTYPES = ("float32", "float64")
CATCHES = ("rms_norm:rejects_bad_input",)


def rms_norm(x, normalized_ndim, weight=None, *, eps=1e-6):
    """The reference, except that ``normalized_ndim == 0`` is accepted (BUG: no ``>= 1`` check) and
    normalises each element by itself: ``x / sqrt(x^2 + eps) * weight``."""
    if int(normalized_ndim) != 0:
        return reference.rms_norm(x, normalized_ndim, weight, eps=eps)
    reference.rms_norm(x, 1, None, eps=eps)  # validates x and eps
    x = np.asarray(x)
    y = x / np.sqrt(x * x + eps)
    return (y if weight is None else y * np.asarray(weight, y.dtype)).astype(x.dtype)
