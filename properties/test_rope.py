"""Properties of rope (docs/contract.md 3.7 and section 4, "Positions").

RoPE outputs are compared *relative to the norm of each rotated pair* (a rotation's rounding and angle errors
are relative to that norm, not to the single coordinate, which may be ~0), floored at the dtype's smallest
normal number.

The family's shared sizes, strategies and helpers: :mod:`properties.positional_common`.
"""
from __future__ import annotations

import math

import numpy as np

from properties import strategies
from properties.assertions import assert_close, assert_equal, assert_rejects
from properties.gradients import MAX_FD_ELEMENTS, assert_vjp_matches
from properties.oracle import expected
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.positional_common import BASES
from properties.registry import FLOATS, prop
from properties.tolerances import angle_cond, flush_floor


# --- sizes and strategies --------------------------------------------------------------------------------------
#: where a run of positions starts (first = what shrinking aims for): 0, small, hundreds, thousands
POSITION_STARTS = (0, 1, 100, 517, 1000, 2047, 4096, 12345)
#: x shapes ``(..., L, D)`` for RoPE, D even (a fixed lattice: JAX compiles once per shape and dtype)
ROPE_SHAPES = ((1, 2), (3, 4), (2, 3, 4), (1, 4, 8), (3, 16), (2, 1, 64))
#: the RoPE shapes small enough for finite differences
ROPE_GRAD_SHAPES = tuple(s for s in ROPE_SHAPES if math.prod(s) <= MAX_FD_ELEMENTS)


@strategies.composite
def positions(draw, length, *, label="positions"):
    """``length`` int64 positions: a consecutive run, a scattered set or one repeated value, from a drawn start."""
    start = draw(strategies.sampled_from(POSITION_STARTS), label=f"{label}.start")
    kind = draw(strategies.sampled_from(("consecutive", "scattered", "repeated")), label=f"{label}.kind")
    rng = strategies.rng(draw(strategies.seeds, label=f"{label}.seed"))
    if kind == "consecutive":
        p = start + np.arange(length)
    elif kind == "scattered":
        p = start + rng.integers(0, start + length + 1, length)
    else:
        p = np.full(length, start)
    return p.astype(np.int64)


@strategies.composite
def rope_inputs(draw, dtype, *, shapes=ROPE_SHAPES, regimes=strategies.REGIMES, int32=False):
    shape = draw(strategies.sampled_from(shapes), label="shape")
    case = {"x": draw(strategies.arrays(shape, dtype, regimes=regimes)),
            "positions": draw(positions(shape[-2])),
            "base": draw(strategies.sampled_from(BASES), label="base"),
            "interleaved": draw(strategies.booleans(), label="interleaved")}
    if int32 and draw(strategies.booleans(), label="int32"):
        case["positions"] = case["positions"].astype(np.int32)
    return case


def _rope_kwargs(case, **override):
    return {"base": case["base"], "interleaved": case["interleaved"], **override}


def _pairs(a, interleaved):
    """The two members of every rotated pair, each ``(..., D/2)``."""
    if interleaved:
        return a[..., 0::2], a[..., 1::2]
    half = a.shape[-1] // 2
    return a[..., :half], a[..., half:]


def _pair_norms(a, interleaved):
    first, second = _pairs(np.asarray(a, dtype=np.float64), interleaved)
    return np.hypot(first, second)


def _pair_scale(x, interleaved, dtype):
    """Per element of ``x``: the norm of the pair it belongs to, at least
    :func:`properties.tolerances.flush_floor` (below it the absolute resolution is what matters)."""
    norms = np.maximum(_pair_norms(x, interleaved), flush_floor(dtype))
    return np.repeat(norms, 2, axis=-1) if interleaved else np.concatenate([norms, norms], axis=-1)


def _assert_pairwise_close(got, want, scale, *, dtype, what, n=2, cond=1.0):
    """``|got - want| <= tol * (|want| + scale)`` element-wise, ``scale`` the element's pair norm: the error of a
    rotation is relative to the norm of the pair, not to a coordinate that may be ~0."""
    assert_close(np.asarray(got, dtype=np.float64) / scale, np.asarray(want, dtype=np.float64) / scale,
                 dtype=dtype, what=what, n=n, cond=cond, floor=1.0)


def _max_pos(*arrays):
    return max(float(np.max(np.abs(np.asarray(a, dtype=np.float64)), initial=0.0)) for a in arrays)


# --- properties ------------------------------------------------------------------------------------------------
@prop("rope", "matches_oracle", inputs=lambda d: rope_inputs(d, int32=True), dtypes=FLOATS,
      statement="rope equals the float64 NumPy oracle within the dtype's tolerance relative to each rotated pair's "
                "norm, plus the angle error float32 angles may have (|position| * eps(float32)), for positions in "
                "the thousands, both layouts, D up to 64 and bases other than 10000.")
