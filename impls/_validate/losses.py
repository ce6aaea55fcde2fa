"""Argument checks for the losses (SPEC 3.3), shared by every built-in implementation.

Each check takes shapes (tuples), dtypes (any framework's dtype object) and plain Python values, and raises
``ValueError`` for a broken convention (shape, range, option) or ``TypeError`` for a wrong kind of dtype.
"""
import numpy as np

from impls._validate import dtype_name

REDUCTIONS = ("mean", "sum", "none")
FLOAT_DTYPES = ("float16", "bfloat16", "float32", "float64")


def is_integer_dtype(dtype) -> bool:
    """True for signed and unsigned integer dtypes (``bool`` is not a class index)."""
    return dtype_name(dtype).startswith(("int", "uint"))


def require_float(fn: str, what: str, dtype) -> None:
    """TypeError unless ``dtype`` is one of the float dtypes the contract knows."""
    if dtype_name(dtype) not in FLOAT_DTYPES:
        raise TypeError(f"{fn}: {what} must have a float dtype ({', '.join(FLOAT_DTYPES)}), "
                        f"got {dtype_name(dtype)}")


def require_same_shape(fn: str, a_name: str, a_shape, b_name: str, b_shape) -> None:
    """ValueError unless the shapes are identical: losses never broadcast silently."""
    if tuple(a_shape) != tuple(b_shape):
        raise ValueError(f"{fn}: {a_name} shape {tuple(a_shape)} and {b_name} shape {tuple(b_shape)} "
                         f"must be equal (no broadcasting)")


def check_reduction(fn: str, reduction) -> None:
    """ValueError unless ``reduction`` is one of ``mean``, ``sum``, ``none``."""
    if not isinstance(reduction, str) or reduction not in REDUCTIONS:
        raise ValueError(f"{fn}: reduction must be one of {REDUCTIONS}, got {reduction!r}")


def cross_entropy(logits_shape, logits_dtype, target_shape, target_dtype, *,
                  ignore_index, label_smoothing, reduction) -> None:
    """Checks for ``cross_entropy``: logits ``(N, C)`` float with C >= 1, target ``(N,)`` integer."""
    fn = "cross_entropy"
    check_reduction(fn, reduction)
    require_float(fn, "logits", logits_dtype)
    if not is_integer_dtype(target_dtype):
        raise TypeError(f"{fn}: target must be an integer array of class indices, got {dtype_name(target_dtype)}")
    if len(logits_shape) != 2:
        raise ValueError(f"{fn}: logits must have shape (N, C), got {tuple(logits_shape)}")
    if logits_shape[1] < 1:
        raise ValueError(f"{fn}: logits need at least one class, got shape {tuple(logits_shape)}")
    if tuple(target_shape) != (logits_shape[0],):
        raise ValueError(f"{fn}: target must have shape (N,) = ({logits_shape[0]},) to match logits "
                         f"{tuple(logits_shape)}, got {tuple(target_shape)}")
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, (int, np.integer)):
        raise TypeError(f"{fn}: ignore_index must be an int, got {ignore_index!r}")
    if not 0.0 <= float(label_smoothing) <= 1.0:
        raise ValueError(f"{fn}: label_smoothing must lie in [0, 1], got {label_smoothing!r}")


def cross_entropy_targets(target: np.ndarray, num_classes: int, ignore_index: int) -> None:
    """ValueError if a target that is not ``ignore_index`` lies outside ``[0, num_classes)``.

    Takes the concrete target values as a NumPy array (each backend copies them to the host).
    """
    target = np.asarray(target)
    bad = (target != ignore_index) & ((target < 0) | (target >= num_classes))
    if bad.any():
        value = target[bad].flat[0]
        raise ValueError(f"cross_entropy: target {int(value)} is outside [0, {num_classes}) and is not "
                         f"ignore_index={ignore_index}")


def binary_cross_entropy_with_logits(logits_shape, logits_dtype, target_shape, target_dtype, *, reduction) -> None:
    """Checks for ``binary_cross_entropy_with_logits``: float logits and float target of the same shape."""
    fn = "binary_cross_entropy_with_logits"
    check_reduction(fn, reduction)
    require_float(fn, "logits", logits_dtype)
    require_float(fn, "target", target_dtype)
    require_same_shape(fn, "logits", logits_shape, "target", target_shape)


def mse_loss(pred_shape, pred_dtype, target_shape, target_dtype, *, reduction) -> None:
    """Checks for ``mse_loss``: float pred and target of the same shape."""
    fn = "mse_loss"
    check_reduction(fn, reduction)
    require_float(fn, "pred", pred_dtype)
    require_float(fn, "target", target_dtype)
    require_same_shape(fn, "pred", pred_shape, "target", target_shape)


def kl_divergence(log_p_shape, log_p_dtype, log_q_shape, log_q_dtype, *, axis) -> int:
    """Checks for ``kl_divergence``; returns ``axis`` as a non-negative index."""
    fn = "kl_divergence"
    require_float(fn, "log_p", log_p_dtype)
    require_float(fn, "log_q", log_q_dtype)
    require_same_shape(fn, "log_p", log_p_shape, "log_q", log_q_shape)
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{fn}: axis must be an int, got {axis!r}")
    ndim = len(log_p_shape)
    if not -ndim <= axis < ndim:
        raise ValueError(f"{fn}: axis {axis} is out of range for inputs of shape {tuple(log_p_shape)}")
    return int(axis) % ndim
