"""A user runs the suite from their own project directory, on their own module: ``pytest /path/to/dlprops/properties
--impl my_kernels.py``. Everything the run prints or writes works from that directory: the reports land under its
``reports/``, each reproduce command runs from there (and leaves the reports alone), and each failure's replay
script (``reports/replays/``, plain Python) makes the failing call again, prints got and expected, and exits 1
while the failure holds, 0 once it is fixed."""
from __future__ import annotations

import json
import pathlib
import shlex
import subprocess
import sys

import pytest

from tests.plugins import ROOT, suite_env

PLUGIN = '''
import numpy as np

NAME = "my-kernels"
DTYPES = ("float32",)


def asarray(a):
    return np.array(a, copy=True)


def to_numpy(x):
    return np.asarray(x)


def rms_norm(x, normalized_ndim, weight=None, *, eps=1e-6):
    dims = tuple(range(-normalized_ndim, 0))  # no check of normalized_ndim: 0 is accepted
    x64 = x.astype(np.float64)
    y = x64 / np.sqrt(np.mean(x64 * x64, axis=dims, keepdims=True) + eps)
    if weight is not None:
        y = y * WEIGHT(weight)
    return y.astype(x.dtype)
'''
BUGGY = PLUGIN.replace("WEIGHT(weight)", "np.abs(weight)")  # the bug: |weight|
FIXED = PLUGIN.replace("WEIGHT(weight)", "weight")
PYTEST = str(pathlib.Path(sys.executable).parent / "pytest")


def _run(cmd, cwd, timeout=300):
    return subprocess.run(cmd, cwd=cwd, env=suite_env(ci=False), capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def user_run(tmp_path_factory):
    home = tmp_path_factory.mktemp("user-project")
    (home / "my_kernels.py").write_text(BUGGY)
    run = _run([PYTEST, str(ROOT / "properties" / "test_rms_norm.py"), "--impl", "my_kernels.py", "--no-builtins",
                "-p", "no:cacheprovider", "--hypothesis-profile=ci", "-k",
                "rms_norm and (matches_oracle or rejects_bad_input)"], home)
    assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-3000:]
    # the failing run's results, kept before any later test reruns in this directory
    (home / "old.json").write_text((home / "reports" / "results.json").read_text())
    (home / "old.html").write_text((home / "reports" / "report.html").read_text())
    return home, run


def _failed(home, prop):
    doc = json.loads((home / "reports" / "results.json").read_text())
    return next(r for r in doc["results"] if r["property"] == prop and r["status"] == "failed")


def test_reports_land_in_the_users_directory(user_run):
    home, run = user_run
    assert "reports written: reports/results.json, reports/report.html" in run.stdout
    assert (home / "reports" / "report.html").exists() and (home / "reports" / "results.jsonl").exists()
    assert "replay scripts (plain Python, exit 1 while the failure holds): reports/replays/*.py" in run.stdout


def test_counterexample_uses_the_catalogues_argument_names(user_run):
    home, run = user_run
    r = _failed(home, "matches_oracle")
    assert r["counterexample"].startswith("rms_norm(x=array(shape="), r["counterexample"]
    assert "normalized_ndim=" in r["counterexample"] and "weight=array(" in r["counterexample"]
    assert f"counterexample: {r['counterexample'].splitlines()[0]}" in run.stdout


def test_reproduce_command_runs_from_there_and_writes_no_report(user_run):
    home, _ = user_run
    r = _failed(home, "matches_oracle")
    before = (home / "reports" / "results.json").stat().st_mtime_ns
    cmd = shlex.split(r["reproduce"])
    assert cmd[0] == "pytest" and cmd[1].startswith(str(ROOT)) and cmd[-4:] == ["--report-json", "", "--report-html", ""]
    again = _run([PYTEST, *cmd[1:], "-p", "no:cacheprovider"], home)
    assert again.returncode == 1 and "1 failed" in again.stdout, again.stdout[-3000:]
    assert (home / "reports" / "results.json").stat().st_mtime_ns == before


