"""Properties of sinusoidal_positions (docs/contract.md 3.7 and section 4, "Positions").

The family's shared sizes, strategies and helpers: :mod:`properties.positional_common`.
"""
from __future__ import annotations

import numpy as np

from properties import strategies
from properties.assertions import assert_close, assert_rejects, require
from properties.oracle import expected
from properties.plugin import test_property  # noqa: F401  (the one test, parametrised per check)
from properties.positional_common import BASES, _table
from properties.registry import prop
from properties.tolerances import angle_cond


#: (num_positions, dim) of sinusoidal tables: up to thousands of positions
SINUSOIDAL_SIZES = ((1, 2), (16, 4), (3, 8), (128, 16), (1024, 6), (4096, 64), (300, 2))


@strategies.composite
def sinusoidal_inputs(draw, dtype):
    num_positions, dim = draw(strategies.sampled_from(SINUSOIDAL_SIZES), label="size")
    return {"num_positions": num_positions, "dim": dim, "base": draw(strategies.sampled_from(BASES), label="base"),
            "delta": draw(strategies.integers(1, max(num_positions - 1, 1)), label="delta")}


def _sinusoidal(subject, case):
    return _table(subject, "sinusoidal_positions", case["num_positions"], case["dim"], base=case["base"],
                  shape=(case["num_positions"], case["dim"]), what="sinusoidal table")


def _sin_cond(case):
    """The largest position's allowed float32 angle error, in float32 ulps."""
    return angle_cond("float32", case["num_positions"] - 1)


@prop("sinusoidal_positions", "matches_oracle", inputs=sinusoidal_inputs, dtypes=("float32",),
      statement="The sinusoidal table (float32 or float64) equals the float64 oracle within float32's tolerance "
                "plus the float32 angle error at its largest position (up to 4095), for bases other than 10000.")
def sinusoidal_oracle(subject, case):
    got = _sinusoidal(subject, case)
    want = expected("sinusoidal_positions", case["num_positions"], case["dim"], base=case["base"])
    assert_close(got, want, dtype="float32", what="sinusoidal table vs float64 oracle", cond=_sin_cond(case))


def _complex_pairs(pe):
    """Each (sin, cos) pair as the unit complex number cos + i sin, ``(P, dim/2)``."""
    return pe[:, 1::2] + 1j * pe[:, 0::2]


@prop("sinusoidal_positions", "bounded_on_unit_circle", inputs=sinusoidal_inputs, dtypes=("float32",),
      statement="Every value lies in [-1, 1] and every (pe[k, 2i], pe[k, 2i+1]) pair lies on the unit circle "
                "(sin^2 + cos^2 == 1 within float32's rounding of the two values).")
def sinusoidal_bounded(subject, case):
    pe = _sinusoidal(subject, case)
    require(bool(np.all(np.abs(pe) <= 1.0)), f"sinusoidal value outside [-1, 1]: {pe[np.abs(pe) > 1][:4]}")
    assert_close(np.abs(_complex_pairs(pe)) ** 2, np.ones((pe.shape[0], pe.shape[1] // 2)), dtype="float32",
                 what="sin^2 + cos^2 of each pair", n=2)


@prop("sinusoidal_positions", "dot_depends_only_on_offset", inputs=sinusoidal_inputs, dtypes=("float32",),
      statement="pe[k] . pe[k + delta] is the same for every k (it is sum_i cos(delta w_i)), within float32's "
                "rounding of dim products plus the float32 angle error at the largest position.")
def sinusoidal_dot(subject, case):
    pe, delta = _sinusoidal(subject, case), case["delta"]
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
def sinusoidal_rotation(subject, case):
    pe, delta = _sinusoidal(subject, case), case["delta"]
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
def sinusoidal_rejects(subject, case):
    n, dim = case["num_positions"], case["dim"]
    assert_rejects(subject, "sinusoidal_positions", n, dim + 1, why=f"odd dim={dim + 1}")
    assert_rejects(subject, "sinusoidal_positions", -n, dim, why=f"num_positions={-n}")
