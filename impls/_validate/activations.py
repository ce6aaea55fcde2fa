"""Argument checks for the activation family (SPEC 3.2), shared by every built-in implementation.

Arrays arrive as ``(shape, dtype)`` pairs; dtypes may be NumPy, ``ml_dtypes`` or ``torch`` dtypes, compared
by name so that no framework is imported here.
"""
import operator
import numbers

from impls._validate import dtype_name

FLOAT_DTYPES = ("float16", "bfloat16", "float32", "float64")


def check_float(fn: str, arg: str, dtype) -> None:
    """TypeError unless ``dtype`` is one of the float dtypes of the contract."""
    name = dtype_name(dtype)
    if name not in FLOAT_DTYPES:
        raise TypeError(f"{fn}: {arg} must be a floating-point array ({', '.join(FLOAT_DTYPES)}), got {name}")


def check_bool(fn: str, arg: str, value) -> bool:
    """``value`` as a Python bool; TypeError for anything else (a string like ``'tanh'`` included)."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return bool(value)
    raise TypeError(f"{fn}: {arg} must be True or False, got {value!r}")


def check_int(fn: str, arg: str, value) -> int:
    """``value`` as a Python int; TypeError for floats, bools and non-numbers."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        raise TypeError(f"{fn}: {arg} must be an integer, got {value!r}")
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{fn}: {arg} must be an integer, got {value!r}") from None


def check_real(fn: str, arg: str, value) -> float:
    """``value`` as a Python float; TypeError for non-numbers and bools."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{fn}: {arg} must be a real number, got {value!r}")
    return float(value)


def check_axis(fn: str, axis, ndim: int) -> int:
    """``axis`` normalised to ``0..ndim-1``; ValueError when out of range (as NumPy's AxisError)."""
    axis = check_int(fn, "axis", axis)
    if not -ndim <= axis < ndim:
        raise ValueError(f"{fn}: axis {axis} is out of range for a {ndim}-d input (valid: {-ndim}..{ndim - 1})")
    return axis % ndim


def elementwise(fn: str, x) -> None:
    """relu, sigmoid, tanh, silu: ``x`` is a float array of any shape."""
    check_float(fn, "x", x[1])


def gelu(x, approximate) -> bool:
    """``x`` float; ``approximate`` a bool (the tanh formula when True). Returns it as a Python bool."""
    check_float("gelu", "x", x[1])
    if isinstance(approximate, bool) or type(approximate).__name__ == "bool_":
        return bool(approximate)
    raise TypeError(f"gelu: approximate must be True (the tanh formula) or False (erf), got {approximate!r}")


def softmax(fn: str, x, axis) -> int:
    """softmax/log_softmax: float ``x`` of rank >= 1; returns the axis in ``0..ndim-1``."""
    shape, dtype = x
    check_float(fn, "x", dtype)
    if not shape:
        raise ValueError(f"{fn}: x must have at least one axis, got a 0-d array")
    return check_axis(fn, axis, len(shape))