def test_replay_of_an_oracle_failure(user_run):
    home, run = user_run
    r = _failed(home, "matches_oracle")
    script = home / r["replay"]
    assert script.parent == home / "reports" / "replays" and script.with_suffix(".npz").exists()
    text = script.read_text()
    assert "import pytest" not in text and "hypothesis" not in text
    assert f"python {r['replay']}" in run.stdout
    assert f"python {r['replay']}" in (home / "reports" / "report.html").read_text()
    out = _run([sys.executable, str(script.relative_to(home))], home)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "got " in out.stdout and "expected " in out.stdout and "the allowance" in out.stdout
    assert "THE FAILURE HOLDS" in out.stdout


def test_replay_of_accepted_bad_input(user_run):
    home, _ = user_run
    r = _failed(home, "rejects_bad_input")
    assert "rms_norm did not reject" in r["message"] and "accepted [rms_norm(x=float32[" in r["message"]
    out = _run([sys.executable, r["replay"]], home)
    assert out.returncode == 1 and "accepted (expected ValueError/TypeError)" in out.stdout, out.stdout


def test_replay_passes_once_fixed_and_stale_replays_go(user_run, tmp_path):
    home, _ = user_run
    r = _failed(home, "matches_oracle")
    (home / "my_kernels.py").write_text(FIXED)
    try:
        out = _run([sys.executable, r["replay"]], home)
        assert out.returncode == 0 and "no longer shows" in out.stdout, out.stdout + out.stderr
        # a new run in which the check passes removes its replay
        rerun = _run([PYTEST, str(ROOT / "properties" / "test_rms_norm.py"), "--impl", "my_kernels.py",
                      "--no-builtins", "-p", "no:cacheprovider", "--hypothesis-profile=ci", "-k",
                      "rms_norm and matches_oracle"], home)
        assert rerun.returncode == 0, rerun.stdout[-3000:]
        assert not (home / r["replay"]).exists()
    finally:
        (home / "my_kernels.py").write_text(BUGGY)


def test_read_the_failure_at_the_top_and_compare_two_runs(user_run):
    """The rest of the user's path from the same directory: the failure is in the terminal summary and above the
    report's matrix, and ``python -m reports diff`` tells the fixed run from the failing one (exit 1 the other way
    round: a regression)."""
    home, run = user_run
    assert "my-kernels rms_norm:matches_oracle float32" in run.stdout, run.stdout[-3000:]
    html = (home / "old.html").read_text()  # the failing run's page
    assert html.index("Failures and errors") < html.index('<h2 id="matrix">')  # the failure comes first
    (home / "my_kernels.py").write_text(FIXED)
    try:
        rerun = _run([PYTEST, str(ROOT / "properties" / "test_rms_norm.py"), "--impl", "my_kernels.py",
                      "--no-builtins", "-p", "no:cacheprovider", "--hypothesis-profile=ci", "-k",
                      "rms_norm and matches_oracle", "--report-json", "new.json", "--report-html", ""], home)
        assert rerun.returncode == 0, rerun.stdout[-3000:]
        env = suite_env(ci=False, extra={"PYTHONPATH": str(ROOT)})
        diff = subprocess.run([sys.executable, "-m", "reports", "diff", "old.json", "new.json"], cwd=home, env=env,
                              capture_output=True, text=True, timeout=120)
        assert diff.returncode == 0 and "fixed" in diff.stdout.lower(), diff.stdout + diff.stderr
        worse = subprocess.run([sys.executable, "-m", "reports", "diff", "new.json", "old.json"], cwd=home,
                               env=env, capture_output=True, text=True, timeout=120)
        assert worse.returncode == 1 and "rms_norm" in worse.stdout, worse.stdout + worse.stderr
    finally:
        (home / "my_kernels.py").write_text(BUGGY)
