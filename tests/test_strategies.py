"""The cached strategy constructors of ``properties/strategies.py``: built once per argument set (composites are
re-run for every replica), never confusing arguments that are equal but of another type, and drawing exactly what
Hypothesis's own constructors draw."""
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from properties import strategies


def test_sampled_from_is_built_once_per_typed_sequence():
    assert strategies.sampled_from((1, 2)) is strategies.sampled_from([1, 2])
    # 1 == 1.0 == True, and they hash alike: a plain cache would hand floats to a caller that asked for ints
    assert len({id(strategies.sampled_from(o)) for o in ((1, 0), (1.0, 0.0), (True, False))}) == 3
    unhashable = strategies.sampled_from([np.zeros(2), np.ones(2)])  # built anew, still a strategy
    assert unhashable is not strategies.sampled_from([np.zeros(2), np.ones(2)])
    assert strategies.booleans() is strategies.booleans()


@strategies.composite
def _scaled(draw, scale, *, shift=0):
    return draw(strategies.sampled_from((1, 2, 3))) * scale + shift


def _plain_scaled(draw, scale, *, shift=0):
    return draw(st.sampled_from((1, 2, 3))) * scale + shift


def test_a_composite_is_built_once_per_argument_set_and_tells_types_apart():
    assert _scaled(2, shift=1) is _scaled(2, shift=1)
    assert _scaled(2) is not _scaled(2.0) and _scaled(2, shift=1) is not _scaled(2, shift=True)
    assert _scaled(np.float64(2)) is _scaled(np.float64(2))
    assert _scaled([2]) is not _scaled([2])  # unhashable: built anew


def test_a_cached_composite_draws_what_hypothesis_composite_draws():
    drawn = {}
    for name, strategy in (("cached", _scaled(2.0, shift=1)), ("plain", st.composite(_plain_scaled)(2.0, shift=1))):
        values = drawn[name] = []

        @settings(max_examples=30, derandomize=True, database=None)
        @given(strategy)
        def collect(value):
            values.append(value)

        collect()
    assert drawn["cached"] == drawn["plain"] and all(isinstance(v, float) for v in drawn["cached"])
