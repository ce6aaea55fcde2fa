"""Argument checks for the optimizer steps (SPEC 3.4), shared by every built-in implementation.

The ranges are ``torch.optim``'s: a hyperparameter it rejects is rejected here with ``ValueError``.
"""
import math
import operator

from .losses import require_float, require_same_shape


def _require_number(fn: str, name: str, value) -> float:
    """``value`` as a float; TypeError for anything that is not a real number, ValueError for NaN."""
    if isinstance(value, bool):
        raise TypeError(f"{fn}: {name} must be a real number, got {value!r}")
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{fn}: {name} must be a real number, got {value!r}") from None
    if math.isnan(out):
        raise ValueError(f"{fn}: {name} must not be NaN")
    return out


def _require_non_negative(fn: str, name: str, value) -> float:
    out = _require_number(fn, name, value)
    if out < 0.0:
        raise ValueError(f"{fn}: {name} must be >= 0, got {value!r}")
    return out


def _check_arrays(fn: str, param, others) -> None:
    """``param`` and each ``(name, shape, dtype)`` in ``others`` are float arrays of ``param``'s shape."""
    p_shape, p_dtype = param
    require_float(fn, "param", p_dtype)
    for name, shape, dtype in others:
        require_float(fn, name, dtype)
        require_same_shape(fn, "param", p_shape, name, shape)


def sgd_step(param_shape, param_dtype, grad_shape, grad_dtype, buffer_shape=None, buffer_dtype=None, *,
             lr, momentum, dampening, nesterov, weight_decay) -> None:
    """Checks for ``sgd_step``; ``buffer_shape=None`` means no momentum buffer yet."""
    fn = "sgd_step"
    others = [("grad", grad_shape, grad_dtype)]
    if buffer_shape is not None:
        others.append(("momentum_buffer", buffer_shape, buffer_dtype))
    _check_arrays(fn, (param_shape, param_dtype), others)
    _require_non_negative(fn, "lr", lr)
    momentum = _require_non_negative(fn, "momentum", momentum)
    dampening = _require_number(fn, "dampening", dampening)
    _require_non_negative(fn, "weight_decay", weight_decay)
    if nesterov and (momentum <= 0.0 or dampening != 0.0):
        raise ValueError(f"{fn}: nesterov requires momentum > 0 and dampening == 0, "
                         f"got momentum={momentum}, dampening={dampening}")


def adam_step(param_shape, param_dtype, grad_shape, grad_dtype, exp_avg_shape, exp_avg_dtype,
              exp_avg_sq_shape, exp_avg_sq_dtype, step, *, lr, betas, eps, weight_decay, fn="adam_step") -> int:
    """Checks for ``adam_step`` and ``adamw_step``; returns ``step`` as a Python int (1-based)."""
    _check_arrays(fn, (param_shape, param_dtype), [("grad", grad_shape, grad_dtype),
                                                  ("exp_avg", exp_avg_shape, exp_avg_dtype),
                                                  ("exp_avg_sq", exp_avg_sq_shape, exp_avg_sq_dtype)])
    if isinstance(step, bool):
        raise TypeError(f"{fn}: step must be an int, got {step!r}")
    try:
        step = operator.index(step)
    except TypeError:
        raise TypeError(f"{fn}: step must be an int (the 1-based index of this step), got {step!r}") from None
    if step < 1:
        raise ValueError(f"{fn}: step is 1-based and must be >= 1, got {step}")
    _require_non_negative(fn, "lr", lr)
    _require_non_negative(fn, "eps", eps)
    _require_non_negative(fn, "weight_decay", weight_decay)
    if len(betas) != 2:
        raise ValueError(f"{fn}: betas must be a pair (beta1, beta2), got {betas!r}")
    for i, beta in enumerate(betas):
        if not 0.0 <= _require_number(fn, f"betas[{i}]", beta) < 1.0:
            raise ValueError(f"{fn}: betas[{i}] must lie in [0, 1), got {beta!r}")
    return step
