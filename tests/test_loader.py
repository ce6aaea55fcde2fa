"""Loading implementation modules (SPEC section 2).

A module that cannot be used at all stops the run at once with one line naming the file and the problem (pytest's
usage-error exit code 4, nothing collected); a usable plug-in is verified with one ``pytest --impl`` and whatever
it lacks is reported skipped, never failed. Plug-ins also arrive through the ``dlprops.impls`` entry-point group,
and declare deviations (``xfailed``/``xpassed``) and unsupported options (``NotImplementedError`` -> skipped).
"""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest

from properties import loader
from tests.plugins import NO_SHRINK, PLUGINS, ROOT, Run, finish, plugin, run_suite, start_suite, suite_args, suite_env

INTERFACE = textwrap.dedent("""\
    import numpy as np

    def asarray(a):
        return np.array(a, copy=True)

    def to_numpy(x):
        return np.asarray(x)

    def relu(x):
        return np.maximum(x, 0).astype(x.dtype)
    """)

#: name -> (files to write {name: source}, arguments (``{tmp}`` = their folder), phrases the one line must hold)
BROKEN = {
    "syntax_error": ({"syntax_error.py": 'NAME = "syn"\ndef relu(x:\n    return x\n'},
                     ["--impl", "{tmp}/syntax_error.py"],
                     ["syntax_error.py", "import failed: SyntaxError", "line 2"]),
    "raises_on_import": ({"raises_on_import.py": 'NAME = "boom"\nraise RuntimeError("database\\nunreachable")\n'},
                         ["--impl", "{tmp}/raises_on_import.py"],
                         ["raises_on_import.py", "import failed: RuntimeError: database unreachable",
                          "raises_on_import.py:2"]),
    "exits_on_import": ({"exits_on_import.py": "import sys\nsys.exit(3)\n"},
                        ["--impl", "{tmp}/exits_on_import.py"],
                        ["exits_on_import.py", "import failed: SystemExit: 3"]),
    "missing_asarray": ({"missing_asarray.py": 'NAME = "noarr"\ndef to_numpy(x):\n    return x\n'},
                        ["--impl", "{tmp}/missing_asarray.py"],
                        ["missing_asarray.py", "missing asarray"]),
    "missing_to_numpy": ({"missing_to_numpy.py": 'NAME = "nonp"\ndef asarray(a):\n    return a\n'},
                         ["--impl", "{tmp}/missing_to_numpy.py"],
                         ["missing_to_numpy.py", "missing to_numpy"]),
    "missing_name": ({"missing_name.py": INTERFACE},
                     ["--impl", "{tmp}/missing_name.py"],
                     ["missing_name.py", "missing NAME"]),
    "bad_name": ({"bad_name.py": INTERFACE + 'NAME = "Bad Name!"\n'},
                 ["--impl", "{tmp}/bad_name.py"],
                 ["bad_name.py", "NAME must be a string matching [a-z0-9_-]+", "'Bad Name!'"]),
    "unknown_dtypes": ({"unknown_dtypes.py": INTERFACE + 'NAME = "dt"\nDTYPES = ("float32", "float8")\n'},
                       ["--impl", "{tmp}/unknown_dtypes.py"],
                       ["unknown_dtypes.py", "DTYPES has unknown dtype(s) ['float8']"]),
    "bad_deviations": ({"bad_deviations.py": INTERFACE + 'NAME = "kd"\nKNOWN_DEVIATIONS = {"relu": "why"}\n'},
                       ["--impl", "{tmp}/bad_deviations.py"],
                       ["bad_deviations.py", "KNOWN_DEVIATIONS must map (component, property) to a reason"]),
    "duplicate_name": ({"first.py": INTERFACE + 'NAME = "twin"\n', "second.py": INTERFACE + 'NAME = "twin"\n'},
                       ["--impl", "{tmp}/first.py", "--impl", "{tmp}/second.py"],
                       ["second.py", "NAME 'twin' is already used by", "first.py"]),
    "nonexistent_path": ({}, ["--impl", "{tmp}/no_such_plugin.py"],
                         ["no_such_plugin.py", "no such file or folder"]),
    "unknown_module": ({}, ["--impl", "no_such_dlprops_module"],
                       ["no_such_dlprops_module", "import failed: ModuleNotFoundError"]),
    "folder_without_init": ({"lonely.txt": ""}, ["--impl", "{tmp}"], ["not a Python module (no __init__.py)"]),
    "only_impls_unknown": ({}, ["--impl", plugin("relu_only"), "--only-impls", "relu-only,ghost"],
                           ["--only-impls", "no implementation named ghost", "loaded: relu-only"]),
}


