"""Shared sizes and helpers of the losses' property modules (``properties/test_cross_entropy.py``,
``test_binary_cross_entropy_with_logits.py``, ``test_mse_loss.py``, ``test_kl_divergence.py``; docs/contract.md 3.3
and section 4, "Losses"). Not a ``test_`` module: it registers no property.

Reductions of large inputs are bounded (:func:`_bounded`) so that the true loss stays representable; the gradient
properties draw few shapes (:data:`GRADIENT_SHAPES`) and widen their finite-difference comparison by the
differences' own rounding (:func:`_fd_cond`). Budgets: :mod:`properties.budgets` (``cross_entropy_budget``,
``bce_budget``) and :mod:`properties.tolerances`.
"""
from __future__ import annotations

import numpy as np

from properties import strategies
from properties.assertions import assert_close
from properties.oracle import expected
from properties.tolerances import gradient_tolerance, tolerance


REDUCTIONS = ("mean", "sum", "none")


def _bounded(a: np.ndarray, dtype: str, limit: float) -> np.ndarray:
    """``a`` rescaled (in float64, then rounded to ``dtype``) so that ``max |a| <= limit``: the "huge" and
    "specials" regimes reach max/4, where a *reduction* of the losses below overflows the dtype for the true
    value (not the implementation's fault); per-element properties use the unbounded arrays."""
    wide = a.astype(np.float64)
    m = float(np.max(np.abs(wide), initial=0.0))
    return a if m <= limit else strategies.cast(wide * (limit / m), dtype)


def _close_scaled(actual, expected, scale, *, dtype, what, n=1, cond=1.0, tol=None):
    """``|actual - expected| <= tol * (|expected| + scale)`` element-wise, with a per-element ``scale`` (the
    magnitude of the operands whose rounding the result inherits). Checked as ``assert_close`` of both sides
    divided by ``scale`` with floor 1, so figures in a failure message are in units of ``scale``."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    scale = np.broadcast_to(np.asarray(scale, dtype=np.float64), expected.shape)
    assert_close(actual / scale, expected / scale, dtype=dtype, what=f"{what} (in units of the operand scale)",
                 n=n, cond=cond, floor=1.0, tol=tol)


def _cotangent(shape, dtype, seed):
    """A standard-normal cotangent of ``shape`` as an ndarray (also for a 0-d, reduced output)."""
    return np.asarray(strategies.normal(shape, dtype, seed), dtype=strategies.np_dtype(dtype))


#: the shapes the gradient properties draw (JAX compiles the backward pass once per shape and option set)
GRADIENT_SHAPES = ((3,), (2, 3), (2, 2, 2))


def _fd_cond(component, args, kwargs, cotangent, dtype, n):
    """The widening a finite-difference check needs for the differences' own rounding: each evaluation of
    ``<c, f(x)>`` in float64 is off by about ``tol64 * sum |c f|``, and the central difference divides two of those
    by ``2 h`` (``h >= 1e-6``); relative to the gradient budget times the cotangent's scale."""
    f = np.asarray(expected(component, *args, **kwargs), dtype=np.float64)
    c = np.asarray(cotangent, dtype=np.float64)
    noise = tolerance("float64", n=f.size) * float(np.sum(np.abs(c * f))) / 1e-6
    scale = max(float(np.max(np.abs(c), initial=0.0)), 1e-12)
    return 1.0 + noise / (gradient_tolerance(dtype, n=n) * scale)
