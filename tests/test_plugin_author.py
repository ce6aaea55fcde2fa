"""What a plug-in author sees at the end of a run: the terminal summary (a component x implementation table, one
line per failure, "not provided" folded per implementation, the reports written), also from the controller of a
``-n 2`` run; a run with ``-p no:xdist``; and a component whose signature is not the catalogue's (its checks are
errors, named at load and in the summary, and the run goes on).

The nested runs check ``tests/plugins/rms_only.py`` (one component, a planted bug) on the five norm modules
(``properties/test_batch_norm.py`` ... ``test_rms_norm.py``) only: a few seconds each, started together.
"""
from __future__ import annotations

import pathlib
import re
import subprocess

import pytest

from reports.summary import not_provided_lines, problem_line, summary_lines, table_lines
from tests.plugins import NO_SHRINK, ROOT, finish, plugin, suite_args, suite_env

#: the norms' property modules: rms_norm's first, then the four whose components rms_only does not provide
NORMS = tuple(f"properties/test_{c}.py" for c in ("rms_norm", "batch_norm", "layer_norm", "group_norm",
                                                  "instance_norm"))


def start(out: pathlib.Path, *args: str):
    out.mkdir(parents=True, exist_ok=True)
    cmd = suite_args(out, *NORMS[1:], *args, NO_SHRINK, select=NORMS[0])
    return cmd, subprocess.Popen(cmd, cwd=ROOT, env=suite_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    outs = {name: tmp_path_factory.mktemp(name) for name in ("serial", "xdist", "no_xdist", "misfit")}
    started = {
        "serial": start(outs["serial"], "--impl", plugin("rms_only")),
        "xdist": start(outs["xdist"], "--impl", plugin("rms_only"), "-n", "2"),
        "no_xdist": start(outs["no_xdist"], "--impl", plugin("rms_only"), "-p", "no:xdist"),
        "misfit": start(outs["misfit"], "--impl", plugin("misfit")),
    }
    return {name: finish(outs[name], s) for name, s in started.items()}


def summary_of(run) -> str:
    out = run.stdout
    assert "= dlprops summary =" in out, run.describe()
    return out[out.index("= dlprops summary ="):]


@pytest.mark.parametrize("which", ["serial", "xdist", "no_xdist"])
def test_terminal_summary(runs, which):
    run = runs[which]
    assert run.returncode == 1, run.describe()  # rms_norm fails; the run itself completed
    assert "INTERNALERROR" not in run.stdout + run.stderr, run.describe()
    summary = summary_of(run)
    # the table: one row, rms_norm x rms-only, with its counts
    assert re.search(r"component\s+implementation\s+passed\s+failed\s+error\s+known dev\.\s+skipped", summary)
    row = re.search(r"^rms_norm\s+rms-only\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$", summary, re.M)
    assert row, run.describe()
    failed = [r for r in run.results if r["status"] == "failed"]
    assert failed and int(row.group(2)) == len(failed)
    assert int(row.group(1)) == sum(r["status"] == "passed" for r in run.results)
    # one line per failure, with its error against the allowance
    line = re.search(r"^  rms-only rms_norm:matches_oracle float32  error/allowance (\S+)$", summary, re.M)
    assert line, run.describe()
    assert float(line.group(1)) > 1
    # "not provided" folded into one line for the implementation, never one per check
    assert "rms-only: 4 components not provided" in summary, run.describe()
    assert "has no batch_norm" not in run.stdout, run.describe()
    assert "not provided:" not in run.stdout, run.describe()
    # the reports it wrote
    assert f"reports written: {run.json_path}, {run.html_path}" in summary, run.describe()
    assert run.json_path.exists() and run.html_path.exists()


def test_no_xdist_runs_cleanly(runs):
    """``-p no:xdist``: xdist's hooks are optional in the plug-in, so the run neither errors nor changes."""
    serial, plain = runs["serial"], runs["no_xdist"]
    assert plain.returncode == serial.returncode == 1, plain.describe()
    outcome = {(r["component"], r["property"], r["dtype"], r["status"]) for r in plain.results}
    assert outcome == {(r["component"], r["property"], r["dtype"], r["status"]) for r in serial.results}


def test_summary_lines_unit():
    results = [
        {"impl": "a", "component": "relu", "property": "p1", "dtype": "float32", "status": "passed", "message": ""},
        {"impl": "a", "component": "relu", "property": "p2", "dtype": "float32", "status": "failed",
         "message": "x", "error_ratio": 12.5},
        {"impl": "a", "component": "relu", "property": "p3", "dtype": "float32", "status": "error",
         "message": "ImplError: " + "boom " * 40, "error_ratio": None},
        {"impl": "a", "component": "relu", "property": "p4", "dtype": "float16", "status": "xfailed", "message": ""},
        {"impl": "a", "component": "tanh", "property": "p1", "dtype": "float32", "status": "skipped",
         "message": "not provided: a has no tanh"},
        {"impl": "a", "component": "silu", "property": "p1", "dtype": "float32", "status": "skipped",
         "message": "not provided: a has no silu"},
        {"impl": "b", "component": "tanh", "property": "p1", "dtype": "float32", "status": "skipped",
         "message": "not provided: b has no tanh"},
    ]
    assert problem_line(results[1]) == "a relu:p2 float32  error/allowance 12.5"
    line = problem_line(results[2])
    assert line.startswith("a relu:p3 float32  error: ImplError: boom") and line.endswith("...")
    assert len(line.split("  error: ", 1)[1]) == 80
    table = table_lines(results)
    assert len(table) == 2 and table[1].split() == ["relu", "a", "1", "1", "1", "1", "0"]
    assert not_provided_lines(results, ["b", "a"]) == ["b: 1 component not provided", "a: 2 components not provided"]
    lines = summary_lines(results, written=["r.json"], load_problems=["a: signature: relu(x) expected; got relu(y)"])
    assert "failures and errors (2):" in lines and "reports written: r.json" in lines
    assert "  a: signature: relu(x) expected; got relu(y)" in lines
    assert summary_lines([]) == []


def test_signature_mismatch_is_an_error_of_its_checks_only(runs):
    run = runs["misfit"]
    assert run.returncode == 1, run.describe()
    expected = ("signature: rms_norm(x, normalized_ndim, weight=None, *, eps=1e-06) expected; got rms_norm(x, dims, "
                "eps=1e-06) (missing normalized_ndim, weight; not in the catalogue: dims; eps is positional, "
                "expected keyword-only)")
    rms = [r for r in run.results if r["component"] == "rms_norm" and r["status"] != "skipped"]
    assert rms and all(r["status"] == "error" and r["message"] == expected for r in rms), rms
    assert all(r["reproduce"] and r["examples"] == 0 for r in rms)
    # skipped checks (dtype, vjp) stay skipped: the mismatch does not turn a check that would not run into an error
    assert any(r["status"] == "skipped" for r in run.results if r["component"] == "rms_norm")
    # layer_norm matches the catalogue (annotations do not count) and is checked as usual
    layer = [r for r in run.results if r["component"] == "layer_norm" and r["status"] != "skipped"]
    assert layer and all(r["status"] == "passed" for r in layer), layer
    # one line at load, before the checks run, and once in the summary
    assert run.stdout.count(f"dlprops: misfit: {expected}") == 1, run.describe()
    summary = summary_of(run)
    assert f"  misfit: {expected}" in summary
    assert f"  misfit rms_norm:* ({len(rms)} checks)  error: signature is not the catalogue's" in summary
    assert run.stdout.index(f"dlprops: misfit: {expected}") < run.stdout.index("= dlprops summary =")


def test_signature_error_record_has_the_runners_fields():
    """The record ``test_property`` makes for a mismatched signature has exactly a runner record's fields."""
    from properties import registry, runner
    from properties.loader import make_impl
    from properties.plugin import signature_problem
    from properties.result import Result
    from tests.conftest import import_property_modules
    from tests.plugins import misfit, relu_only
    import_property_modules()

    prop = next(p for p in registry.properties() if (p.component, p.name) == ("rms_norm", "matches_oracle"))
    impl = make_impl(misfit, "misfit.py")
    check = registry.Check(impl, prop, "float32")
    problem = signature_problem(check)
    assert problem and problem.startswith("signature: rms_norm(")
    record = Result.for_signature_error(check, problem, seed=0, nodeid="x").to_json()
    skipped = runner.run_check(registry.Check(make_impl(relu_only, "relu_only.py"), prop, "float32"))
    assert skipped["status"] == "skipped"
    assert set(record) >= set(skipped) and record["status"] == "error"
    assert signature_problem(registry.Check(impl, prop, "float16")) is None  # skipped: dtype not declared
