"""Properties of the positional encodings (docs/contract.md 3.7 and section 4, "Positions").

Where the bugs of this family hide, and so what the strategies draw:
- angles at long positions: positions start anywhere from 0 to 12345 (hundreds and thousands), where an angle
  rounded to float16 is off by a tenth of a radian while float32 angles (the contract's minimum, see
  :data:`properties.tolerances.ANGLE_DTYPE`) are off by ~1e-3 at most;
- both RoPE layouts (``interleaved`` True and False), head dims ``D >= 4`` (with ``D = 2`` a layout bug is
  invisible), bases other than 10000;
- T5 buckets with ``max_distance != 128``, bucket counts that are not 32, distances beyond ``max_distance``;
- ``q_len < k_len`` (queries are the last ``q_len`` positions, as with a KV cache), ALiBi head counts that are not
  powers of two (the paper's interleaving rule).

RoPE outputs are compared *relative to the norm of each rotated pair* (a rotation's rounding and angle errors are
relative to that norm, not to the single coordinate, which may be ~0), floored at the dtype's smallest normal
number. The sinusoidal and ALiBi tables have no float input: they may come back as float32 (torch, JAX) or float64
(NumPy) and are judged at float32's tolerance.
"""
from __future__ import annotations

import math

import numpy as np

from properties import strategies as S
from properties.assertions import assert_close, assert_equal, assert_rejects, require
from properties.gradients import MAX_FD_ELEMENTS, assert_vjp_matches
from properties.oracle import expected
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.registry import FLOATS, NO_DTYPE, prop
from properties.tolerances import TINY, angle_cond, flush_floor, tolerance

# --- shared strategies ---------------------------------------------------------------------------------------
#: where a run of positions starts (first = what shrinking aims for): 0, small, hundreds, thousands
POSITION_STARTS = (0, 1, 100, 517, 1000, 2047, 4096, 12345)
#: RoPE / sinusoidal bases: the usual one, long-context ones (LLaMA 3: 500000), and small ones
BASES = (10000.0, 500000.0, 100.0, 10.0)
#: x shapes ``(..., L, D)`` for RoPE, D even (a fixed lattice: JAX compiles once per shape and dtype)
ROPE_SHAPES = ((1, 2), (3, 4), (2, 3, 4), (1, 4, 8), (3, 16), (2, 1, 64))
#: the RoPE shapes small enough for finite differences
ROPE_GRAD_SHAPES = tuple(s for s in ROPE_SHAPES if math.prod(s) <= MAX_FD_ELEMENTS)
#: (num_positions, dim) of sinusoidal tables: up to thousands of positions
SINUSOIDAL_SIZES = ((1, 2), (16, 4), (3, 8), (128, 16), (1024, 6), (4096, 64), (300, 2))
#: T5 bucket counts and maximal distances (T5's defaults first); a max_distance is drawn only above max_exact
T5_BUCKETS = (32, 8, 64, 10, 6, 4)
T5_MAX_DISTANCES = (128, 20, 50, 1000, 300, 7)
#: windows ``-W..W`` of every relative distance (W >= every max_distance above, so all regimes are covered)
T5_WINDOWS = (40, 1500)
#: (q_len, k_len) of the bias tables: q_len < k_len (a KV cache) and distances in the hundreds and thousands
BIAS_LENGTHS = ((1, 1), (3, 3), (5, 16), (16, 16), (20, 300), (2, 1100))
#: the pairs whose full-length (k_len, k_len) table is cheap enough to build too
SHIFT_LENGTHS = tuple((q, k) for q, k in BIAS_LENGTHS if k <= 300)
#: ALiBi head counts: powers of two and not (3, 5, 6, 12, 20, 24, 40: models with such head counts exist)
POW2_HEADS = (1, 2, 4, 8, 16, 32)
OTHER_HEADS = (3, 5, 6, 12, 20, 24, 40)
#: ((q_len, k_len), num_buckets, H) of the T5 bias tables drawn together, first = what shrinking aims for: JAX
#: compiles once per geometry (and direction, dtype), so the properties share these instead of paying one per
#: example; T5's 32 buckets and others, one head and several
BIAS_GEOMETRIES = (((1, 1), 32, 1),
                   ((3, 3), 8, 3),
                   ((5, 16), 10, 8),
                   ((16, 16), 32, 3),
                   ((20, 300), 8, 8),
                   ((2, 1100), 32, 1))
#: the geometries whose full-length (k_len, k_len) table is cheap enough to build too
SHIFT_GEOMETRIES = tuple(g for g in BIAS_GEOMETRIES if g[0] in SHIFT_LENGTHS)


@S.composite
def positions(draw, length, *, label="positions"):
    """``length`` int64 positions: a consecutive run, a scattered set or one repeated value, from a drawn start."""
    start = draw(S.sampled_from(POSITION_STARTS), label=f"{label}.start")
    kind = draw(S.sampled_from(("consecutive", "scattered", "repeated")), label=f"{label}.kind")
    rng = S.rng(draw(S.seeds, label=f"{label}.seed"))
    if kind == "consecutive":
        p = start + np.arange(length)
    elif kind == "scattered":
        p = start + rng.integers(0, start + length + 1, length)
    else:
        p = np.full(length, start)
    return p.astype(np.int64)