#: runs ``pytest.main`` once per case in one interpreter (a usage error ends each run during configuration), so
#: the interpreter, pytest, Hypothesis and NumPy start once for all cases instead of once per case
DRIVER = textwrap.dedent("""\
    import contextlib, io, json, sys
    import pytest
    out = {}
    for case, args in json.loads(sys.argv[1]).items():
        err, so = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(so):
            code = pytest.main(args)
        out[case] = {"returncode": int(code), "stderr": err.getvalue(), "stdout": so.getvalue()}
    print("@@" + json.dumps(out))
    """)

#: cases also run as a real command line, one process each
CLI_CASES = ("missing_asarray", "only_impls_unknown")


def _case_args(tmp_path_factory, case) -> tuple[pathlib.Path, list[str]]:
    files, args, _ = BROKEN[case]
    tmp = tmp_path_factory.mktemp(case)
    for name, source in files.items():
        (tmp / name).write_text(source)
    return tmp, [a.format(tmp=tmp) for a in args]


@pytest.fixture(scope="module")
def broken_runs(tmp_path_factory) -> dict:
    """Every broken case: ``case -> Run`` (from the driver), and ``cli:case -> Run`` (its own process)."""
    cases = {case: _case_args(tmp_path_factory, case) for case in BROKEN}
    cli = {case: start_suite(cases[case][0] / "cli", *cases[case][1]) for case in CLI_CASES}
    argv = {case: suite_args(tmp / "reports", *args)[3:] for case, (tmp, args) in cases.items()}
    driver = subprocess.run([sys.executable, "-c", DRIVER, json.dumps(argv)], cwd=ROOT, env=suite_env(),
                            capture_output=True, text=True, timeout=300)
    assert driver.returncode == 0 and "@@" in driver.stdout, driver.stdout[-3000:] + driver.stderr[-3000:]
    found = json.loads(driver.stdout.split("@@", 1)[1])
    runs = {case: Run(["pytest", *argv[case]], found[case]["returncode"], found[case]["stdout"],
                      found[case]["stderr"], tmp / "reports" / "results.json", None)
            for case, (tmp, _) in cases.items()}
    runs.update({f"cli:{case}": finish(cases[case][0] / "cli", cli[case]) for case in CLI_CASES})
    return runs


@pytest.mark.parametrize("case", list(BROKEN) + [f"cli:{c}" for c in CLI_CASES])
def test_broken_plugin_stops_the_run_with_one_line(case, broken_runs):
    run = broken_runs[case]
    assert run.returncode == 4, run.describe()  # pytest.ExitCode.USAGE_ERROR
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, run.describe()
    line = lines[0]
    assert line.startswith("ERROR: "), run.describe()
    for phrase in BROKEN[case.removeprefix("cli:")][2]:
        assert phrase in line, f"{phrase!r} not in {line!r}"
    assert "Traceback" not in run.stdout + run.stderr
    assert not run.json_path.exists(), "a run that stopped before collecting must not write a report"


def test_plugin_with_one_component_is_verified(tmp_path):
    """``pytest --impl relu_only.py``: relu is checked; the rest is skipped as not provided, never failed."""
    run = run_suite(tmp_path, "--impl", plugin("relu_only"), html=False)
    assert run.returncode == 0, run.describe()
    doc = run.doc
    assert [(i["name"], i["module"], i["dtypes"]) for i in doc["impls"]] == \
        [("relu-only", plugin("relu_only"), ["float32", "float64"])]
    assert not [r for r in doc["results"] if r["status"] not in ("passed", "skipped")]
    relu = {(r["property"], r["dtype"]): r for r in doc["results"] if r["component"] == "relu"}
    for dtype in ("float32", "float64"):
        for prop in ("matches_oracle", "odd_part_is_identity", "elementwise"):
            assert relu[(prop, dtype)]["status"] == "passed", relu[(prop, dtype)]
            assert relu[(prop, dtype)]["examples"] > 0
    assert relu[("matches_oracle", "float16")]["status"] == "skipped"
    assert relu[("matches_oracle", "float16")]["message"].startswith("dtype not supported")
    others = [r for r in doc["results"] if r["component"] != "relu"]
    assert {r["component"] for r in others} == {"sigmoid", "tanh", "silu", "gelu", "softmax", "log_softmax"}
    for r in others:
        assert r["status"] == "skipped", r
        assert r["message"] == f"not provided: relu-only has no {r['component']}", r
    assert "not provided: relu-only has no softmax" in run.stdout  # pytest's own summary says so too


