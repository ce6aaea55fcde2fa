"""The one home of every tolerance in the suite.

An implementation computing in a floating dtype with unit roundoff ``u = eps / 2`` commits, on a well-conditioned
problem, a relative error of a few ``u`` per elementary operation; a reduction over ``n`` terms (sum, mean,
dot product) adds a term that grows like ``sqrt(n)`` for the random-walk accumulation of rounding errors that
blocked/pairwise summation gives (and like ``n`` only for the worst case, which a correct kernel does not hit on
random data). An ill-conditioned problem multiplies all of that by its condition number ``kappa`` — for a
normalisation ``1 + |mean| / std``: the input's own rounding is already relative to ``|mean|``, not to the
spread that the output is measured in.

So the budget for one output element, relative to ``|expected| + floor``, is::

    tol(dtype, n, kappa) = eps(dtype) * (ULPS + sqrt(n)) * kappa

with ``ULPS = 4`` ulps of slack for transcendental functions (libm's exp/log/erf are within 1-2 ulp, and a
composition of a few of them within 4). ``floor`` is the scale below which absolute error is what matters (an
output near 0 of a function whose outputs are O(1) can only be right to ``eps * 1``); each property states it.

Why not tighter: ``numpy`` and ``torch`` sum in different orders (pairwise vs. vectorised blocks), and the
float64 oracle is exact only to ``eps(float64)``. Why not looser: a float32 implementation that accumulates in
float16, or computes variance as ``E[x^2] - E[x]^2``, is off by ``>= 2**13`` float32 ulps on the inputs the
strategies draw, so it fails by orders of magnitude (``tests/test_tolerances.py`` shows both directions).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: machine epsilon (spacing of 1.0) per dtype name
EPS = {"float16": 2.0 ** -10, "bfloat16": 2.0 ** -7, "float32": 2.0 ** -23, "float64": 2.0 ** -52}
#: the largest finite value per dtype name
MAX = {"float16": 65504.0, "bfloat16": 3.3895313892515355e38, "float32": float(np.finfo(np.float32).max),
       "float64": float(np.finfo(np.float64).max)}
#: smallest positive normal number per dtype name
TINY = {"float16": 2.0 ** -14, "bfloat16": 2.0 ** -126, "float32": 2.0 ** -126, "float64": 2.0 ** -1022}
#: ulps of slack for a composition of a few correctly-rounded-to-2-ulp elementary functions
ULPS = 4.0
#: slack for reverse-mode gradients: a backward pass chains several times more roundings than the forward
#: pass (each op's adjoint), and finite differences add ~1e-10 of their own; 64 ulps is still 1e3x below what a
#: wrong derivative (a missing term, a wrong sign) gives
GRADIENT_ULPS = 64.0
#: relative error of the float64 central-difference gradient itself (truncation h^2 |f'''| plus rounding
#: eps64 |f| / h at h = 1e-6): the floor under every gradient budget, whatever the dtype
FINITE_DIFFERENCE_REL = 1e-8
#: probabilities the contract calls "0" for masked attention (SPEC 3.6: <= 1e-6 in float32)
MASKED_PROBABILITY = {"float16": 1e-3, "bfloat16": 1e-2, "float32": 1e-6, "float64": 1e-12}


def eps(dtype: str) -> float:
    """Machine epsilon of ``dtype`` (integer and unknown dtypes are exact: 0)."""
    return EPS.get(str(dtype), 0.0)


def tolerance(dtype: str, *, n: int = 1, cond: float = 1.0, ulps: float = ULPS) -> float:
    """Relative error budget ``eps(dtype) * (ulps + sqrt(n)) * cond`` (see the module docstring)."""
    return eps(dtype) * (ulps + math.sqrt(max(n, 1))) * max(cond, 1.0)


def gradient_tolerance(dtype: str, *, n: int = 1, cond: float = 1.0) -> float:
    """Budget for a VJP against finite differences: the dtype's budget with :data:`GRADIENT_ULPS`, but never
    below what the finite differences themselves can resolve."""
    return max(tolerance(dtype, n=n, cond=cond, ulps=GRADIENT_ULPS), FINITE_DIFFERENCE_REL * max(cond, 1.0))


def flush_floor(dtype: str, *, n: int = 2) -> float:
    """The smallest magnitude judged relatively. Below the dtype's smallest normal number rounding is absolute
    (subnormal spacing); and a result below the *compute* dtype's smallest normal (float32 for half precision)
    may be flushed to zero, as XLA and GPUs do: each of a result's two products and their difference may lose up
    to that TINY, within the relative budget only for magnitudes of at least ``3 TINY / tolerance``."""
    compute = "float32" if dtype in ("float16", "bfloat16") else dtype
    return max(TINY[dtype], 3 * TINY[compute] / tolerance(dtype, n=n))


def ulp_at(magnitudes: np.ndarray, dtype: str) -> np.ndarray:
    """One ulp of ``dtype`` at each of ``magnitudes`` (non-negative, at least the dtype's smallest normal number,
    so that an error next to 0 is not measured in subnormal ulps): ``eps * 2**(e - 1)`` for a magnitude in
    ``[2**(e - 1), 2**e)``."""
    return np.ldexp(eps(dtype), np.frexp(magnitudes)[1] - 1)


@dataclass
class Errors:
    """Error figures of one comparison: largest absolute, relative and ulp error, and the ratio of the worst
    element's error to its allowance (``<= 1`` passes)."""
    max_abs: float
    max_rel: float
    max_ulp: float
    worst_ratio: float
    worst_index: tuple
    allowed: float

    @property
    def ok(self) -> bool:
        return self.worst_ratio <= 1.0


