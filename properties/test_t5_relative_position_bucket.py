"""Properties of t5_relative_position_bucket (docs/contract.md 3.7 and section 4, "Positions").

The family's shared sizes, strategies and helpers: :mod:`properties.positional_common`.
"""
from __future__ import annotations

import math

import numpy as np

from properties import strategies
from properties.assertions import assert_equal, assert_rejects, require
from properties.oracle import expected
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.positional_common import _max_exact, t5_options
from properties.registry import NO_DTYPE, prop


#: windows ``-W..W`` of every relative distance (W >= every max_distance of T5_MAX_DISTANCES, so all regimes are covered)
T5_WINDOWS = (40, 1500)


@strategies.composite
def t5_window(draw, dtype, *, bidirectional=None):
    """Every distance -W..W (so exactness, monotonicity and the clamp are checked exhaustively)."""
    case = draw(t5_options(bidirectional=bidirectional))
    w = draw(strategies.sampled_from(T5_WINDOWS), label="window")
    case["relative_position"] = np.arange(-w, w + 1, dtype=np.int64)
    return case


#: configurations (num_buckets, max_distance, bidirectional) where T5's float32 logarithm and a float64 one put some
#: distance in different buckets (log(n / max_exact) / log(max_distance / max_exact) * (buckets - max_exact) lands
#: within a float32 rounding of an integer); T5's defaults have none, so only these tell the precisions apart
PRECISION_CONFIGS = ((18, 128, True), (20, 160, True), (10, 160, False))


def _bucket_of_log(n, max_exact, max_distance, buckets, dtype):
    """The logarithmic bucket offset of distances ``n >= max_exact``, the logarithm taken in ``dtype``."""
    ratio = np.asarray(n, dtype=np.float64) / max_exact
    log_ratio = np.log(ratio).astype(dtype)
    return (log_ratio / dtype(math.log(max_distance / max_exact)) * dtype(buckets - max_exact)).astype(np.int64)


def precision_witnesses(num_buckets, max_distance, bidirectional) -> np.ndarray:
    """The relative positions (keys before the query, and after it when bidirectional) whose bucket differs when
    the logarithm is taken in float64 instead of float32."""
    buckets = num_buckets // 2 if bidirectional else num_buckets
    me = buckets // 2
    n = np.arange(me, max_distance)
    differ = n[_bucket_of_log(n, me, max_distance, buckets, np.float32)
               != _bucket_of_log(n, me, max_distance, buckets, np.float64)]
    return np.concatenate([-differ, differ]) if bidirectional else -differ


@strategies.composite
def t5_inputs(draw, dtype):
    """A window of distances, random ones (any shape) up to 2**40 in magnitude, int64 or int32, or the distances
    that tell T5's float32 logarithm from a float64 one (:data:`PRECISION_CONFIGS`)."""
    kind = draw(strategies.sampled_from(("window", "random", "precision")), label="distances")
    if kind == "window":
        return draw(t5_window(dtype))
    if kind == "precision":
        num_buckets, max_distance, bidirectional = draw(strategies.sampled_from(PRECISION_CONFIGS), label="config")
        return {"bidirectional": bidirectional, "num_buckets": num_buckets, "max_distance": max_distance,
                "relative_position": precision_witnesses(num_buckets, max_distance, bidirectional)}
    case = draw(t5_options())
    shape = draw(strategies.shapes(1, 3), label="shape")
    magnitude = draw(strategies.sampled_from((10, 300, 5000, 10 ** 6, 2 ** 40)), label="magnitude")
    rng = strategies.rng(draw(strategies.seeds, label="seed"))
    rel = rng.integers(-magnitude, magnitude + 1, shape)
    int32 = magnitude < 2 ** 31 and draw(strategies.booleans(), label="int32")
    case["relative_position"] = rel.astype(np.int32 if int32 else np.int64)
    return case


def _t5_kwargs(case):
    return {k: case[k] for k in ("bidirectional", "num_buckets", "max_distance")}


