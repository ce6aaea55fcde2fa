"""Several inputs per Hypothesis example (``properties/replicas.py``): a recipe re-made for replica ``r`` keeps
its shapes and options and gets fresh values; a property that fails on any replica fails its check, with that
replica as the counterexample; a replica whose value-dependent assumption no longer holds is skipped."""
import dataclasses

import impls.numpy as np_impl
import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from properties import registry, runner
from properties import strategies
from properties.draw_state import current
from properties.assertions import require
from properties.loader import make_impl
from properties.replicas import Diverged, Replicable

runner.register_profiles()
CI = settings.get_profile("ci")


@st.composite
def recipe(draw):
    shape = draw(strategies.shapes(1, 3))
    return {"x": draw(strategies.arrays(shape, "float32", regimes=("normal",))),
            "axis": draw(strategies.axes(len(shape)))}


@st.composite
def positive_sum(draw):
    case = draw(recipe())
    assume(case["x"].astype(np.float64).sum() > 0)  # depends on the values: fails for some replicas
    return case


def for_each_recipe(strategy, body, n=10):
    """Run ``body(recipe)`` inside a Hypothesis test (where the runner re-makes replicas) for ``n`` examples."""
    @settings(CI, max_examples=n)
    @given(Replicable(strategy))
    def test(r):
        body(r)

    test()


def test_replicas_keep_the_recipe_and_change_the_values():
    def body(r):
        first = r.replica(0)
        for index in (1, 2, 7):
            case = r.replica(index)
            assert case["x"].shape == first["x"].shape and case["axis"] == first["axis"]
            assert case["x"].dtype == first["x"].dtype
            assert not np.array_equal(case["x"], first["x"])
            np.testing.assert_array_equal(r.replica(index)["x"], case["x"])  # deterministic

    for_each_recipe(recipe(), body)


def test_a_diverged_replica_is_skipped_not_an_error():
    outcomes = []

    def body(r):
        for index in range(1, 9):
            try:
                outcomes.append(bool(r.replica(index)["x"].astype(np.float64).sum() > 0))
            except Diverged:
                outcomes.append("diverged")

    for_each_recipe(positive_sum(), body, n=5)
    assert "diverged" in outcomes and True in outcomes
    assert False not in outcomes  # a replica that is made is a valid case: its assumption holds


def _check(fn, inputs=recipe, **fields):
    prop = registry.Property(component="softmax", name="probe", fn=fn, inputs=lambda dtype: inputs(),
                             statement="a probe of the replica mechanism", dtypes=("float32",),
                             family="activations", **fields)
    return registry.Check(make_impl(np_impl, "impls.numpy"), prop, "float32")


def test_a_failure_on_a_later_replica_fails_the_check_with_that_replica_as_counterexample():
    made = {}

    def fails_on_replica_5(subject, case):
        made[current().draw.index] = strategies.describe(case)
        require(current().draw.index != 5, "planted: replica 5")

    record = runner.run_check(_check(fails_on_replica_5), base_settings=CI)
    assert record["status"] == "failed" and "replica 5" in record["message"]
    assert record["counterexample"] == made[5]


def test_every_replica_runs_and_counts_as_an_example():
    seen = []
    record = runner.run_check(_check(lambda subject, case: seen.append(current().draw.index)),
                              base_settings=settings(CI, max_examples=3))
    per_example = registry.replicas_of(_check(None).prop)
    assert per_example == registry.REPLICAS["activations"] > 1
    assert record["status"] == "passed" and record["examples"] == len(seen)
    assert sorted(set(seen)) == list(range(per_example)) and current().draw.index == 0


def test_statistical_gradient_and_capped_properties_run_one_replica():
    prop = _check(None).prop
    assert registry.replicas_of(dataclasses.replace(prop, statistical=True)) == 1
    assert registry.replicas_of(dataclasses.replace(prop, needs=("vjp",))) == 1
    assert registry.replicas_of(dataclasses.replace(prop, max_examples=5)) == 1
    assert registry.replicas_of(dataclasses.replace(prop, replicas=3)) == 3


def _first_values(seeds, index, count=0):
    with strategies.replica(index, count):
        return np.array([strategies.generate((1,), "float64", "tiny", seed)[0] for seed in seeds])


