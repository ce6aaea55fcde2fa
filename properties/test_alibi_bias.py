"""Properties of alibi_bias (docs/contract.md 3.7 and section 4, "Positions").

The family's shared sizes, strategies and helpers: :mod:`properties.positional_common`.
"""
from __future__ import annotations

import math

import numpy as np

from properties import strategies
from properties.assertions import assert_close, assert_equal, assert_rejects, require
from properties.oracle import expected
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.positional_common import BIAS_LENGTHS, SHIFT_LENGTHS, _assert_toeplitz, _table
from properties.registry import prop
from properties.tolerances import TINY


#: ALiBi head counts: powers of two and not (3, 5, 6, 12, 20, 24, 40: models with such head counts exist)
POW2_HEADS = (1, 2, 4, 8, 16, 32)
OTHER_HEADS = (3, 5, 6, 12, 20, 24, 40)


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


@strategies.composite
def alibi_inputs(draw, dtype, *, heads=POW2_HEADS + OTHER_HEADS, lengths=BIAS_LENGTHS):
    """A geometry of :data:`ALIBI_GEOMETRIES` with its head count in ``heads`` and its lengths in ``lengths``."""
    options = tuple((h, qk) for h, qk in ALIBI_GEOMETRIES if h in heads and qk in lengths)
    h, (q, k) = draw(strategies.sampled_from(options), label="(num_heads, (q_len, k_len))")
    return {"num_heads": h, "q_len": q, "k_len": k}


def _alibi(subject, case, q_len=None):
    h, k = case["num_heads"], case["k_len"]
    q = case["q_len"] if q_len is None else q_len
    return _table(subject, "alibi_bias", h, q, k, shape=(h, q, k), what=f"alibi_bias({h}, {q}, {k})")


def _key_minus_query(q, k):
    return np.arange(k)[None, :] - (np.arange(q)[:, None] + (k - q))


@prop("alibi_bias", "matches_oracle", inputs=alibi_inputs, dtypes=("float32",),
      statement="The ALiBi bias (float32 or float64) equals the float64 oracle within float32's rounding, for head "
                "counts that are not powers of two and q_len < k_len.")
def alibi_oracle(subject, case):
    got = _alibi(subject, case)
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
def alibi_geometric(subject, case):
    h, q, k = case["num_heads"], case["q_len"], case["k_len"]
    observed = _observed_slopes(_alibi(subject, case), q, k)
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
def alibi_paper(subject, case):
    h, q, k = case["num_heads"], case["q_len"], case["k_len"]
    observed = _observed_slopes(_alibi(subject, case), q, k)
    want = np.broadcast_to(np.asarray(get_slopes(h))[:, None], observed.shape)
    assert_close(observed, want, dtype="float32", floor=TINY["float32"],
                 what=f"-bias / |distance| vs the paper's slopes for H={h}")


@prop("alibi_bias", "rows_decrease_away_from_diagonal", inputs=alibi_inputs, dtypes=("float32",),
      statement="Every row is 0 at the query's own position (key = query = i + k_len - q_len) and strictly "
                "decreases moving away from it in either direction.")
def alibi_rows(subject, case):
    q, k = case["q_len"], case["k_len"]
    bias = _alibi(subject, case)
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
def alibi_relative(subject, case):
    bias = _alibi(subject, case)
    _assert_toeplitz(bias, "alibi bias")
    full = _alibi(subject, case, q_len=case["k_len"])
    shift = case["k_len"] - case["q_len"]
    assert_equal(bias, full[:, shift:, :], what=f"alibi row i vs full-length row i + {shift}")


@prop("alibi_bias", "rejects_bad_input", inputs=alibi_inputs, dtypes=("float32",), max_examples=5,
      statement="alibi_bias raises ValueError/TypeError for q_len > k_len and for zero heads.")
def alibi_rejects(subject, case):
    h, q, k = case["num_heads"], case["q_len"], case["k_len"]
    assert_rejects(subject, "alibi_bias", h, k + 1, k, why=f"q_len={k + 1} > k_len={k}")
    assert_rejects(subject, "alibi_bias", 0, q, k, why="num_heads=0")
