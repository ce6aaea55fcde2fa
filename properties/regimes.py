"""Input regimes that scope a declared deviation: the inputs where a known difference is allowed to show.

A plug-in (or a built-in) may declare ``KNOWN_DEVIATIONS[(component, property[, dtype])] = (reason, regime)``
where ``regime`` is a name below or a predicate ``regime(case, dtype) -> bool`` over the property's drawn case.
Inputs inside the regime that fail are counted as the deviation showing (the check is ``xfailed``, or ``xpassed``
if none did); inputs outside it are checked like any other, and fail normally. A bare ``reason`` string declares
a deviation for every input, as before.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from properties.tolerances import MAX


def _float_arrays(value):
    if isinstance(value, np.ndarray):
        if value.dtype.kind == "f" or value.dtype.name == "bfloat16":
            yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _float_arrays(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _float_arrays(v)


def magnitudes_above_sqrt_max(case, dtype: str) -> bool:
    """Some input value has |x| above half the square root of the dtype's largest value (1.8e19/2 in float32,
    128 in float16): where a variance formed as (x - mean)^2 or x^2 in the input's range overflows."""
    limit = math.sqrt(MAX.get(dtype, MAX["float64"])) / 2
    return any(bool(np.any(np.abs(a.astype(np.float64)) > limit)) for a in _float_arrays(case))


def fully_masked_rows(case, dtype: str) -> bool:
    """Some query row has no allowed key: its mask row (broadcast to the scores) is all False, or, with
    ``is_causal`` (bottom-right aligned), the query comes before the first key (Lq > Lk)."""
    if not isinstance(case, dict) or not isinstance(case.get("q"), np.ndarray) \
            or not isinstance(case.get("k"), np.ndarray):
        return False
    q_len, k_len = case["q"].shape[-2], case["k"].shape[-2]
    allowed = np.ones((q_len, k_len), dtype=bool)
    if case.get("is_causal"):
        allowed &= np.arange(k_len)[None, :] <= np.arange(q_len)[:, None] + (k_len - q_len)
    mask = case.get("mask")
    if isinstance(mask, np.ndarray) and mask.dtype == bool:
        allowed = np.broadcast_to(mask, np.broadcast_shapes(mask.shape, allowed.shape)) & allowed
    return bool((~allowed.any(axis=-1)).any())


#: |mean| / std of a normalised group above which a variance formed as mean(x^2) - mean(x)^2 loses more accuracy
#: than the norms' allowance: its error is ~ eps (mean / std)^2 against an allowance ~ eps (1 + |mean| / std),
#: so the ratio ~ |mean| / std — past 4 the cancellation alone can use the whole allowance
OFFSET_RATIO = 4.0


def _norm_groups(case) -> np.ndarray | None:
    """The normalised groups of a norm's case as rows (float64): batch norm per channel, layer/RMS norm over the
    last ``k`` axes, group norm per (sample, group), instance norm per (sample, channel)."""
    if not isinstance(case, dict) or not isinstance(case.get("x"), np.ndarray) or case["x"].ndim < 1:
        return None
    x = case["x"].astype(np.float64)
    if "k" in case:
        return x.reshape(-1, int(np.prod(x.shape[x.ndim - case["k"]:], dtype=np.int64)))
    if x.ndim < 2:
        return None
    if "running_mean" in case:
        return np.moveaxis(x, 1, 0).reshape(x.shape[1], -1)
    groups = case.get("groups", x.shape[1])
    return x.reshape(x.shape[0] * groups, -1)


def groups_offset_from_their_spread(case, dtype: str) -> bool:
    """Some normalised group has |mean| above :data:`OFFSET_RATIO` times its standard deviation (a near-constant
    group, or a large offset with a small spread), or values beyond sqrt(dtype max) / 2: where a variance formed
    as mean(x^2) - mean(x)^2 cancels, or its squares overflow."""
    rows = _norm_groups(case)
    if rows is None:
        return False
    if magnitudes_above_sqrt_max(case, dtype):
        return True
    with np.errstate(over="ignore", invalid="ignore"):
        mean = rows.mean(axis=1)
        std = rows.std(axis=1)
        return bool(np.any(np.abs(mean) > OFFSET_RATIO * std))


def single_value_groups(case, dtype: str) -> bool:
    """A normalised group holds a single value (group norm with C / num_groups = 1 and no spatial axes, or a
    batch norm channel with one value): its variance is 0 and the contract's output is 0 (the bias)."""
    rows = _norm_groups(case)
    return rows is not None and rows.shape[1] == 1


def single_value_groups_or_magnitudes_above_sqrt_max(case, dtype: str) -> bool:
    """Either regime: a group of a single value, or values above sqrt(dtype max) / 2."""
    return single_value_groups(case, dtype) or magnitudes_above_sqrt_max(case, dtype)


#: the named regimes a declaration may use, with the words the report shows
REGIMES: dict[str, tuple[str, Callable]] = {
    "magnitudes above sqrt(dtype max)": ("inputs with |x| above sqrt(dtype max) / 2", magnitudes_above_sqrt_max),
    "fully masked rows": ("inputs with a query row that may attend no key", fully_masked_rows),
    "groups of a single value": ("inputs with a normalised group of one value", single_value_groups),
    "groups of a single value or magnitudes above sqrt(dtype max)": (
        "inputs with a normalised group of one value, or values above sqrt(dtype max) / 2",
        single_value_groups_or_magnitudes_above_sqrt_max),
    "groups offset from their spread": (
        f"inputs with a normalised group whose |mean| exceeds {OFFSET_RATIO:g} standard deviations, or values "
        "above sqrt(dtype max) / 2", groups_offset_from_their_spread),
}


def resolve(regime) -> tuple[str, Callable]:
    """(description, predicate) of a declared regime: a name of :data:`REGIMES` or a callable."""
    if callable(regime):
        return getattr(regime, "__doc__", None) or getattr(regime, "__name__", "a predicate"), regime
    if regime in REGIMES:
        return REGIMES[regime]
    raise ValueError(f"unknown deviation regime {regime!r}; use one of {sorted(REGIMES)} or a predicate")
