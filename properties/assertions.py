"""Named assertion helpers: each failure says what property broke, where, and by how much.

Every closeness judgement goes through :func:`assert_close`, which takes its budget from
:mod:`properties.tolerances` and records the observed errors (absolute, relative, ulps) for the report.
"""
from __future__ import annotations

import numpy as np

from properties import context
from properties.tolerances import EPS, measure, tolerance


class PropertyFailure(AssertionError):
    """A stated property does not hold (outcome ``failed``)."""


def _show(a: np.ndarray, index: tuple) -> str:
    try:
        return repr(float(np.asarray(a, dtype=np.float64)[index]))
    except (IndexError, TypeError, ValueError):
        return "?"


def assert_close(actual, expected, *, dtype: str, what: str, n: int = 1, cond: float = 1.0,
                 floor: float = 1.0, ulps: float | None = None, tol: float | None = None) -> None:
    """``|actual - expected| <= tol * (|expected| + floor)`` element-wise, with ``tol`` from
    :func:`properties.tolerances.tolerance` for ``dtype``, reduction size ``n`` and condition ``cond``."""
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    if actual.shape != expected.shape:
        raise PropertyFailure(f"{what}: shape {actual.shape} != expected {expected.shape}")
    if tol is None:
        tol = tolerance(dtype, n=n, cond=cond) if ulps is None else tolerance(dtype, n=n, cond=cond, ulps=ulps)
    errors = measure(actual, expected, dtype=dtype, tol=tol, floor=floor)
    context.current().record(errors)
    if not errors.ok:
        i = errors.worst_index
        raise PropertyFailure(
            f"{what}: error {errors.max_abs:.3g} (rel {errors.max_rel:.3g}, {errors.max_ulp:.3g} ulp) exceeds "
            f"the allowance by {errors.worst_ratio:.3g}x; at index {i}: got {_show(actual, i)}, "
            f"expected {_show(expected, i)} (tol {errors.allowed:.3g} x (|expected| + {floor:.3g}))")


def assert_equal(actual, expected, *, what: str) -> None:
    """Exact equality (integer results, identities that must hold bit for bit)."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    if actual.shape != expected.shape:
        raise PropertyFailure(f"{what}: shape {actual.shape} != expected {expected.shape}")
    bad = np.argwhere(~((actual == expected) | (np.isnan(actual.astype(float)) & np.isnan(expected.astype(float))))
                      if actual.dtype.kind == "f" else actual != expected)
    dtype = actual.dtype.name if actual.dtype.name in EPS else "float64"
    context.current().record(measure(actual.astype(np.float64), expected.astype(np.float64),
                                     dtype=dtype, tol=0.0, floor=0.0))
    if len(bad):
        i = tuple(int(j) for j in bad[0])
        raise PropertyFailure(f"{what}: {len(bad)} element(s) differ; at index {i}: got {actual[i]!r}, "
                              f"expected {expected[i]!r}")


def require(condition: bool, message: str) -> None:
    """A property's plain yes/no statement (``message`` says what was observed when it is false)."""
    if not condition:
        raise PropertyFailure(message)


def assert_rejects(subject, component: str, *args, why: str, **kwargs) -> None:
    """The implementation raises ``ValueError`` or ``TypeError`` for input that breaks a convention (``why``).

    Accepting it, or crashing with another exception, is noted in the check's context, not raised: the runner
    fails the example once the property returns, listing every bad input the implementation did not reject
    (``{component} did not reject {n} bad input(s): ...``), each as ``why`` and the call with its arguments."""
    from properties.calls import call_text
    ctx = context.current()
    ctx.bad_inputs += 1
    try:
        error = subject.rejects(component, *args, **kwargs)
    except Exception as exc:  # ImplError with another exception type, BadOutput
        original = getattr(exc, "original", None)
        got = (f"raised {type(original).__name__}: {original}" if original is not None else str(exc))
        ctx.rejections.append(f"{why}: {' '.join(got.split())[:200]}, expected ValueError/TypeError "
                              f"[{call_text(component, args, kwargs)}]")
        return
    if error is None:
        ctx.rejections.append(f"{why}: accepted [{call_text(component, args, kwargs)}]")

