"""Precision helpers shared by the NumPy family modules."""
import numpy as np



def compute_dtype(dtype):
    """float32 for half-precision inputs (accumulate wide, round once at the end), else ``dtype``."""
    return np.dtype(np.float32) if np.dtype(dtype).itemsize < 4 else np.dtype(dtype)


def upcast(x):
    """``x`` converted to its compute dtype."""
    x = np.asarray(x)
    return x.astype(compute_dtype(x.dtype), copy=False)
