"""Calls into an implementation as a user would write them: the catalogue's argument names, not a property's
internal ones (a bad input in a ``rejects_bad_input`` failure, a counterexample, a replay)."""
from __future__ import annotations

import numpy as np

from properties.assertions import PropertyFailure


def _brief(value) -> str:
    """An argument of a bad call, short: arrays as dtype and shape, nested values recursively."""
    if isinstance(value, np.ndarray):
        small = f" {np.array2string(value.ravel(), precision=4, separator=', ')}" if 0 < value.size <= 6 else ""
        return f"{value.dtype.name}{list(value.shape)}{small}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_brief(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (tuple, list)):
        inner = ", ".join(_brief(v) for v in value)
        return f"({inner}{',' if len(value) == 1 else ''})" if isinstance(value, tuple) else f"[{inner}]"
    return repr(value)


def call_text(component: str, args: tuple, kwargs: dict) -> str:
    """``component(name=value, ...)``, short, with the catalogue's argument names (positional ones bound to them)."""
    parts = [f"{n}={_brief(v)}" for n, v in named_arguments(component, args, kwargs)]
    return f"{component}({', '.join(parts)})"


def named_arguments(component: str, args, kwargs: dict) -> list[tuple[str, object]]:
    """``(name, value)`` of a call, positional arguments named as the catalogue names them."""
    from properties.catalogue import SIGNATURES, signature
    names = list(signature(component).parameters) if component in SIGNATURES else []
    return [(names[i] if i < len(names) else f"arg{i}", a) for i, a in enumerate(args)] + list(kwargs.items())


#: calls shown in a counterexample (the last ones: the failing call is the last the example made)
SHOWN_CALLS = 4


def calls_text(calls: list) -> str:
    """The calls an example made, one per line, with the catalogue's argument names and the values in full
    form (:func:`properties.strategies.describe`): a counterexample as the user would write the call."""
    from properties.strategies import describe
    lines = [f"{component}({', '.join(f'{n}={describe(v)}' for n, v in named_arguments(component, args, kwargs))})"
             for component, args, kwargs in calls[-SHOWN_CALLS:]]
    if len(calls) > SHOWN_CALLS:
        lines.insert(0, f"({len(calls) - SHOWN_CALLS} earlier call(s) not shown; the last {SHOWN_CALLS}:)")
    return "\n".join(lines)


def rejections_failure(component: str, rejections: list[str]) -> PropertyFailure:
    """The failure of an example whose bad inputs were not all rejected (:func:`assertions.assert_rejects`)."""
    return PropertyFailure(f"{component} did not reject {len(rejections)} bad input(s): " + "; ".join(rejections))