@S.composite
def rope_inputs(draw, dtype, *, shapes=ROPE_SHAPES, regimes=S.REGIMES, int32=False):
    shape = draw(S.sampled_from(shapes), label="shape")
    case = {"x": draw(S.arrays(shape, dtype, regimes=regimes)),
            "positions": draw(positions(shape[-2])),
            "base": draw(S.sampled_from(BASES), label="base"),
            "interleaved": draw(S.booleans(), label="interleaved")}
    if int32 and draw(S.booleans(), label="int32"):
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


def _table(impl, component, *args, shape, what, **kwargs):
    """A position table with no float input: float32 (torch, JAX) or float64 (NumPy) are both the contract's."""
    out = impl.call(component, *args, **kwargs)
    out = impl.expect(out, shape=shape, dtype="", what=what)
    require(out.dtype.name in ("float32", "float64"),
            f"{what} has dtype {out.dtype.name}, expected float32 (the framework default) or float64")
    return out.astype(np.float64)


# --- RoPE ----------------------------------------------------------------------------------------------------
@prop("rope", "matches_oracle", inputs=lambda d: rope_inputs(d, int32=True), dtypes=FLOATS,
      statement="rope equals the float64 NumPy oracle within the dtype's tolerance relative to each rotated pair's "
                "norm, plus the angle error float32 angles may have (|position| * eps(float32)), for positions in "
                "the thousands, both layouts, D up to 64 and bases other than 10000.")
def rope_matches_oracle(impl, case):
    x, p = case["x"], case["positions"]
    got = impl.expect(impl.rope(x, p, **_rope_kwargs(case)), shape=x.shape, finite=False)
    want = expected("rope", x, p, **_rope_kwargs(case))
    _assert_pairwise_close(got, want, _pair_scale(x, case["interleaved"], impl.dtype), dtype=impl.dtype,
                           what="rope vs float64 oracle", cond=angle_cond(impl.dtype, _max_pos(p)))


@prop("rope", "preserves_pair_norms", inputs=rope_inputs, dtypes=FLOATS,
      statement="RoPE is a rotation of each pair: the norm of every pair of the output equals that of the input "
                "(within the dtype's rounding of two products and a sum), at any position.")
def rope_norms(impl, case):
    x, p, il = case["x"], case["positions"], case["interleaved"]
    y = impl.expect(impl.rope(x, p, **_rope_kwargs(case)), shape=x.shape)
    before = _pair_norms(x, il)
    assert_close(_pair_norms(y, il), before, dtype=impl.dtype, what="pair norms after rope vs before", n=2,
                 floor=flush_floor(impl.dtype))


@S.composite
def rope_with_zeros(draw, dtype):
    case = draw(rope_inputs(dtype))
    p = case["positions"].copy()
    rng = S.rng(draw(S.seeds, label="zeros"))
    zero = rng.random(p.shape) < 0.5
    zero[0] = True
    p[zero] = 0
    case["positions"] = p
    return case


@prop("rope", "identity_at_position_zero", inputs=rope_with_zeros, dtypes=FLOATS,
      statement="Rows at position 0 are returned unchanged, exactly (cos 0 = 1, sin 0 = 0), whatever the other "
                "rows' positions.")
def rope_identity(impl, case):
    x, p = case["x"], case["positions"]
    y = impl.expect(impl.rope(x, p, **_rope_kwargs(case)), shape=x.shape)
    rows = p == 0
    assert_equal(y[..., rows, :], x[..., rows, :], what="rope at position 0 vs x")


@S.composite
def rope_two_positions(draw, dtype):
    case = draw(rope_inputs(dtype))
    case["positions2"] = draw(positions(case["x"].shape[-2], label="positions2"))
    return case


@prop("rope", "composes_additively", inputs=rope_two_positions, dtypes=FLOATS,
      statement="rope(rope(x, m), n) == rope(x, m + n) within two rotations' rounding (relative to each pair's "
                "norm) plus the float32 angle error of the three angles, for m and n in the thousands.")
def rope_composes(impl, case):
    x, m, n = case["x"], case["positions"], case["positions2"]
    kw = _rope_kwargs(case)
    once = impl.expect(impl.rope(x, m, **kw), shape=x.shape)
    twice = impl.expect(impl.rope(once, n, **kw), shape=x.shape)
    direct = impl.expect(impl.rope(x, m + n, **kw), shape=x.shape)
    _assert_pairwise_close(twice, direct.astype(np.float64), _pair_scale(x, case["interleaved"], impl.dtype),
                           dtype=impl.dtype, what="rope(rope(x, m), n) vs rope(x, m + n)", n=4,
                           cond=angle_cond(impl.dtype, _max_pos(m) + _max_pos(n) + _max_pos(m + n)))


@S.composite
def rope_qk(draw, dtype):
    case = draw(rope_two_positions(dtype))
    case["k"] = draw(S.arrays(case["x"].shape, dtype, regimes=S.REGIMES, label="k"))
    case["shift"] = draw(S.sampled_from((1, 37, 1000, 4096, 12345)), label="shift")
    return case


