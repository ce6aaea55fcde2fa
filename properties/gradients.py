"""Gradient checks: an implementation's VJP against central finite differences of the float64 oracle.

For a scalar ``s(x) = <c, f(x)>`` the VJP is ``ds/dx``; each coordinate is estimated as
``<c, f(x + h e_i) - f(x - h e_i)> / 2h`` in float64 with ``h = 1e-6 * max(1, |x_i|)`` (truncation error
``O(h^2)``, rounding error ``O(eps64 / h)``: both ~1e-10, far below a float32 budget). Arrays are kept small:
this costs two oracle calls per input element.
"""
from __future__ import annotations

import numpy as np

from properties import oracle
from properties.assertions import assert_close
from properties.tolerances import gradient_tolerance

#: the most input elements a finite-difference gradient check perturbs
MAX_FD_ELEMENTS = 96
#: the smallest scale (std of a normalised group, say) at which a step of 1e-6 max(1, |x|) resolves a gradient:
#: the truncation error, relative (h / s)^2, stays below the gradient budget's floor (FINITE_DIFFERENCE_REL)
FD_MIN_SCALE = 0.05


def central_difference(outputs, x, cotangent) -> np.ndarray:
    """``d <cotangent, outputs(x)> / dx`` by central differences in float64, step ``1e-6 * max(1, |x_i|)``.

    The outputs are differenced before weighting and summing: outputs that ``x_i`` does not touch cancel
    exactly, so large unrelated outputs add no rounding error to that coordinate.
    """
    x = np.array(x, dtype=np.float64)
    c = np.asarray(cotangent, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        h = 1e-6 * max(1.0, abs(x[i]))
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        with np.errstate(invalid="ignore"):
            delta = np.where(np.isfinite(c), c, 0.0) * (np.asarray(outputs(up), dtype=np.float64)
                                                         - np.asarray(outputs(down), dtype=np.float64))
        grad[i] = float(np.sum(delta)) / (up[i] - down[i])
    return grad


def finite_difference(component: str, args: tuple, kwargs: dict, cotangent: np.ndarray, *, wrt: int,
                      output=None) -> np.ndarray:
    """Central-difference estimate of ``d <cotangent, f(args)> / d args[wrt]`` with the float64 oracle."""
    args = list(oracle.widen(args))

    def outputs(xv):
        args[wrt] = xv
        out = oracle.expected(component, *args, **kwargs)
        return out if output is None else out[output]

    return central_difference(outputs, args[wrt], cotangent)


def assert_gradient_close(grad, fd: np.ndarray, cotangent, *, dtype: str, what: str, n: int = 1,
                          cond: float = 1.0) -> None:
    """An implementation's gradient equals a finite-difference one within the gradient budget."""
    # a gradient is a cotangent-weighted sum of O(1) sensitivities: its rounding is relative to |cotangent|
    scale = max(float(np.max(np.abs(fd), initial=0.0)), float(np.max(np.abs(cotangent), initial=0.0)), 1e-12)
    assert_close(grad, fd, dtype=dtype, what=what, floor=scale, tol=gradient_tolerance(dtype, n=n, cond=cond))


def assert_vjp_matches(subject, component: str, args: tuple, kwargs: dict, cotangent: np.ndarray, *,
                       wrt=(0,), output=None, n: int = 1, cond: float = 1.0) -> tuple:
    """The implementation's VJP equals finite differences of the oracle for every input in ``wrt``."""
    grads = subject.vjp(component, args, cotangent, wrt=wrt, output=output, **kwargs)
    for i, g in zip(wrt, grads):
        fd = finite_difference(component, args, kwargs, cotangent, wrt=i, output=output)
        g = subject.expect(np.asarray(g), shape=fd.shape, what=f"vjp of {component} w.r.t. argument {i}")
        assert_gradient_close(g, fd, cotangent, dtype=subject.dtype, n=n, cond=cond,
                              what=f"vjp of {component} w.r.t. argument {i} vs finite differences")
    return grads
