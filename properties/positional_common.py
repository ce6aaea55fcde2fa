"""Shared sizes, strategies and helpers of the positional encodings' property modules
(``properties/test_sinusoidal_positions.py``, ``test_rope.py``, ``test_t5_relative_position_bucket.py``,
``test_relative_position_bias.py``, ``test_alibi_bias.py``; docs/contract.md 3.7 and section 4, "Positions").
Not a ``test_`` module: it registers no property.

Where the bugs of this family hide, and so what the strategies draw:
- angles at long positions: positions start anywhere from 0 to 12345 (hundreds and thousands), where an angle
  rounded to float16 is off by a tenth of a radian while float32 angles (the contract's minimum, see
  :data:`properties.tolerances.ANGLE_DTYPE`) are off by ~1e-3 at most;
- both RoPE layouts (``interleaved`` True and False), head dims ``D >= 4`` (with ``D = 2`` a layout bug is
  invisible), bases other than 10000;
- T5 buckets with ``max_distance != 128``, bucket counts that are not 32, distances beyond ``max_distance``;
- ``q_len < k_len`` (queries are the last ``q_len`` positions, as with a KV cache), ALiBi head counts that are not
  powers of two (the paper's interleaving rule).

The sinusoidal and ALiBi tables have no float input: they may come back as float32 (torch, JAX) or float64
(NumPy) and are judged at float32's tolerance (:func:`_table`). The family has no tolerance budget of its own:
the checks use :mod:`properties.tolerances` (``angle_cond``, ``flush_floor``).
"""
from __future__ import annotations

import numpy as np

from properties import strategies
from properties.assertions import assert_equal, require


# --- shared sizes ----------------------------------------------------------------------------------------------
#: RoPE / sinusoidal bases: the usual one, long-context ones (LLaMA 3: 500000), and small ones
BASES = (10000.0, 500000.0, 100.0, 10.0)
#: T5 bucket counts and maximal distances (T5's defaults first); a max_distance is drawn only above max_exact
T5_BUCKETS = (32, 8, 64, 10, 6, 4)
T5_MAX_DISTANCES = (128, 20, 50, 1000, 300, 7)
#: (q_len, k_len) of the bias tables: q_len < k_len (a KV cache) and distances in the hundreds and thousands
BIAS_LENGTHS = ((1, 1), (3, 3), (5, 16), (16, 16), (20, 300), (2, 1100))
#: the pairs whose full-length (k_len, k_len) table is cheap enough to build too
SHIFT_LENGTHS = tuple((q, k) for q, k in BIAS_LENGTHS if k <= 300)


# --- shared strategies and helpers -----------------------------------------------------------------------------
def _max_exact(num_buckets, bidirectional):
    """T5's exact range: each distance below it has a bucket of its own (num_buckets / 4 bidirectional, / 2
    unidirectional)."""
    return (num_buckets // 2 if bidirectional else num_buckets) // 2


@strategies.composite
def t5_options(draw, *, bidirectional=None, buckets=T5_BUCKETS):
    if bidirectional is None:
        bidirectional = draw(strategies.booleans(), label="bidirectional")
    num_buckets = draw(strategies.sampled_from(buckets), label="num_buckets")
    me = _max_exact(num_buckets, bidirectional)
    max_distance = draw(strategies.sampled_from([m for m in T5_MAX_DISTANCES if m > me]), label="max_distance")
    return {"bidirectional": bidirectional, "num_buckets": num_buckets, "max_distance": max_distance}


def _table(subject, component, *args, shape, what, **kwargs):
    """A position table with no float input: float32 (torch, JAX) or float64 (NumPy) are both the contract's."""
    out = subject.call(component, *args, **kwargs)
    out = subject.expect(out, shape=shape, dtype="", what=what)
    require(out.dtype.name in ("float32", "float64"),
            f"{what} has dtype {out.dtype.name}, expected float32 (the framework default) or float64")
    return out.astype(np.float64)


def _assert_toeplitz(bias, what):
    """``bias[h, i + 1, j + 1] == bias[h, i, j]`` exactly: an ``(H, q_len, k_len)`` table that depends on j - i only."""
    assert_equal(bias[:, 1:, 1:], bias[:, :-1, :-1], what=f"{what}[h, i + 1, j + 1] vs [h, i, j]")