@prop("rope", "inner_product_is_relative", inputs=rope_qk, dtypes=FLOATS,
      statement="<rope(q, m), rope(k, n)> depends only on m - n: shifting both positions by t (up to 12345) leaves "
                "every row's inner product unchanged, within the dtype's rounding of the rotated vectors (relative "
                "to sum over pairs |q_pair| |k_pair|) plus the float32 angle error of the four angles.")
def rope_relative(impl, case):
    q, k, m, n, t = case["x"], case["k"], case["positions"], case["positions2"], case["shift"]
    kw, il = _rope_kwargs(case), case["interleaved"]

    qn = np.maximum(_pair_norms(q, il), flush_floor(impl.dtype))
    kn = np.maximum(_pair_norms(k, il), flush_floor(impl.dtype))
    # each row in units of its largest pair norm, so that float64 values near max/4 do not overflow the products
    qmax, kmax = np.max(qn, axis=-1, keepdims=True), np.max(kn, axis=-1, keepdims=True)

    def dots(mq, nk):
        a = impl.expect(impl.rope(q, mq, **kw), shape=q.shape).astype(np.float64) / qmax
        b = impl.expect(impl.rope(k, nk, **kw), shape=k.shape).astype(np.float64) / kmax
        return np.sum(a * b, axis=-1)

    near, far = dots(m, n), dots(m + t, n + t)
    scale = np.sum((qn / qmax) * (kn / kmax), axis=-1)  # bounds |<.,.>| and each rotated factor's error, per row
    assert_close(far / scale, near / scale, dtype=impl.dtype, floor=1.0, n=q.shape[-1],
                 what="<rope(q, m + t), rope(k, n + t)> vs <rope(q, m), rope(k, n)>",
                 cond=angle_cond(impl.dtype, _max_pos(m) + _max_pos(n) + _max_pos(m + t) + _max_pos(n + t)))


def _interleaved_to_half(d):
    """The permutation of the last axis taking the interleaved pair layout to the half-split one."""
    return np.concatenate([np.arange(0, d, 2), np.arange(1, d, 2)])


@prop("rope", "layouts_agree_up_to_permutation", inputs=rope_inputs, dtypes=FLOATS,
      statement="Interleaved RoPE equals half-split RoPE conjugated by the fixed permutation (x[2i], x[2i+1]) -> "
                "(x[i], x[i + D/2]) of the last axis: rope_interleaved(x)[..., perm] == rope_half(x[..., perm]).")
def rope_layouts(impl, case):
    x, p = case["x"], case["positions"]
    perm = _interleaved_to_half(x.shape[-1])
    inter = impl.expect(impl.rope(x, p, **_rope_kwargs(case, interleaved=True)), shape=x.shape)
    half = impl.expect(impl.rope(np.ascontiguousarray(x[..., perm]), p, **_rope_kwargs(case, interleaved=False)),
                       shape=x.shape)
    _assert_pairwise_close(inter[..., perm], half.astype(np.float64), _pair_scale(x[..., perm], False, impl.dtype),
                           dtype=impl.dtype, what="rope_interleaved(x)[..., perm] vs rope_half(x[..., perm])",
                           cond=angle_cond(impl.dtype, 2 * _max_pos(p)))


@S.composite
def rope_gradient_inputs(draw, dtype):
    # rope is linear in x, so x's regime does not matter for the gradient; unit-normal x keeps the finite
    # differences' own rounding (eps64 |<c, rope(x)>| / h, with h ~ 1e-6 for |x_i| <= 1) below their budget,
    # which x of mixed magnitudes (the "wide" regime: 1e-3 next to 1e3) does not
    case = draw(rope_inputs(dtype, shapes=ROPE_GRAD_SHAPES, regimes=("normal",)))
    case["x"] = S.normal(case["x"].shape, dtype, draw(S.seeds, label="x.seed"))
    case["cotangent"] = S.normal(case["x"].shape, dtype, draw(S.seeds, label="cotangent"))
    return case


@prop("rope", "vjp_matches_finite_differences", inputs=rope_gradient_inputs, needs=("vjp",),
      statement="The VJP of rope w.r.t. x (the inverse rotation of the cotangent) agrees with central finite "
                "differences of the float64 oracle, at positions in the thousands (allowing float32 angles).")
def rope_gradient(impl, case):
    x, p = case["x"], case["positions"]
    assert x.size <= MAX_FD_ELEMENTS
    assert_vjp_matches(impl, "rope", (x, p), _rope_kwargs(case), case["cotangent"], n=2,
                       cond=angle_cond(impl.dtype, _max_pos(p), gradient=True))


@S.composite
def rope_bad(draw, dtype):
    shape = draw(S.sampled_from(ROPE_SHAPES), label="shape")
    return {"x": S.normal(shape, dtype, draw(S.seeds)), "positions": draw(positions(shape[-2])),
            "interleaved": draw(S.booleans(), label="interleaved")}


@prop("rope", "rejects_bad_input", inputs=rope_bad, dtypes=("float32",), max_examples=10,
      statement="rope raises ValueError/TypeError for an odd head dim D, positions of the wrong length or rank, "
                "non-integer positions, and x without a (L, D) pair of axes.")
