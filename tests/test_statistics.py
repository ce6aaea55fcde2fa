"""No statistical property ever cries wolf: run each on the correct built-ins under many fresh random seeds.

Each statistical property bounds its false-alarm probability at 1e-6 per check (``properties/stats.py``); over
the runs here the chance of even one false alarm is below ``runs * 1e-6``. A failure here means a bound is wrong,
not bad luck.
"""
import os
import random

from hypothesis import settings

from properties.loader import load_impls
from properties.registry import NO_DTYPE, Check
from properties.runner import run_check

#: fresh seeds per (property, implementation) in every `make test`; DLPROPS_STAT_SEEDS=N runs a longer soak
SEEDS = int(os.environ.get("DLPROPS_STAT_SEEDS", "12"))


def statistical_checks(all_properties):
    impls = [i for i in load_impls([], only=["numpy", "torch", "jax"])]
    return [(p, i, d) for p in all_properties if p.statistical for i in impls if i.provides(p.component)
            for d in p.dtypes if d in i.dtypes or d == NO_DTYPE]  # every dtype the implementation declares


def test_every_family_states_its_statistics(all_properties):
    stat = {p.component for p in all_properties if p.statistical}
    assert {"dropout", "mlm_mask"} <= stat, stat


def test_statistical_properties_never_fail_on_correct_code(all_properties):
    rng = random.Random()  # deliberately not derandomized
    failures, runs = [], 0
    for prop, impl, dtype in statistical_checks(all_properties):
        for _ in range(SEEDS):
            result = run_check(Check(impl, prop, dtype), run_seed=rng.getrandbits(32),
                               base_settings=settings(settings.get_profile("dev"), database=None))
            runs += 1
            if result["status"] not in ("passed", "skipped"):
                failures.append(f"{impl.name}:{prop.key}: {result['message']}")
    assert runs, "no statistical property found"
    assert not failures, failures
