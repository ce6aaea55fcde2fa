"""The NumPy implementation: the reference, and in float64 the oracle every other implementation meets.

Written from NumPy array primitives only. Half-precision inputs are computed in float32 and the result
rounded back to the input's dtype.
"""
import numpy as np

from .activations import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .bert import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .norms import *  # noqa: F401,F403
from .optim import *  # noqa: F401,F403
from .params import *  # noqa: F401,F403
from .positional import *  # noqa: F401,F403
from .regularization import *  # noqa: F401,F403
from .transformer import *  # noqa: F401,F403

NAME = "numpy"
DTYPES = ("float16", "float32", "float64")


def asarray(a):
    """A private copy of ``a`` (same dtype and values)."""
    return np.array(a, copy=True)


def to_numpy(x):
    """NumPy arrays are already native."""
    return np.asarray(x)