def rope_rejects(impl, case):
    x, p, kw = case["x"], case["positions"], {"interleaved": case["interleaved"]}
    odd = np.concatenate([x, x[..., :1]], axis=-1)
    assert_rejects(impl, "rope", odd, p, why=f"odd head dim D={odd.shape[-1]}", **kw)
    assert_rejects(impl, "rope", x, np.concatenate([p, p[:1]]), why="one position too many", **kw)
    assert_rejects(impl, "rope", x, p.astype(np.float32) + np.float32(0.5), why="non-integer (float) positions",
                   **kw)
    assert_rejects(impl, "rope", x, p[None, :], why="positions of shape (1, L) instead of (L,)", **kw)
    assert_rejects(impl, "rope", np.ascontiguousarray(x.reshape(-1)[: x.shape[-1]]), p[:1],
                   why="x of rank 1 (no L axis)", **kw)


# --- sinusoidal table ----------------------------------------------------------------------------------------
@S.composite
def sinusoidal_inputs(draw, dtype):
    num_positions, dim = draw(S.sampled_from(SINUSOIDAL_SIZES), label="size")
    return {"num_positions": num_positions, "dim": dim, "base": draw(S.sampled_from(BASES), label="base"),
            "delta": draw(S.integers(1, max(num_positions - 1, 1)), label="delta")}


def _sinusoidal(impl, case):
    return _table(impl, "sinusoidal_positions", case["num_positions"], case["dim"], base=case["base"],
                  shape=(case["num_positions"], case["dim"]), what="sinusoidal table")


def _sin_cond(case):
    """The largest position's allowed float32 angle error, in float32 ulps."""
    return angle_cond("float32", case["num_positions"] - 1)


@prop("sinusoidal_positions", "matches_oracle", inputs=sinusoidal_inputs, dtypes=("float32",),
      statement="The sinusoidal table (float32 or float64) equals the float64 oracle within float32's tolerance "
                "plus the float32 angle error at its largest position (up to 4095), for bases other than 10000.")
def sinusoidal_oracle(impl, case):
    got = _sinusoidal(impl, case)
    want = expected("sinusoidal_positions", case["num_positions"], case["dim"], base=case["base"])
    assert_close(got, want, dtype="float32", what="sinusoidal table vs float64 oracle", cond=_sin_cond(case))


def _complex_pairs(pe):
    """Each (sin, cos) pair as the unit complex number cos + i sin, ``(P, dim/2)``."""
    return pe[:, 1::2] + 1j * pe[:, 0::2]


@prop("sinusoidal_positions", "bounded_on_unit_circle", inputs=sinusoidal_inputs, dtypes=("float32",),
      statement="Every value lies in [-1, 1] and every (pe[k, 2i], pe[k, 2i+1]) pair lies on the unit circle "
                "(sin^2 + cos^2 == 1 within float32's rounding of the two values).")
