"""Properties of relative_position_bias (docs/contract.md 3.7 and section 4, "Positions").

The family's shared sizes, strategies and helpers: :mod:`properties.positional_common`.
"""
from __future__ import annotations

import numpy as np

from properties import strategies
from properties.assertions import assert_equal, assert_rejects
from properties.oracle import expected
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.positional_common import SHIFT_LENGTHS, _assert_toeplitz, _max_exact, t5_options
from properties.registry import FLOATS, prop


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


@strategies.composite
def bias_inputs(draw, dtype, *, geometries=BIAS_GEOMETRIES):
    lengths, buckets, heads = draw(strategies.sampled_from(geometries), label="((q_len, k_len), num_buckets, heads)")
    case = draw(t5_options(buckets=(buckets,)))
    case["q_len"], case["k_len"] = lengths
    rng = strategies.rng(draw(strategies.seeds, label="table"))
    # distinct values, so that a wrong bucket shows as a wrong value (exact in every dtype up to its precision)
    values = rng.permutation(case["num_buckets"] * heads) - case["num_buckets"] * heads // 2
    case["table"] = strategies.cast(values.reshape(case["num_buckets"], heads), dtype)
    return case


def _bias_kwargs(case):
    return {"bidirectional": case["bidirectional"], "max_distance": case["max_distance"]}


def _bias(subject, case, q_len=None):
    q = case["q_len"] if q_len is None else q_len
    k, table = case["k_len"], case["table"]
    return subject.expect(subject.relative_position_bias(q, k, table, **_bias_kwargs(case)),
                       shape=(table.shape[1], q, k), what=f"relative_position_bias({q}, {k})")


@prop("relative_position_bias", "matches_oracle", inputs=bias_inputs, dtypes=FLOATS,
      statement="The relative-position bias equals the oracle's exactly (it is a gather from the table), for "
                "q_len < k_len, distances up to 1100 and max_distance other than 128.")
def bias_oracle(subject, case):
    got = _bias(subject, case)
    want = expected("relative_position_bias", case["q_len"], case["k_len"], case["table"], **_bias_kwargs(case))
    assert_equal(got.astype(np.float64), np.asarray(want, dtype=np.float64), what="bias vs oracle")


@prop("relative_position_bias", "depends_on_key_minus_query",
      inputs=lambda d: bias_inputs(d, geometries=SHIFT_GEOMETRIES),
      dtypes=("float32",),
      statement="bias[h, i, j] depends only on key - query position: the table is Toeplitz, and with q_len < k_len "
                "(queries are the last q_len positions) row i equals row i + k_len - q_len of the full "
                "(k_len, k_len) table.")
def bias_relative(subject, case):
    bias = _bias(subject, case)
    _assert_toeplitz(bias, "bias")
    full = _bias(subject, case, q_len=case["k_len"])
    shift = case["k_len"] - case["q_len"]
    assert_equal(bias, full[:, shift:, :], what=f"bias row i vs full-length row i + {shift}")


@prop("relative_position_bias", "rejects_bad_input", inputs=bias_inputs, dtypes=("float32",), max_examples=5,
      statement="relative_position_bias raises ValueError/TypeError for q_len > k_len, a table that is not "
                "(num_buckets, H), and max_distance not above the exact range.")
def bias_rejects(subject, case):
    q, k, table, kw = case["q_len"], case["k_len"], case["table"], _bias_kwargs(case)
    me = _max_exact(table.shape[0], case["bidirectional"])
    assert_rejects(subject, "relative_position_bias", k + 1, k, table, why=f"q_len={k + 1} > k_len={k}", **kw)
    assert_rejects(subject, "relative_position_bias", q, k, np.ascontiguousarray(table[:, 0]),
                   why="a table of shape (num_buckets,)", **kw)
    assert_rejects(subject, "relative_position_bias", q, k, table, why=f"max_distance={me} <= max_exact={me}",
                   **{**kw, "max_distance": me})
