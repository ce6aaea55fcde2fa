"""The benchmark's arithmetic (``benchmarks/bench.py``): the figures the README quotes come from these."""
import importlib.util
import pathlib

import pytest

_PATH = pathlib.Path(__file__).resolve().parent.parent / "benchmarks" / "bench.py"
_spec = importlib.util.spec_from_file_location("bench", _PATH)
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def _r(impl, prop, seconds, status="passed", family="norms", dtype="float32", examples=10):
    return {"impl": impl, "component": "layer_norm", "property": prop, "dtype": dtype, "status": status,
            "duration_s": seconds, "family": family, "examples": examples}


RESULTS = [
    _r("numpy", "a", 1.0), _r("jax", "a", 3.0),
    _r("numpy", "b", 1.0, family="losses"), _r("jax", "b", 2.0, family="losses"),
    _r("jax", "vjp", 50.0),                            # NumPy has no such check: left out
    _r("numpy", "c", 1.0), _r("jax", "c", 90.0, status="xfailed"),  # a failure's cost is its shrinking
    _r("numpy", "d", 0.0, status="skipped"), _r("jax", "d", 7.0),
]


def test_matched_ratio_uses_only_checks_both_ran_and_passed():
    rows = bench.matched_cost_ratio(RESULTS, "jax")
    assert rows["all"] == {"checks": 2, "seconds": 5.0, "baseline_seconds": 2.0, "ratio": 2.5}
    assert rows["norms"]["ratio"] == 3.0 and rows["losses"]["ratio"] == 2.0


def test_mean_cost_and_per_family_rows_skip_skipped_checks():
    mean = bench.mean_cost_per_check(RESULTS)
    assert mean["numpy"] == pytest.approx(1.0) and mean["jax"] == pytest.approx((3 + 2 + 50 + 90 + 7) / 5)
    rows = {(r["impl"], r["family"]): r for r in bench.per_impl_family(RESULTS)}
    assert rows[("numpy", "norms")]["checks"] == 2 and rows[("jax", "norms")]["checks"] == 4