def sinusoidal_bounded(impl, case):
    pe = _sinusoidal(impl, case)
    require(bool(np.all(np.abs(pe) <= 1.0)), f"sinusoidal value outside [-1, 1]: {pe[np.abs(pe) > 1][:4]}")
    assert_close(np.abs(_complex_pairs(pe)) ** 2, np.ones((pe.shape[0], pe.shape[1] // 2)), dtype="float32",
                 what="sin^2 + cos^2 of each pair", n=2)


@prop("sinusoidal_positions", "dot_depends_only_on_offset", inputs=sinusoidal_inputs, dtypes=("float32",),
      statement="pe[k] . pe[k + delta] is the same for every k (it is sum_i cos(delta w_i)), within float32's "
                "rounding of dim products plus the float32 angle error at the largest position.")
def sinusoidal_dot(impl, case):
    pe, delta = _sinusoidal(impl, case), case["delta"]
    dots = np.sum(pe[:-delta] * pe[delta:], axis=-1) if delta < pe.shape[0] else np.zeros(0)
    if dots.size == 0:
        return
    dim = pe.shape[1]
    assert_close(dots, np.full(dots.shape, dots[0]), dtype="float32", what=f"pe[k] . pe[k + {delta}] vs k = 0",
                 n=dim, floor=dim / 2, cond=_sin_cond(case))


@prop("sinusoidal_positions", "shift_is_fixed_rotation", inputs=sinusoidal_inputs, dtypes=("float32",),
      statement="pe[k + delta] is a fixed rotation of pe[k]: each (sin, cos) pair turns by the same angle for every "
                "k (as complex numbers w, w[k + delta] * conj(w[k]) does not depend on k), so the map is "
                "block-diagonal with 2x2 rotations independent of k.")
def sinusoidal_rotation(impl, case):
    pe, delta = _sinusoidal(impl, case), case["delta"]
    if delta >= pe.shape[0]:
        return
    w = _complex_pairs(pe)
    turn = w[delta:] * np.conj(w[:-delta])  # (P - delta, dim/2): the rotation taking pe[k] to pe[k + delta]
    for part, name in ((turn.real, "cos"), (turn.imag, "sin")):
        assert_close(part, np.broadcast_to(part[:1], part.shape), dtype="float32", n=4, cond=_sin_cond(case),
                     what=f"{name} of the angle turning pe[k] into pe[k + {delta}] vs k = 0")


@prop("sinusoidal_positions", "rejects_bad_input", inputs=sinusoidal_inputs, dtypes=("float32",), max_examples=5,
      statement="sinusoidal_positions raises ValueError/TypeError for an odd dim and a negative number of "
                "positions.")
def sinusoidal_rejects(impl, case):
    n, dim = case["num_positions"], case["dim"]
    assert_rejects(impl, "sinusoidal_positions", n, dim + 1, why=f"odd dim={dim + 1}")
    assert_rejects(impl, "sinusoidal_positions", -n, dim, why=f"num_positions={-n}")


# --- T5 buckets ----------------------------------------------------------------------------------------------
def _max_exact(num_buckets, bidirectional):
    return (num_buckets // 2 if bidirectional else num_buckets) // 2


@S.composite
def t5_options(draw, *, bidirectional=None, buckets=T5_BUCKETS):
    if bidirectional is None:
        bidirectional = draw(S.booleans(), label="bidirectional")
    num_buckets = draw(S.sampled_from(buckets), label="num_buckets")
    me = _max_exact(num_buckets, bidirectional)
    max_distance = draw(S.sampled_from([m for m in T5_MAX_DISTANCES if m > me]), label="max_distance")
    return {"bidirectional": bidirectional, "num_buckets": num_buckets, "max_distance": max_distance}


@S.composite
def t5_window(draw, dtype, *, bidirectional=None):
    """Every distance -W..W (so exactness, monotonicity and the clamp are checked exhaustively)."""
    case = draw(t5_options(bidirectional=bidirectional))
    w = draw(S.sampled_from(T5_WINDOWS), label="window")
    case["relative_position"] = np.arange(-w, w + 1, dtype=np.int64)
    return case


@S.composite
def t5_inputs(draw, dtype):
    """A window of distances, or random ones (any shape) up to 2**40 in magnitude, int64 or int32."""
    if draw(S.booleans(), label="window"):
        return draw(t5_window(dtype))
    case = draw(t5_options())
    shape = draw(S.shapes(1, 3), label="shape")
    magnitude = draw(S.sampled_from((10, 300, 5000, 10 ** 6, 2 ** 40)), label="magnitude")
    rng = S.rng(draw(S.seeds, label="seed"))
    rel = rng.integers(-magnitude, magnitude + 1, shape)
    int32 = magnitude < 2 ** 31 and draw(S.booleans(), label="int32")
    case["relative_position"] = rel.astype(np.int32 if int32 else np.int64)
    return case


def _t5_kwargs(case):
    return {k: case[k] for k in ("bidirectional", "num_buckets", "max_distance")}


def _buckets(impl, case):
    rel = case["relative_position"]
    out = impl.expect(impl.t5_relative_position_bucket(rel, **_t5_kwargs(case)), shape=rel.shape, dtype="",
                      what="t5 buckets")
    require(out.dtype.kind in "iu", f"t5 buckets have dtype {out.dtype.name}, expected an integer dtype")
    return out.astype(np.int64)


@prop("t5_relative_position_bucket", "matches_oracle", inputs=t5_inputs, dtypes=(NO_DTYPE,),
      statement="T5 buckets equal the oracle's exactly (float32 logarithm, as T5 does it), for any distance up to "
                "2**40, bucket counts other than 32 and max_distance other than 128.")
def t5_oracle(impl, case):
    got = _buckets(impl, case)
    want = expected("t5_relative_position_bucket", case["relative_position"], **_t5_kwargs(case))
    assert_equal(got, np.asarray(want, dtype=np.int64), what="t5 buckets vs oracle")


@prop("t5_relative_position_bucket", "in_range", inputs=t5_inputs, dtypes=(NO_DTYPE,),
      statement="Every bucket lies in [0, num_buckets), for any distance (up to 2**40).")
def t5_in_range(impl, case):
    b, nb = _buckets(impl, case), case["num_buckets"]
    bad = (b < 0) | (b >= nb)
    require(not bool(np.any(bad)), f"buckets outside [0, {nb}): distance(s) "
            f"{case['relative_position'][bad][:4].tolist()} -> {b[bad][:4].tolist()}")


def _expected_exact(rel, case):
    """Bucket of each distance with |distance| < max_exact (others: -1) by the exact rule."""
    me = _max_exact(case["num_buckets"], case["bidirectional"])
    if case["bidirectional"]:
        half = case["num_buckets"] // 2
        return np.where(np.abs(rel) < me, np.abs(rel) + np.where(rel > 0, half, 0), -1)
    return np.where((rel <= 0) & (-rel < me), -rel, -1)


@prop("t5_relative_position_bucket", "exact_for_small_distances", inputs=t5_window, dtypes=(NO_DTYPE,),
      statement="Each distance with |d| < max_exact (= num_buckets / 4 bidirectional, / 2 unidirectional) has its "
                "own bucket: |d| for key at or before the query, num_buckets/2 + d after it (bidirectional); -d for "
                "-max_exact < d <= 0 (unidirectional).")
def t5_exact(impl, case):
    rel, b = case["relative_position"], _buckets(impl, case)
    want = _expected_exact(rel, case)
    small = want >= 0
    assert_equal(b[small], want[small], what="buckets of small distances vs the exact rule")
    require(len(np.unique(b[small])) == int(np.sum(small)), "two small distances share a bucket")


def _sides(rel, bidirectional):
    """(mask, |distance|) of each side whose buckets must grow with |distance|."""
    if bidirectional:
        return [(rel > 0, rel), (rel <= 0, -rel)]
    return [(rel <= 0, -rel)]


@prop("t5_relative_position_bucket", "monotone_in_distance", inputs=t5_window, dtypes=(NO_DTYPE,),
      statement="On each side (key after / not after the query) the bucket never decreases as |distance| grows, "
                "checked over every distance -W..W (W up to 1500).")
def t5_monotone(impl, case):
    rel, b = case["relative_position"], _buckets(impl, case)
    for mask, dist in _sides(rel, case["bidirectional"]):
        order = np.argsort(dist[mask], kind="stable")
        seq, d = b[mask][order], dist[mask][order]
        drops = np.flatnonzero(np.diff(seq) < 0)
        require(drops.size == 0, "bucket decreases with |distance|: " + ", ".join(
            f"|d| {d[i]} -> {seq[i]}, |d| {d[i + 1]} -> {seq[i + 1]}" for i in drops[:3]))


@prop("t5_relative_position_bucket", "sign_separated", inputs=lambda d: t5_window(d, bidirectional=True),
      dtypes=(NO_DTYPE,),
      statement="Bidirectional: keys after the query (d > 0) use only the upper half [num_buckets/2, num_buckets) "
                "and the others (d <= 0) only the lower half [0, num_buckets/2).")
def t5_sign_separated(impl, case):
    rel, b, half = case["relative_position"], _buckets(impl, case), case["num_buckets"] // 2
    wrong = np.where(rel > 0, (b < half) | (b >= 2 * half), (b < 0) | (b >= half))
    require(not bool(np.any(wrong)), f"buckets in the wrong half (halves of {half}): distance(s) "
            f"{rel[wrong][:4].tolist()} -> {b[wrong][:4].tolist()}")


@prop("t5_relative_position_bucket", "future_in_bucket_zero", inputs=lambda d: t5_window(d, bidirectional=False),
      dtypes=(NO_DTYPE,),
      statement="Unidirectional: every key after the query (d > 0, which a causal model never attends) is in "
                "bucket 0, and the past spreads over the buckets.")
def t5_future(impl, case):
    rel, b = case["relative_position"], _buckets(impl, case)
    future = rel > 0
    assert_equal(b[future], np.zeros(int(np.sum(future)), dtype=np.int64), what="buckets of future keys")


@prop("t5_relative_position_bucket", "max_distance_honoured", inputs=t5_window, dtypes=(NO_DTYPE,),
      statement="Every distance with |d| >= max_distance lands in the last bucket of its half (bidirectional: "
                "num_buckets/2 - 1 for d < 0, num_buckets - 1 for d > 0; unidirectional, d < 0: num_buckets - 1), "
                "for max_distance other than 128.")
def t5_max_distance(impl, case):
    rel, b, nb, md = case["relative_position"], _buckets(impl, case), case["num_buckets"], case["max_distance"]
    if case["bidirectional"]:
        far = np.abs(rel) >= md
        last = np.where(rel > 0, nb - 1, nb // 2 - 1)
    else:
        far = -rel >= md
        last = np.full(rel.shape, nb - 1)
    assert_equal(b[far], last[far], what=f"buckets of distances beyond max_distance={md}")


@prop("t5_relative_position_bucket", "rejects_bad_input", inputs=t5_window, dtypes=(NO_DTYPE,), max_examples=5,
      statement="t5_relative_position_bucket raises ValueError/TypeError for non-integer distances, max_distance "
                "not above the exact range (<= max_exact) and too few buckets for the exact range.")
def t5_rejects(impl, case):
    rel, kw = case["relative_position"][:9], _t5_kwargs(case)
    me = _max_exact(case["num_buckets"], case["bidirectional"])
    assert_rejects(impl, "t5_relative_position_bucket", rel.astype(np.float64) + 0.5, why="float distances", **kw)
    assert_rejects(impl, "t5_relative_position_bucket", rel, why=f"max_distance={me} <= max_exact={me}",
                   **{**kw, "max_distance": me})
    tiny = 3 if case["bidirectional"] else 1
    assert_rejects(impl, "t5_relative_position_bucket", rel, why=f"num_buckets={tiny} (no exact range)",
                   **{**kw, "num_buckets": tiny})


# --- T5 relative-position bias -------------------------------------------------------------------------------
@S.composite
def bias_inputs(draw, dtype, *, geometries=BIAS_GEOMETRIES):
    lengths, buckets, heads = draw(S.sampled_from(geometries), label="((q_len, k_len), num_buckets, heads)")
    case = draw(t5_options(buckets=(buckets,)))
    case["q_len"], case["k_len"] = lengths
    rng = S.rng(draw(S.seeds, label="table"))
    # distinct values, so that a wrong bucket shows as a wrong value (exact in every dtype up to its precision)
    values = rng.permutation(case["num_buckets"] * heads) - case["num_buckets"] * heads // 2
    case["table"] = S.cast(values.reshape(case["num_buckets"], heads), dtype)
    return case


def _bias_kwargs(case):
    return {"bidirectional": case["bidirectional"], "max_distance": case["max_distance"]}


def _bias(impl, case, q_len=None):
    q = case["q_len"] if q_len is None else q_len
    k, table = case["k_len"], case["table"]
    return impl.expect(impl.relative_position_bias(q, k, table, **_bias_kwargs(case)),
                       shape=(table.shape[1], q, k), what=f"relative_position_bias({q}, {k})")


@prop("relative_position_bias", "matches_oracle", inputs=bias_inputs, dtypes=FLOATS,
      statement="The relative-position bias equals the oracle's exactly (it is a gather from the table), for "
                "q_len < k_len, distances up to 1100 and max_distance other than 128.")
def bias_oracle(impl, case):
    got = _bias(impl, case)
    want = expected("relative_position_bias", case["q_len"], case["k_len"], case["table"], **_bias_kwargs(case))
    assert_equal(got.astype(np.float64), np.asarray(want, dtype=np.float64), what="bias vs oracle")


def _assert_toeplitz(bias, what):
    assert_equal(bias[:, 1:, 1:], bias[:, :-1, :-1], what=f"{what}[h, i + 1, j + 1] vs [h, i, j]")


@prop("relative_position_bias", "depends_on_key_minus_query",
      inputs=lambda d: bias_inputs(d, geometries=SHIFT_GEOMETRIES),
      dtypes=("float32",),
      statement="bias[h, i, j] depends only on key - query position: the table is Toeplitz, and with q_len < k_len "
                "(queries are the last q_len positions) row i equals row i + k_len - q_len of the full "
                "(k_len, k_len) table.")
def bias_relative(impl, case):
    bias = _bias(impl, case)
    _assert_toeplitz(bias, "bias")
    full = _bias(impl, case, q_len=case["k_len"])
    shift = case["k_len"] - case["q_len"]
    assert_equal(bias, full[:, shift:, :], what=f"bias row i vs full-length row i + {shift}")


@prop("relative_position_bias", "rejects_bad_input", inputs=bias_inputs, dtypes=("float32",), max_examples=5,
      statement="relative_position_bias raises ValueError/TypeError for q_len > k_len, a table that is not "
                "(num_buckets, H), and max_distance not above the exact range.")
def bias_rejects(impl, case):
    q, k, table, kw = case["q_len"], case["k_len"], case["table"], _bias_kwargs(case)
    me = _max_exact(table.shape[0], case["bidirectional"])
    assert_rejects(impl, "relative_position_bias", k + 1, k, table, why=f"q_len={k + 1} > k_len={k}", **kw)
    assert_rejects(impl, "relative_position_bias", q, k, np.ascontiguousarray(table[:, 0]),
                   why="a table of shape (num_buckets,)", **kw)
    assert_rejects(impl, "relative_position_bias", q, k, table, why=f"max_distance={me} <= max_exact={me}",
                   **{**kw, "max_distance": me})


# --- ALiBi ---------------------------------------------------------------------------------------------------
def get_slopes(n):
    """The ALiBi paper's slopes (Press et al., the official ``get_slopes``): a geometric sequence starting at and
    with ratio ``2**(-8/n)`` for n a power of two; otherwise those of the largest power of two below n, then every
    other slope of twice that power."""
    def power_of_2(m):
        start = 2 ** (-2 ** -(math.log2(m) - 3))
        return [start * start ** i for i in range(m)]

    if math.log2(n).is_integer():
        return power_of_2(n)
    closest = 2 ** math.floor(math.log2(n))
    return power_of_2(closest) + get_slopes(2 * closest)[0::2][: n - closest]


#: (H, (q_len, k_len)) of the ALiBi tables drawn together, first = what shrinking aims for: every head count of
#: POW2_HEADS and OTHER_HEADS once with k_len >= 2, over every length of BIAS_LENGTHS (JAX compiles once per
#: geometry: one per head count rather than one per head count and length)
ALIBI_GEOMETRIES = ((1, (1, 1)), (1, (3, 3)), (2, (5, 16)), (3, (3, 3)), (4, (16, 16)), (5, (5, 16)),
                    (6, (20, 300)), (8, (2, 1100)), (12, (16, 16)), (16, (3, 3)), (20, (5, 16)), (24, (16, 16)),
                    (32, (20, 300)), (40, (3, 3)))


@S.composite
def alibi_inputs(draw, dtype, *, heads=POW2_HEADS + OTHER_HEADS, lengths=BIAS_LENGTHS):
    """A geometry of :data:`ALIBI_GEOMETRIES` with its head count in ``heads`` and its lengths in ``lengths``."""
    options = tuple((h, qk) for h, qk in ALIBI_GEOMETRIES if h in heads and qk in lengths)
    h, (q, k) = draw(S.sampled_from(options), label="(num_heads, (q_len, k_len))")
    return {"num_heads": h, "q_len": q, "k_len": k}


def _alibi(impl, case, q_len=None):
    h, k = case["num_heads"], case["k_len"]
    q = case["q_len"] if q_len is None else q_len
    return _table(impl, "alibi_bias", h, q, k, shape=(h, q, k), what=f"alibi_bias({h}, {q}, {k})")


def _key_minus_query(q, k):
    return np.arange(k)[None, :] - (np.arange(q)[:, None] + (k - q))


@prop("alibi_bias", "matches_oracle", inputs=alibi_inputs, dtypes=("float32",),
      statement="The ALiBi bias (float32 or float64) equals the float64 oracle within float32's rounding, for head "
                "counts that are not powers of two and q_len < k_len.")
def alibi_oracle(impl, case):
    got = _alibi(impl, case)
    want = expected("alibi_bias", case["num_heads"], case["q_len"], case["k_len"])
    assert_close(got, want, dtype="float32", what="alibi_bias vs float64 oracle", floor=TINY["float32"])


def _observed_slopes(bias, q, k):
    """-bias / |key - query| for every entry off the diagonal: ``(H, entries)``."""
    dist = np.abs(_key_minus_query(q, k)).astype(np.float64)
    off = dist > 0
    return -bias[:, off] / dist[off]


LONG_LENGTHS = tuple((q, k) for q, k in BIAS_LENGTHS if k >= 2)


@prop("alibi_bias", "slopes_geometric_for_powers_of_two",
      inputs=lambda d: alibi_inputs(d, heads=POW2_HEADS, lengths=LONG_LENGTHS), dtypes=("float32",),
      statement="For H a power of two, bias[h] = -slope_h * |distance| with slope_0 = 2**(-8/H) and consecutive "
                "slopes in ratio 2**(-8/H) (within float32's rounding of the bias).")
def alibi_geometric(impl, case):
    h, q, k = case["num_heads"], case["q_len"], case["k_len"]
    observed = _observed_slopes(_alibi(impl, case), q, k)
    ratio = 2.0 ** (-8.0 / h)
    assert_close(observed[0], np.full(observed.shape[1], ratio), dtype="float32", floor=TINY["float32"],
                 what=f"slope of head 0 vs 2**(-8/{h})")
    if h > 1:
        assert_close(observed[1:] / observed[:-1], np.full((h - 1, observed.shape[1]), ratio), dtype="float32",
                     n=2, floor=TINY["float32"], what=f"ratio of consecutive slopes vs 2**(-8/{h})")


@prop("alibi_bias", "slopes_follow_paper_rule",
      inputs=lambda d: alibi_inputs(d, heads=OTHER_HEADS + POW2_HEADS, lengths=LONG_LENGTHS), dtypes=("float32",),
      statement="bias[h] = -slope_h * |distance| with the slopes of the ALiBi paper's get_slopes (for H not a "
                "power of two: the 2**floor(log2 H) geometric slopes, then every other slope of twice that many), "
                "within float32's rounding.")
def alibi_paper(impl, case):
    h, q, k = case["num_heads"], case["q_len"], case["k_len"]
    observed = _observed_slopes(_alibi(impl, case), q, k)
    want = np.broadcast_to(np.asarray(get_slopes(h))[:, None], observed.shape)
    assert_close(observed, want, dtype="float32", floor=TINY["float32"],
                 what=f"-bias / |distance| vs the paper's slopes for H={h}")


@prop("alibi_bias", "rows_decrease_away_from_diagonal", inputs=alibi_inputs, dtypes=("float32",),
      statement="Every row is 0 at the query's own position (key = query = i + k_len - q_len) and strictly "
                "decreases moving away from it in either direction.")
def alibi_rows(impl, case):
    q, k = case["q_len"], case["k_len"]
    bias = _alibi(impl, case)
    rel = _key_minus_query(q, k)
    assert_equal(bias[:, rel == 0], np.zeros((bias.shape[0], q)), what="bias on the diagonal")
    step = np.diff(bias, axis=-1)  # bias[j + 1] - bias[j]
    toward = rel[:, :-1] < 0  # j before the diagonal: moving right approaches it, so the bias must increase
    bad = np.where(toward, step <= 0, step >= 0)
    if np.any(bad):
        h, i, j = (int(v) for v in np.argwhere(bad)[0])
        require(False, f"row {i} of head {h} does not decrease away from the diagonal (column {i + k - q}): "
                       f"bias[{j}] = {bias[h, i, j]}, bias[{j + 1}] = {bias[h, i, j + 1]}")


@prop("alibi_bias", "depends_on_key_minus_query", inputs=lambda d: alibi_inputs(d, lengths=SHIFT_LENGTHS),
      dtypes=("float32",),
      statement="bias[h, i, j] depends only on key - query position: Toeplitz, and with q_len < k_len row i equals "
                "row i + k_len - q_len of the full (k_len, k_len) bias.")
def alibi_relative(impl, case):
    bias = _alibi(impl, case)
    _assert_toeplitz(bias, "alibi bias")
    full = _alibi(impl, case, q_len=case["k_len"])
    shift = case["k_len"] - case["q_len"]
    assert_equal(bias, full[:, shift:, :], what=f"alibi row i vs full-length row i + {shift}")


@prop("alibi_bias", "rejects_bad_input", inputs=alibi_inputs, dtypes=("float32",), max_examples=5,
      statement="alibi_bias raises ValueError/TypeError for q_len > k_len and for zero heads.")
def alibi_rejects(impl, case):
    h, q, k = case["num_heads"], case["q_len"], case["k_len"]
    assert_rejects(impl, "alibi_bias", h, k + 1, k, why=f"q_len={k + 1} > k_len={k}")
    assert_rejects(impl, "alibi_bias", 0, q, k, why="num_heads=0")
