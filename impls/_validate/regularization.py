"""Argument checks for dropout (SPEC 3.5), shared by every built-in implementation."""
import math
import operator

from .losses import require_float

#: seeds every backend's generator accepts (NumPy rejects negatives, JAX and torch take 64-bit ints)
MAX_SEED = 2**63 - 1


def dropout(x_dtype, p, *, training, seed) -> tuple[float, int]:
    """Checks for ``dropout``: float x, ``p`` in [0, 1], an int seed in ``[0, 2**63)``; returns ``(p, seed)``."""
    fn = "dropout"
    require_float(fn, "x", x_dtype)
    if isinstance(p, bool):
        raise TypeError(f"{fn}: p must be a real number, got {p!r}")
    try:
        p = float(p)
    except (TypeError, ValueError):
        raise TypeError(f"{fn}: p must be a real number, got {p!r}") from None
    if math.isnan(p) or not 0.0 <= p <= 1.0:
        raise ValueError(f"{fn}: drop probability p must lie in [0, 1], got {p!r}")
    if not isinstance(training, bool) and type(training).__name__ != "bool_":
        raise TypeError(f"{fn}: training must be a bool, got {training!r}")
    if isinstance(seed, bool):
        raise TypeError(f"{fn}: seed must be an int, got {seed!r}")
    try:
        seed = operator.index(seed)
    except TypeError:
        raise TypeError(f"{fn}: seed must be an int, got {seed!r}") from None
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"{fn}: seed must lie in [0, 2**63), got {seed}")
    return p, seed