def test_entry_point_group_is_honoured_in_process(monkeypatch):
    """``load_impls`` takes the ``dlprops.impls`` entry points between the built-ins and ``--impl`` targets."""
    monkeypatch.setattr(loader, "entry_point_targets",
                        lambda: [("relu-only", str(PLUGINS / "relu_only.py"))])
    impls = loader.load_impls([str(PLUGINS / "buggy.py")], builtins=False)
    assert [i.name for i in impls] == ["relu-only", "buggy"]
    # an entry point named again with --impl is loaded once, not reported as a duplicate NAME
    impls = loader.load_impls([str(PLUGINS / "relu_only.py")], builtins=False)
    assert [i.name for i in impls] == ["relu-only"]
    with pytest.raises(loader.PluginError, match="no implementation named nobody"):
        loader.load_impls([], builtins=False, only=["nobody"])


@pytest.fixture(scope="module")
def entry_point_run(tmp_path_factory):
    """``deviant`` installed the way a package installs it: a ``*.dist-info`` with ``entry_points.txt`` on the
    path, and no ``--impl`` on the command line."""
    site = tmp_path_factory.mktemp("site")
    (site / "dlprops_deviant_demo.py").write_text((PLUGINS / "deviant.py").read_text())
    info = site / "dlprops_deviant_demo-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: dlprops-deviant-demo\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[dlprops.impls]\ndeviant = dlprops_deviant_demo\n")
    (info / "RECORD").write_text("")
    out = tmp_path_factory.mktemp("entry-point-run")
    path = os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))
    return run_suite(out, NO_SHRINK, html=False, env={"PYTHONPATH": path})


def test_entry_point_plugin_is_loaded(entry_point_run):
    run = entry_point_run
    assert run.returncode == 1, run.describe()  # sigmoid:symmetric fails (not a declared deviation)
    assert [(i["name"], i["module"]) for i in run.doc["impls"]] == [("deviant", "dlprops_deviant_demo")]
    assert run.result("deviant", "relu", "matches_oracle")["status"] == "passed"


def test_known_deviations_give_xfailed_and_xpassed(entry_point_run):
    run = entry_point_run
    xfailed = run.result("deviant", "sigmoid", "matches_oracle")
    assert xfailed["status"] == "xfailed", xfailed
    assert xfailed["message"].startswith("known deviation: this sigmoid is shifted by 1e-3 on purpose | observed:")
    assert xfailed["counterexample"] and xfailed["max_abs_err"] is not None
    xpassed = run.result("deviant", "relu", "odd_part_is_identity")
    assert xpassed["status"] == "xpassed", xpassed
    assert "declared deviation no longer observed" in xpassed["message"]
    # an undeclared property of the same component still fails
    assert run.result("deviant", "sigmoid", "symmetric")["status"] == "failed"
    assert run.doc["impls"][0]["known_deviations"] == {
        "relu:odd_part_is_identity": "declared for the test; relu is in fact exact",
        "sigmoid:matches_oracle": "this sigmoid is shifted by 1e-3 on purpose"}
    assert "XFAIL" in run.stdout or "xfailed" in run.stdout, run.describe()


def test_not_implemented_error_skips_with_its_message(entry_point_run):
    run = entry_point_run
    for prop in ("matches_oracle", "elementwise"):
        # every input unsupported: the check is skipped, saying why
        silu = run.result("deviant", "silu", prop)
        assert silu["status"] == "skipped", silu
        assert silu["message"] == "option not supported: silu: silu is not offered by the deviant plug-in"
        # one option unsupported: those inputs are skipped, the rest is checked, and the message says so
        gelu = run.result("deviant", "gelu", prop)
        assert gelu["status"] == "passed", gelu
        assert "input(s) skipped as unsupported: gelu: approximate=True (the tanh form) is not supported" \
            in gelu["message"]