def _buckets(subject, case):
    rel = case["relative_position"]
    out = subject.expect(subject.t5_relative_position_bucket(rel, **_t5_kwargs(case)), shape=rel.shape, dtype="",
                      what="t5 buckets")
    require(out.dtype.kind in "iu", f"t5 buckets have dtype {out.dtype.name}, expected an integer dtype")
    return out.astype(np.int64)


@prop("t5_relative_position_bucket", "matches_oracle", inputs=t5_inputs, dtypes=(NO_DTYPE,),
      statement="T5 buckets equal the oracle's exactly (float32 logarithm, as T5 does it), for any distance up to "
                "2**40, bucket counts other than 32 and max_distance other than 128, and the distances whose bucket "
                "a float64 logarithm would change (8, 16 and 64 with 18 buckets and max_distance 128).")
def t5_oracle(subject, case):
    got = _buckets(subject, case)
    want = expected("t5_relative_position_bucket", case["relative_position"], **_t5_kwargs(case))
    assert_equal(got, np.asarray(want, dtype=np.int64), what="t5 buckets vs oracle")


@prop("t5_relative_position_bucket", "in_range", inputs=t5_inputs, dtypes=(NO_DTYPE,),
      statement="Every bucket lies in [0, num_buckets), for any distance (up to 2**40).")
def t5_in_range(subject, case):
    b, nb = _buckets(subject, case), case["num_buckets"]
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
def t5_exact(subject, case):
    rel, b = case["relative_position"], _buckets(subject, case)
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
def t5_monotone(subject, case):
    rel, b = case["relative_position"], _buckets(subject, case)
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
def t5_sign_separated(subject, case):
    rel, b, half = case["relative_position"], _buckets(subject, case), case["num_buckets"] // 2
    wrong = np.where(rel > 0, (b < half) | (b >= 2 * half), (b < 0) | (b >= half))
    require(not bool(np.any(wrong)), f"buckets in the wrong half (halves of {half}): distance(s) "
            f"{rel[wrong][:4].tolist()} -> {b[wrong][:4].tolist()}")


@prop("t5_relative_position_bucket", "future_in_bucket_zero", inputs=lambda d: t5_window(d, bidirectional=False),
      dtypes=(NO_DTYPE,),
      statement="Unidirectional: every key after the query (d > 0, which a causal model never attends) is in "
                "bucket 0, and the past spreads over the buckets.")
def t5_future(subject, case):
    rel, b = case["relative_position"], _buckets(subject, case)
    future = rel > 0
    assert_equal(b[future], np.zeros(int(np.sum(future)), dtype=np.int64), what="buckets of future keys")


@prop("t5_relative_position_bucket", "max_distance_honoured", inputs=t5_window, dtypes=(NO_DTYPE,),
      statement="Every distance with |d| >= max_distance lands in the last bucket of its half (bidirectional: "
                "num_buckets/2 - 1 for d < 0, num_buckets - 1 for d > 0; unidirectional, d < 0: num_buckets - 1), "
                "for max_distance other than 128.")
def t5_max_distance(subject, case):
    rel, b, nb, md = case["relative_position"], _buckets(subject, case), case["num_buckets"], case["max_distance"]
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
def t5_rejects(subject, case):
    rel, kw = case["relative_position"][:9], _t5_kwargs(case)
    me = _max_exact(case["num_buckets"], case["bidirectional"])
    assert_rejects(subject, "t5_relative_position_bucket", rel.astype(np.float64) + 0.5, why="float distances", **kw)
    assert_rejects(subject, "t5_relative_position_bucket", rel, why=f"max_distance={me} <= max_exact={me}",
                   **{**kw, "max_distance": me})
    tiny = 3 if case["bidirectional"] else 1
    assert_rejects(subject, "t5_relative_position_bucket", rel, why=f"num_buckets={tiny} (no exact range)",
                   **{**kw, "num_buckets": tiny})
