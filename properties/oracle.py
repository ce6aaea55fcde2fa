"""The float64 oracle: the NumPy implementation run on the same (already rounded) inputs in float64.

Inputs are drawn in the dtype under test, so the oracle sees exactly the values the implementation saw; the
comparison then measures only the implementation's own arithmetic error.
"""
from __future__ import annotations

import numpy as np

from properties import context, loader
from properties.assertions import PropertyFailure, assert_close
from properties.subject import Subject
from properties.tolerances import measure, tolerance

#: independent implementations written from array primitives, asked when a check disagrees with the oracle
WITNESSES = ("impls.torch", "impls.jax")


def widen(value):
    """Float arrays (also inside tuples, lists and dicts) as float64; everything else unchanged."""
    if isinstance(value, np.ndarray) and (value.dtype.kind == "f" or value.dtype.name == "bfloat16"):
        return value.astype(np.float64)
    if isinstance(value, tuple):
        return tuple(widen(v) for v in value)
    if isinstance(value, list):
        return [widen(v) for v in value]
    if isinstance(value, dict):
        return {k: widen(v) for k, v in value.items()}
    return value


def expected(component: str, *args, **kwargs):
    """``component`` evaluated by the NumPy implementation in float64."""
    fn = getattr(loader.oracle().module, component)
    return fn(*widen(args), **widen(kwargs))


def _leaves(value, prefix=""):
    if isinstance(value, (tuple, list)):
        for i, v in enumerate(value):
            yield from _leaves(v, f"{prefix}[{i}]")
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, f"{prefix}[{k!r}]")
    else:
        yield prefix, value


def assert_matches_oracle(subject: Subject, component: str, args: tuple, kwargs: dict | None = None, *,
                          n: int = 1, cond: float = 1.0, floor: float = 1.0, ulps: float | None = None):
    """``subject.component(*args, **kwargs)`` equals the oracle's float64 result within tolerance (every
    array in the result, which must have the oracle's structure and shapes and the subject's dtype)."""
    kwargs = kwargs or {}
    got = subject.call(component, *args, **kwargs)
    want = expected(component, *args, **kwargs)
    for (path, g), (_, w) in zip(_leaves(got), _leaves(want)):
        what = f"{component}{path} vs float64 oracle"
        if w is None:
            continue
        w = np.asarray(w)
        g = subject.expect(g, shape=w.shape, dtype=subject.dtype if w.dtype.kind == "f" else None,
                           finite=bool(np.all(np.isfinite(w))) if w.dtype.kind == "f" else False, what=what)
        if w.dtype.kind == "f":
            try:
                assert_close(g, w, dtype=subject.dtype, what=what, n=n, cond=cond, floor=floor, ulps=ulps)
            except PropertyFailure as failure:
                _blame_oracle(failure, subject, component, args, kwargs, path, g, w,
                              dict(n=n, cond=cond, floor=floor, ulps=ulps))
                raise
        else:
            assert_close(g, w, dtype="float64", what=what, tol=0.0, floor=0.0)
    return got


def assert_close_to_oracle(subject: Subject, component: str, args: tuple, kwargs: dict, got, want, *, tol,
                           floor: float, what: str) -> None:
    """``got`` (the subject's result of ``component(*args, **kwargs)``) equals the oracle's ``want`` within a
    derived budget (``tol`` per element, ``floor``: :mod:`properties.budgets`); on a failure the oracle is blamed
    when an independent implementation sides with the subject, as in :func:`assert_matches_oracle`."""
    try:
        assert_close(got, want, dtype=subject.dtype, what=what, tol=tol, floor=floor)
    except PropertyFailure as failure:
        _blame_oracle(failure, subject, component, args, kwargs, "", got, want, {"tol": tol, "floor": floor})
        raise


def _within(actual, expected, dtype: str, budget: dict) -> bool:
    if "tol" in budget:  # a derived budget of the subject's dtype
        return measure(np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64),
                       dtype=dtype, tol=budget["tol"], floor=budget["floor"]).ok
    tol = tolerance(dtype, n=budget["n"], cond=budget["cond"], **({} if budget["ulps"] is None
                                                                  else {"ulps": budget["ulps"]}))
    return measure(np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64), dtype=dtype,
                   tol=tol, floor=budget["floor"]).ok


def _witness_leaf(witness, component, args, kwargs, path):
    for leaf_path, value in _leaves(Subject(witness, "float64").call(component, *widen(args), **widen(kwargs))):
        if leaf_path == path:
            return value
    return None


def _blame_oracle(failure: PropertyFailure, subject: Subject, component: str, args, kwargs, path, got, want,
                  budget: dict) -> None:
    """When an independent implementation, in float64, agrees with the subject and disagrees with the oracle,
    the oracle is the suspect: say so in the failure and on the check's card. (Run only on a failure.)"""
    for target in WITNESSES:
        try:
            witness = loader.builtin(target)
        except Exception:  # a witness that cannot load proves nothing
            continue
        if witness.module is subject.module or witness.module is loader.oracle().module \
                or not witness.provides(component):
            continue
        try:
            seen = _witness_leaf(witness, component, args, kwargs, path)
        except Exception:
            continue
        if seen is None or np.shape(seen) != np.shape(want):
            continue
        if _within(got, seen, subject.dtype, budget) and not _within(seen, want, "float64", budget):
            context.current().oracle_suspected = witness.name
            failure.args = (f"oracle suspected: {subject.name} and {witness.name} (float64) agree with each other "
                            f"and both disagree with the float64 oracle | {failure.args[0]}",)
            return
