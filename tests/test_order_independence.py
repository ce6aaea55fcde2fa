"""A check's draws and verdict do not depend on what ran before it (docs/contract.md section 5: under ``CI=true``
the same check with the same seed gives the same record).

Hypothesis answers some integer and float draws with literals from the source of the modules the process has
loaded. A module first imported partway through a run (the suite's replay writer after a first failure, a
plug-in's table loaded on first use) used to change every later check's draws:
:func:`properties.compat.no_source_constants` keeps that pool out of the checks. The plug-in below loads a table of
literals the first time its ``relu`` is called; ``sigmoid`` and ``tanh`` must give the same records whether relu's
checks ran before them in the same process or not.
"""
from __future__ import annotations

import importlib
import json
import random
import textwrap

from hypothesis import settings

from properties import compat, loader, registry, runner
from tests.plugins import finish, start_suite

#: checks of the plug-in that never call relu
LATER = "sigmoid or tanh"
#: the field that describes the run, not the check's draws or verdict
TIMING = ("duration_s",)

PLUGIN = '''
"""relu, sigmoid and tanh in float64 rounded to float32; relu loads a table module on first use."""
import numpy as np

NAME = "lazy"
DTYPES = ("float32",)


def asarray(a):
    return np.array(a, copy=True)


def to_numpy(x):
    return np.asarray(x)


def relu(x):
    from . import table  # noqa: F401  (first use: a new module in sys.modules, full of literals)
    return np.maximum(x, np.zeros((), x.dtype))


def sigmoid(x):
    return np.exp(-np.logaddexp(0.0, -x.astype(np.float64))).astype(x.dtype)


def tanh(x):
    return np.tanh(x.astype(np.float64)).astype(x.dtype)
'''


def _table() -> str:
    """A module of literals in the ranges the strategies draw (seeds up to 2**32, scales, offsets)."""
    rng = random.Random(0)
    ints = sorted({rng.randrange(100, 2 ** 32) for _ in range(300)})
    floats = sorted({round(rng.uniform(-1e4, 1e4), 3) for _ in range(200)})
    return f"INTS = {ints!r}\nFLOATS = {floats!r}\n"


def _plugin(root):
    """The plug-in package, written under ``root``: its path is one Hypothesis counts as the user's own code."""
    package = root / "lazy_kernels"
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent(PLUGIN))
    (package / "table.py").write_text(_table())
    return package


def _records(run) -> dict:
    assert run.returncode == 0, run.describe()
    return {r["nodeid"]: {k: v for k, v in r.items() if k not in TIMING} for r in run.results}


def test_a_check_draws_the_same_after_a_module_loaded_partway(tmp_path):
    package = _plugin(tmp_path)
    args = ("--impl", str(package), "--hypothesis-profile=ci")
    alone = start_suite(tmp_path / "alone", *args, "-k", LATER, html=False, ci=True)
    after = start_suite(tmp_path / "after", *args, "-k", f"relu or {LATER}", html=False, ci=True)
    alone, after = finish(tmp_path / "alone", alone, html=False), finish(tmp_path / "after", after, html=False)
    first, later = _records(alone), _records(after)
    order = [json.loads(line)["result"]["component"] for line in after.jsonl_path.read_text().splitlines()
             if '"result"' in line]
    assert order.index("relu") < order.index("sigmoid"), order  # relu (and its table) came first
    assert first and set(first) <= set(later)
    assert {r["status"] for r in first.values()} == {"passed", "skipped"}  # skipped: dtypes it does not declare
    for nodeid, record in first.items():
        assert later[nodeid] == record, nodeid


def test_a_check_draws_the_same_after_a_module_is_imported(tmp_path):
    # the same in one process, without pytest around the checks: run, import the table, run again
    package = _plugin(tmp_path)
    impl = loader.make_impl(loader.import_target(str(package)), str(package))
    importlib.import_module("properties.test_activations")  # registers its properties
    props = registry.properties("properties.test_activations")
    check = next(c for c in registry.checks(props, [impl]) if c.id == "lazy:sigmoid:matches_oracle:float32")
    assert compat.SOURCE_CONSTANTS, compat.PROBLEMS.get("SOURCE_CONSTANTS")
    ci = settings(settings.get_profile("ci"))
    before = runner.run_check(check, base_settings=ci)
    importlib.import_module(f"{impl.module.__name__}.table")
    again = runner.run_check(check, base_settings=ci)
    assert {**before, "duration_s": 0} == {**again, "duration_s": 0}
