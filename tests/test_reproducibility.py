"""Runs are reproducible (docs/contract.md section 5): under ``CI=true`` (the derandomized ``ci`` profile) two runs give the same
outcomes, examples and counterexamples; every failure's ``reproduce`` command, run as it stands (and without
``CI=true``), fails again on the same counterexample.
"""
from __future__ import annotations

import json
import shlex
import subprocess
import sys

import pytest

from tests.plugins import ROOT, buggy, buggy_ci_run, plugin, run_suite, suite_env

COMPARED = ("status", "examples", "counterexample", "message", "max_abs_err", "max_rel_err")


def by_check(results):
    return {(r["impl"], r["component"], r["property"], r["dtype"]): r for r in results}


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    run = buggy_ci_run(tmp_path_factory)
    assert run.returncode == 1, run.describe()
    return run


def test_two_ci_runs_agree(first, tmp_path):
    second = run_suite(tmp_path, "--impl", plugin("buggy"), html=False, ci=True)
    assert second.returncode == 1, second.describe()
    a, b = by_check(first.results), by_check(second.results)
    assert a.keys() == b.keys()
    for key in a:
        for field in COMPARED:
            assert a[key][field] == b[key][field], (key, field, a[key][field], b[key][field])
        assert a[key]["seed"] == b[key]["seed"]
    assert first.doc["meta"]["seed"] == second.doc["meta"]["seed"] == 0


def test_every_failure_carries_a_reproduce_command(first):
    problems = [r for r in first.results if r["status"] in ("failed", "error", "xfailed")]
    assert buggy.FAILS <= {(r["component"], r["property"]) for r in problems}
    for r in problems:
        cmd = shlex.split(r["reproduce"])
        assert cmd[:2] == ["pytest", r["nodeid"]], r["reproduce"]
        assert cmd[1].endswith(f"[buggy:{r['component']}:{r['property']}:{r['dtype']}]")
        assert "--impl" in cmd and cmd[cmd.index("--impl") + 1] == plugin("buggy")
        assert "--hypothesis-profile=ci" in cmd  # CI=true's profile, so it reproduces on a laptop too
    for r in first.results:
        if r["status"] in ("passed", "skipped"):
            assert not r.get("reproduce"), r


def test_reproduce_command_reproduces_the_failure(first, tmp_path):
    problems = [r for r in first.results if r["status"] in ("failed", "error")]
    started = []
    for i, r in enumerate(problems):
        out = tmp_path / f"repro-{i}.json"
        cmd = shlex.split(r["reproduce"])
        argv = [sys.executable, "-m", "pytest", *cmd[1:], "--report-json", str(out), "--report-html", ""]
        started.append((r, out, argv, subprocess.Popen(argv, cwd=ROOT, env=suite_env(ci=False), text=True,
                                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)))
    for r, out, argv, proc in started:
        stdout, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 1, f"{r['reproduce']}\n{stdout[-3000:]}\n{stderr[-3000:]}"
        assert "1 failed" in stdout, stdout[-3000:]
        doc = json.loads(out.read_text())
        assert len(doc["results"]) == 1, doc["results"]
        again = doc["results"][0]
        for field in ("impl", "component", "property", "dtype", "status", "counterexample", "message"):
            assert again[field] == r[field], (field, again[field], r[field])