def measure(actual: np.ndarray, expected: np.ndarray, *, dtype: str, tol, floor: float) -> Errors:
    """Compare element-wise: element ``i`` passes iff ``|a_i - e_i| <= tol * (|e_i| + floor)`` (``tol`` a number,
    or an array of one budget per element where the condition varies along the array).

    Non-finite values must match exactly (same infinity, NaN where NaN is expected). Called for every case of
    every check (~10^6 times in a verification, mostly on arrays of a few dozen elements, where each NumPy call
    costs about a microsecond whatever the size), so an exact match returns at once and a finite comparison
    makes as few array passes as it can.
    """
    a = np.asarray(actual, dtype=np.float64)
    e = np.asarray(expected, dtype=np.float64)
    per_element = isinstance(tol, np.ndarray)
    if a.size == 0:
        return Errors(0.0, 0.0, 0.0, 0.0, (), float(tol.max(initial=0.0)) if per_element else tol)
    with np.errstate(all="ignore"):  # inf - inf, 0 / 0: resolved by the masks below
        diff = np.abs(a - e)
        largest = diff.max()  # NaN or inf when some value on either side is not finite
        if largest == 0.0:
            return Errors(0.0, 0.0, 0.0, 0.0, (0,) * a.ndim, float(tol.max()) if per_element else tol)
        mag = np.abs(e)
        if not math.isfinite(largest):  # a non-finite value on either side (rare: the general path)
            mag = np.where(np.isfinite(e), mag, 0.0)
            matched = (np.isnan(a) & np.isnan(e)) | (np.isinf(e) & (a == e))
            diff = np.where(matched, 0.0, np.where(np.isnan(diff), np.inf, diff))
            largest = diff.max()
        bound = tol * (mag + floor)
        # a zero bound (tol 0, or floor 0 at an exact 0) makes any difference an infinite ratio
        positive = bool((tol > 0.0).all()) if per_element else tol > 0.0
        ratio = diff / bound if positive and floor > 0.0 else np.where(diff > 0, diff / bound, 0.0)
        rel_floor = max(floor, TINY["float64"])
        judged = np.maximum(mag, rel_floor)
        rel = diff / judged
        if dtype in EPS:  # ulps at the scale the element is judged at (|expected|, or the floor near 0)
            ulp_floor = max(floor, TINY[dtype])
            ulp = diff / ulp_at(judged if ulp_floor == rel_floor else np.maximum(mag, ulp_floor), dtype)
        else:
            ulp = diff
    worst = int(ratio.argmax())
    index = (worst,) if ratio.ndim == 1 else tuple(int(i) for i in np.unravel_index(worst, ratio.shape))
    allowed = float(np.broadcast_to(tol, ratio.shape).flat[worst]) if per_element else tol
    return Errors(float(largest), float(rel.max()), float(ulp.max()), float(ratio.flat[worst]), index, allowed)