def rope_matches_oracle(subject, case):
    x, p = case["x"], case["positions"]
    got = subject.expect(subject.rope(x, p, **_rope_kwargs(case)), shape=x.shape, finite=False)
    want = expected("rope", x, p, **_rope_kwargs(case))
    _assert_pairwise_close(got, want, _pair_scale(x, case["interleaved"], subject.dtype), dtype=subject.dtype,
                           what="rope vs float64 oracle", cond=angle_cond(subject.dtype, _max_pos(p)))


@prop("rope", "preserves_pair_norms", inputs=rope_inputs, dtypes=FLOATS,
      statement="RoPE is a rotation of each pair: the norm of every pair of the output equals that of the input "
                "(within the dtype's rounding of two products and a sum), at any position.")
def rope_norms(subject, case):
    x, p, il = case["x"], case["positions"], case["interleaved"]
    y = subject.expect(subject.rope(x, p, **_rope_kwargs(case)), shape=x.shape)
    before = _pair_norms(x, il)
    assert_close(_pair_norms(y, il), before, dtype=subject.dtype, what="pair norms after rope vs before", n=2,
                 floor=flush_floor(subject.dtype))


@strategies.composite
def rope_with_zeros(draw, dtype):
    case = draw(rope_inputs(dtype))
    p = case["positions"].copy()
    rng = strategies.rng(draw(strategies.seeds, label="zeros"))
    zero = rng.random(p.shape) < 0.5
    zero[0] = True
    p[zero] = 0
    case["positions"] = p
    return case


@prop("rope", "identity_at_position_zero", inputs=rope_with_zeros, dtypes=FLOATS,
      statement="Rows at position 0 are returned unchanged, exactly (cos 0 = 1, sin 0 = 0), whatever the other "
                "rows' positions.")
def rope_identity(subject, case):
    x, p = case["x"], case["positions"]
    y = subject.expect(subject.rope(x, p, **_rope_kwargs(case)), shape=x.shape)
    rows = p == 0
    assert_equal(y[..., rows, :], x[..., rows, :], what="rope at position 0 vs x")


@strategies.composite
def rope_two_positions(draw, dtype):
    case = draw(rope_inputs(dtype))
    case["positions2"] = draw(positions(case["x"].shape[-2], label="positions2"))
    return case


@prop("rope", "composes_additively", inputs=rope_two_positions, dtypes=FLOATS,
      statement="rope(rope(x, m), n) == rope(x, m + n) within two rotations' rounding (relative to each pair's "
                "norm) plus the float32 angle error of the three angles, for m and n in the thousands.")
def rope_composes(subject, case):
    x, m, n = case["x"], case["positions"], case["positions2"]
    kw = _rope_kwargs(case)
    once = subject.expect(subject.rope(x, m, **kw), shape=x.shape)
    twice = subject.expect(subject.rope(once, n, **kw), shape=x.shape)
    direct = subject.expect(subject.rope(x, m + n, **kw), shape=x.shape)
    _assert_pairwise_close(twice, direct.astype(np.float64), _pair_scale(x, case["interleaved"], subject.dtype),
                           dtype=subject.dtype, what="rope(rope(x, m), n) vs rope(x, m + n)", n=4,
                           cond=angle_cond(subject.dtype, _max_pos(m) + _max_pos(n) + _max_pos(m + n)))


@strategies.composite
def rope_qk(draw, dtype):
    case = draw(rope_two_positions(dtype))
    case["k"] = draw(strategies.arrays(case["x"].shape, dtype, regimes=strategies.REGIMES, label="k"))
    case["shift"] = draw(strategies.sampled_from((1, 37, 1000, 4096, 12345)), label="shift")
    return case


@prop("rope", "inner_product_is_relative", inputs=rope_qk, dtypes=FLOATS,
      statement="<rope(q, m), rope(k, n)> depends only on m - n: shifting both positions by t (up to 12345) leaves "
                "every row's inner product unchanged, within the dtype's rounding of the rotated vectors (relative "
                "to sum over pairs |q_pair| |k_pair|) plus the float32 angle error of the four angles.")
def rope_relative(subject, case):
    q, k, m, n, t = case["x"], case["k"], case["positions"], case["positions2"], case["shift"]
    kw, il = _rope_kwargs(case), case["interleaved"]

    qn = np.maximum(_pair_norms(q, il), flush_floor(subject.dtype))
    kn = np.maximum(_pair_norms(k, il), flush_floor(subject.dtype))
    # each row in units of its largest pair norm, so that float64 values near max/4 do not overflow the products
    qmax, kmax = np.max(qn, axis=-1, keepdims=True), np.max(kn, axis=-1, keepdims=True)

    def dots(mq, nk):
        a = subject.expect(subject.rope(q, mq, **kw), shape=q.shape).astype(np.float64) / qmax
        b = subject.expect(subject.rope(k, nk, **kw), shape=k.shape).astype(np.float64) / kmax
        return np.sum(a * b, axis=-1)

    near, far = dots(m, n), dots(m + t, n + t)
    scale = np.sum((qn / qmax) * (kn / kmax), axis=-1)  # bounds |<.,.>| and each rotated factor's error, per row
    assert_close(far / scale, near / scale, dtype=subject.dtype, floor=1.0, n=q.shape[-1],
                 what="<rope(q, m + t), rope(k, n + t)> vs <rope(q, m), rope(k, n)>",
                 cond=angle_cond(subject.dtype, _max_pos(m) + _max_pos(n) + _max_pos(m + t) + _max_pos(n + t)))