def test_replica_streams_are_independent_of_each_other():
    # PCG64 streams that differ only in their increment start almost equal (their first outputs agree in all
    # but the low bits); the stream of each replica is mixed, so the values are uncorrelated. With the count
    # known, replicas 1.. of a seed share one stream (drawn together): independent of replica 0's and of each other
    seeds = range(400)
    base = _first_values(seeds, 0)
    drawn = {}
    for index, count in ((1, 0), (2, 0), (31, 0), (1, 64), (2, 64), (63, 64), (1, 8)):
        other = drawn[index, count] = _first_values(seeds, index, count)
        assert not np.any(base == other)
        # |r| < 0.3 for 400 independent normal pairs: a false alarm has probability ~1e-9
        assert abs(np.corrcoef(base, other)[0, 1]) < 0.3
    for a, b in (((1, 64), (2, 64)), ((1, 64), (63, 64)), ((1, 64), (1, 8)), ((1, 0), (1, 64))):
        assert not np.any(drawn[a] == drawn[b]) and abs(np.corrcoef(drawn[a], drawn[b])[0, 1]) < 0.3


def test_replicas_of_a_known_count_are_the_same_in_any_order_and_independent_copies():
    def body(r):
        forward = [r.replica(index, 8)["x"] for index in range(8)]
        current().draw.batches.clear()
        backward = [r.replica(index, 8)["x"] for index in reversed(range(8))][::-1]
        for a, b in zip(forward, backward):
            np.testing.assert_array_equal(a, b)
        assert all(not np.array_equal(forward[i], forward[j]) for i in range(8) for j in range(i))
        forward[3][...] = 0  # a property writing into its input changes neither a re-make nor another replica
        np.testing.assert_array_equal(r.replica(3, 8)["x"], backward[3])
        assert not np.array_equal(backward[3], 0 * backward[3])

    for_each_recipe(recipe(), body)


def test_neighbouring_seeds_and_numpys_own_seeding_give_unrelated_data():
    base = _first_values(range(400), 0)
    # each |r| < 0.3 bound below has a false-alarm probability ~1e-9 for independent streams (as above)
    assert abs(np.corrcoef(base[:-1], base[1:])[0, 1]) < 0.3
    # an implementation seeding its own generator with the drawn integer must not replay the input's stream
    own = np.array([1e-3 * np.random.default_rng(seed).standard_normal() for seed in range(400)])
    assert abs(np.corrcoef(base, own)[0, 1]) < 0.3


def test_generation_is_deterministic_per_seed_regime_and_replica():
    for regime in strategies.REGIMES:
        a = strategies.generate((2, 3), "float16", regime, 12345)
        np.testing.assert_array_equal(a, strategies.generate((2, 3), "float16", regime, 12345))
        assert a.dtype == np.float16 and np.isfinite(a).all()


def _failing_check(calls, deviations):
    def fails_on_four_elements_or_more(subject, case):
        calls.append((case["x"].size >= 4, strategies.describe(case)))
        require(case["x"].size < 4, "planted: four elements or more")

    check = _check(fails_on_four_elements_or_more)
    return registry.Check(dataclasses.replace(check.impl, known_deviations=deviations), check.prop, "float32")


def test_a_declared_deviation_is_not_shrunk_and_an_undeclared_failure_is():
    shrinking, known = [], []
    failed = runner.run_check(_failing_check(shrinking, {}), base_settings=CI)
    xfailed = runner.run_check(_failing_check(known, {("softmax", "probe"): "planted"}), base_settings=CI)
    assert failed["status"] == "failed" and xfailed["status"] == "xfailed"
    # the same seed draws the same examples: the declared deviation stops at the first failure, which it reports;
    # the undeclared failure goes on to shrink it
    first = next(i for i, (fails, _) in enumerate(shrinking) if fails)
    assert xfailed["counterexample"] == shrinking[first][1] != failed["counterexample"]
    assert known == shrinking[:len(known)] and len(known) <= first + 1 + 2 * registry.replicas_of(_check(None).prop)
    assert len(shrinking) > len(known) + 50  # shrinking re-ran the property many times


def test_rng_streams_are_apart_from_the_arrays_from_numpys_seeding_and_across_replicas():
    # a seed drawn for an array and for a generator (shrinking makes both 0) must not give the same numbers twice;
    # each |r| < 0.3 bound has a false-alarm probability ~1e-9 for independent streams (as above)
    seeds = range(400)
    ours = np.array([strategies.rng(seed).standard_normal() for seed in seeds])
    with strategies.replica(1):
        other_replica = np.array([strategies.rng(seed).standard_normal() for seed in seeds])
    np.testing.assert_array_equal(ours, [strategies.rng(seed).standard_normal() for seed in seeds])  # deterministic
    for other in (1e3 * _first_values(seeds, 0), other_replica,
                  [np.random.default_rng(seed).standard_normal() for seed in seeds]):
        assert not np.any(ours == other) and abs(np.corrcoef(ours, other)[0, 1]) < 0.3