#: the narrowest dtype the contract allows for position angles (RoPE, sinusoidal tables): a table depends only
#: on integer positions, and an angle ``pos * freq`` (``freq <= 1`` for ``base >= 1``) computed in float32 is off
#: by up to ``|pos| * eps(float32)`` radians (the product's rounding plus the frequency's own), which moves each
#: cos/sin by as much and each rotated pair by as much relative to its norm. float16 angles (ulp 0.5 at 1000)
#: are not allowed.
ANGLE_DTYPE = "float32"


def angle_cond(dtype: str, max_position: float, *, gradient: bool = False) -> float:
    """The condition factor ``1 + |max_position| * eps(ANGLE_DTYPE) / unit`` that widens a budget whose unit is
    ``eps(dtype)`` (or, for a gradient check, :func:`gradient_tolerance`'s unit, never below
    :data:`FINITE_DIFFERENCE_REL`) by the angle error the contract allows at position ``max_position``: with it,
    ``tolerance(dtype, n=n, cond=...) >= (ULPS + sqrt n) * (eps(dtype) + |max_position| * eps(ANGLE_DTYPE))``."""
    unit = max(eps(dtype), FINITE_DIFFERENCE_REL) if gradient else eps(dtype)
    return 1.0 + abs(float(max_position)) * eps(ANGLE_DTYPE) / unit


#: ulps of slack for one optimizer step compared per element against its operand scale (properties/optim_common.py):
#: a step chains about ten dependent roundings (decay, the two moment updates, sqrt, the bias corrections, the
#: division, the update), each bounded by the operand scale it is measured against; 16 ulps covers them with
#: margin and stays > 1e3 below what a misplaced eps, bias correction or decay term moves a step by
OPTIMIZER_ULPS = 16.0


_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)


def relative_condition(component: str, x: np.ndarray, *, approximate: bool = False) -> np.ndarray:
    """``kappa(x) = |x f'(x) / f(x)|`` of an element-wise activation (float64, element-wise; 0 where f(x) = 0): how
    much a relative perturbation of x moves f(x) relatively. A correct kernel's relative error is about
    ``eps * (1 + kappa)``; sigmoid: ``|x| (1 - sigmoid(x))``; tanh: ``2|x| / |sinh 2x|``; SiLU:
    ``|1 + x (1 - sigmoid(x))|``; GELU: ``|1 + x phi(x) / Phi(x)|`` (exact) or
    ``|1 + x (1 - tanh u) u'(x)|`` (tanh form, ``u = sqrt(2/pi) (x + 0.044715 x^3)``)."""
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        sig_neg = np.where(x >= 0, np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))), 1 / (1 + np.exp(-np.abs(x))))
        if component == "relu":
            kappa = np.ones_like(x)
        elif component == "sigmoid":
            kappa = np.abs(x) * sig_neg  # 1 - sigmoid(x) = sigmoid(-x)
        elif component == "tanh":
            kappa = np.where(np.abs(x) < 1e-8, 1.0, 2 * np.abs(x) / np.abs(np.sinh(np.minimum(np.abs(2 * x), 700))))
        elif component == "silu":
            kappa = np.abs(1 + x * sig_neg)
        elif component == "gelu" and not approximate:
            # phi / Phi via the scaled complementary error function: stable in both tails
            from scipy.special import erfcx
            ratio = np.sqrt(2 / math.pi) / erfcx(-x / math.sqrt(2))
            kappa = np.abs(1 + x * ratio)
        elif component == "gelu":
            u = _SQRT_2_OVER_PI * (x + 0.044715 * x ** 3)
            du = _SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x ** 2)
            one_minus_tanh = 2 / (1 + np.exp(np.minimum(2 * u, 700)))  # 1 - tanh u, no cancellation
            kappa = np.abs(1 + x * one_minus_tanh * du)
        else:
            raise ValueError(f"no relative condition number for {component}")
    return np.where(np.isfinite(kappa), kappa, 0.0)