def _interleaved_to_half(d):
    """The permutation of the last axis taking the interleaved pair layout to the half-split one."""
    return np.concatenate([np.arange(0, d, 2), np.arange(1, d, 2)])


@prop("rope", "layouts_agree_up_to_permutation", inputs=rope_inputs, dtypes=FLOATS,
      statement="Interleaved RoPE equals half-split RoPE conjugated by the fixed permutation (x[2i], x[2i+1]) -> "
                "(x[i], x[i + D/2]) of the last axis: rope_interleaved(x)[..., perm] == rope_half(x[..., perm]).")
def rope_layouts(subject, case):
    x, p = case["x"], case["positions"]
    perm = _interleaved_to_half(x.shape[-1])
    inter = subject.expect(subject.rope(x, p, **_rope_kwargs(case, interleaved=True)), shape=x.shape)
    half = subject.expect(subject.rope(np.ascontiguousarray(x[..., perm]), p, **_rope_kwargs(case, interleaved=False)),
                       shape=x.shape)
    _assert_pairwise_close(inter[..., perm], half.astype(np.float64), _pair_scale(x[..., perm], False, subject.dtype),
                           dtype=subject.dtype, what="rope_interleaved(x)[..., perm] vs rope_half(x[..., perm])",
                           cond=angle_cond(subject.dtype, 2 * _max_pos(p)))


@strategies.composite
def rope_gradient_inputs(draw, dtype):
    # rope is linear in x, so x's regime does not matter for the gradient; unit-normal x keeps the finite
    # differences' own rounding (eps64 |<c, rope(x)>| / h, with h ~ 1e-6 for |x_i| <= 1) below their budget,
    # which x of mixed magnitudes (the "wide" regime: 1e-3 next to 1e3) does not
    case = draw(rope_inputs(dtype, shapes=ROPE_GRAD_SHAPES, regimes=("normal",)))
    case["x"] = strategies.normal(case["x"].shape, dtype, draw(strategies.seeds, label="x.seed"))
    case["cotangent"] = strategies.normal(case["x"].shape, dtype, draw(strategies.seeds, label="cotangent"))
    return case


@prop("rope", "vjp_matches_finite_differences", inputs=rope_gradient_inputs, needs=("vjp",),
      statement="The VJP of rope w.r.t. x (the inverse rotation of the cotangent) agrees with central finite "
                "differences of the float64 oracle, at positions in the thousands (allowing float32 angles).")
def rope_gradient(subject, case):
    x, p = case["x"], case["positions"]
    assert x.size <= MAX_FD_ELEMENTS
    assert_vjp_matches(subject, "rope", (x, p), _rope_kwargs(case), case["cotangent"], n=2,
                       cond=angle_cond(subject.dtype, _max_pos(p), gradient=True))


@strategies.composite
def rope_bad(draw, dtype):
    shape = draw(strategies.sampled_from(ROPE_SHAPES), label="shape")
    return {"x": strategies.normal(shape, dtype, draw(strategies.seeds)), "positions": draw(positions(shape[-2])),
            "interleaved": draw(strategies.booleans(), label="interleaved")}


@prop("rope", "rejects_bad_input", inputs=rope_bad, dtypes=("float32",), max_examples=10,
      statement="rope raises ValueError/TypeError for an odd head dim D, positions of the wrong length or rank, "
                "non-integer positions, and x without a (L, D) pair of axes.")
def rope_rejects(subject, case):
    x, p, kw = case["x"], case["positions"], {"interleaved": case["interleaved"]}
    odd = np.concatenate([x, x[..., :1]], axis=-1)
    assert_rejects(subject, "rope", odd, p, why=f"odd head dim D={odd.shape[-1]}", **kw)
    assert_rejects(subject, "rope", x, np.concatenate([p, p[:1]]), why="one position too many", **kw)
    assert_rejects(subject, "rope", x, p.astype(np.float32) + np.float32(0.5), why="non-integer (float) positions",
                   **kw)
    assert_rejects(subject, "rope", x, p[None, :], why="positions of shape (1, L) instead of (L,)", **kw)
    assert_rejects(subject, "rope", np.ascontiguousarray(x.reshape(-1)[: x.shape[-1]]), p[:1],
                   why="x of rank 1 (no L axis)", **kw)
