"""The state a run owns (``properties/draw_state.py``): the replica scope, the array generator, the batches of
replica arrays, the strategy table, the loaded implementations and the pytest config are a run's, never seen by
another run in the same process; a replica scope is given back however its block ends; and none of it changes
what a seed draws."""
import textwrap
import threading

import numpy as np
import pytest

from properties import draw_state, loader, strategies
from properties.draw_state import current, running
from properties.replicas import Diverged, Recipe


def _array(index=0, count=0, seed=7):
    with strategies.replica(index, count):
        return strategies.generate((2, 3), "float32", "normal", seed)


def test_a_run_inside_another_has_its_own_scope_and_batches_and_hands_the_outer_one_back():
    with running() as outer:
        with strategies.replica(3, 8):
            batched = strategies.generate((2, 3), "float32", "normal", 7)
            assert len(outer.draw.batches) == 1
            with running() as inner:
                assert current() is inner and (inner.draw.index, inner.draw.count) == (0, 0)
                assert not inner.draw.batches and inner.draw.gen is not outer.draw.gen
                first = strategies.generate((2, 3), "float32", "normal", 7)  # replica 0: the outer scope is not here
                assert not inner.draw.batches
            assert current() is outer and (outer.draw.index, outer.draw.count) == (3, 8)
            np.testing.assert_array_equal(strategies.generate((2, 3), "float32", "normal", 7), batched)
    np.testing.assert_array_equal(first, _array())
    assert not np.array_equal(first, batched)


def test_the_same_seed_draws_the_same_arrays_in_every_run():
    def others():
        return [strategies.rng(5).standard_normal(3), strategies.normal((4,), "float64", 9)]

    with running():
        one = [_array(i, 8) for i in range(8)] + others()
    with running():
        other = [_array(i, 8) for i in reversed(range(8))][::-1] + others()  # the batch made by another replica
    for a, b in zip(one, other):
        np.testing.assert_array_equal(a, b)


def test_a_replica_scope_is_given_back_after_an_exception():
    with running() as run:
        with pytest.raises(RuntimeError):
            with strategies.replica(2, 4):
                with strategies.replica(5, 8):
                    raise RuntimeError("planted")
        assert (run.draw.index, run.draw.count) == (0, 0)
        # a re-made replica whose draws leave the recorded path (Diverged) leaves the scope as it was, too
        recipe = Recipe(strategies.arrays((2,), "float32"), None, choices=[])
        with strategies.replica(1, 3):
            with pytest.raises(Diverged):
                recipe.replica(4, 8)
            assert (run.draw.index, run.draw.count) == (1, 3)


def test_the_strategy_table_is_the_runs():
    with running() as one:
        Recipe(strategies.arrays((2,), "float32"), None, choices=["normal", 1]).replica(1)
    with running() as two:
        assert not two.draw.known
    assert id(strategies.seeds) in one.draw.known  # the seed was met as a primitive and remembered


def test_the_oracle_and_the_builtins_are_loaded_once_per_run():
    with running() as one:
        numpy_impl = loader.builtin("impls.numpy")
        assert loader.builtin("impls.numpy") is numpy_impl and loader.oracle() is numpy_impl
        planted = loader.make_impl(numpy_impl.module, "planted")
        one.oracle = planted
        assert loader.oracle() is planted
    with running():
        assert loader.builtin("impls.numpy") is not numpy_impl and loader.oracle() is not planted


def test_a_thread_has_a_state_of_its_own():
    seen = {}

    def body():
        seen["run"] = current()
        seen["array"] = _array(2, 0)

    with running() as run, strategies.replica(5, 8):
        worker = threading.Thread(target=body)
        worker.start()
        worker.join()
        assert seen["run"] is not run and (run.draw.index, run.draw.count) == (5, 8)
    np.testing.assert_array_equal(seen["array"], _array(2, 0))


def test_a_pytest_session_in_process_is_a_run_of_its_own(tmp_path):
    outer = current()
    probe = tmp_path / "test_probe.py"
    probe.write_text(textwrap.dedent(f"""\
        from properties import draw_state

        def test_the_session_owns_the_state():
            run = draw_state.current()
            assert id(run) != {id(outer)} and run.config is not None
            assert str(run.config.rootpath) == {str(tmp_path)!r}
        """))
    code = pytest.main([str(probe), "--rootdir", str(tmp_path), "-p", "properties.plugin", "-p", "no:cacheprovider",
                        "-q", "--no-builtins", "--no-entry-points", "--report-json", str(tmp_path / "r.json"),
                        "--report-html", ""])
    assert code == pytest.ExitCode.OK
    assert current() is outer and draw_state.current() is outer
