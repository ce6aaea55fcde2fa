"""Loading implementation modules (docs/contract.md section 2).

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
    # the terminal summary folds them into one line, not one per check
    assert "relu-only: 6 components not provided" in run.stdout, run.describe()
    assert "has no softmax" not in run.stdout, run.describe()


def test_entry_point_group_is_honoured_in_process(monkeypatch):
    """``load_impls`` takes the ``dlprops.impls`` entry points between the built-ins and ``--impl`` targets."""
    monkeypatch.setattr(loader, "entry_point_targets",
                        lambda: [loader.EntryPoint("relu-only", str(PLUGINS / "relu_only.py"), "demo")])
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


# --- entry points that fail to load ------------------------------------------------------------------------------

class FakeEntryPoint:
    """What ``importlib.metadata.entry_points(group=...)`` yields: a name, a value and the distribution."""

    def __init__(self, name, value, dist="broken-dist"):
        self.name, self.value = name, value
        self.dist = type("Dist", (), {"name": dist})()


@pytest.fixture
def broken_entry_point(monkeypatch):
    """One installed ``dlprops.impls`` entry point whose module does not import."""
    calls = []

    def entry_points(**kw):
        calls.append(kw)
        assert kw == {"group": "dlprops.impls"}
        return [FakeEntryPoint("broken", "dlprops_no_such_module_xyz")]

    monkeypatch.setattr(loader.importlib.metadata, "entry_points", entry_points)
    return calls


BROKEN_EP = ("entry point 'broken = dlprops_no_such_module_xyz' of distribution 'broken-dist': "
             "ModuleNotFoundError: No module named 'dlprops_no_such_module_xyz'")


def test_broken_entry_point_is_named_and_stops_a_run_that_needs_it(broken_entry_point):
    with pytest.raises(loader.PluginError) as exc:
        loader.load_impls([str(PLUGINS / "relu_only.py")], builtins=False)
    assert str(exc.value).startswith(BROKEN_EP), exc.value
    assert "--no-entry-points" in str(exc.value)
    with pytest.raises(loader.PluginError, match="^" + BROKEN_EP.replace("(", r"\(").replace(")", r"\)")):
        loader.load_impls([], builtins=False, only=["broken"])  # the run asks for it by name


def test_broken_entry_point_is_left_out_of_a_run_that_does_not_need_it(broken_entry_point):
    notes = []
    impls = loader.load_impls([str(PLUGINS / "relu_only.py")], builtins=False, only=["relu-only"], notes=notes)
    assert [i.name for i in impls] == ["relu-only"]
    assert len(notes) == 1 and notes[0].startswith(BROKEN_EP) and notes[0].endswith(
        " (left out: not among --only-impls)"), notes
    # --no-entry-points: not even looked up
    broken_entry_point.clear()
    impls = loader.load_impls([str(PLUGINS / "relu_only.py")], builtins=False, entry_points=False)
    assert [i.name for i in impls] == ["relu-only"] and broken_entry_point == []


def test_only_impls_unknown_names_the_broken_entry_point(broken_entry_point):
    """An entry point named other than its NAME: --only-impls NAME cannot find it, and the error says why."""
    with pytest.raises(loader.PluginError) as exc:
        loader.load_impls([str(PLUGINS / "relu_only.py")], builtins=False, only=["relu-only", "my-kernels"])
    message = str(exc.value)
    assert "no implementation named my-kernels" in message and BROKEN_EP in message


def test_entry_point_that_is_not_an_implementation_is_named(monkeypatch):
    monkeypatch.setattr(loader.importlib.metadata, "entry_points",
                        lambda **kw: [FakeEntryPoint("np", "json", dist="jsonish")])
    with pytest.raises(loader.PluginError, match=r"^entry point 'np = json' of distribution 'jsonish': not an "
                                                 r"implementation module: missing NAME, asarray, to_numpy"):
        loader.load_impls([], builtins=False)


@pytest.fixture(scope="module")
def broken_entry_point_runs(tmp_path_factory):
    """A distribution whose ``dlprops.impls`` entry point raises on import, installed on the path, and three runs
    with it: plain (stops; an earlier run's reports are in its report paths), ``--no-entry-points`` and
    ``--only-impls relu-only`` (both go on)."""
    site = tmp_path_factory.mktemp("broken-site")
    (site / "dlprops_broken_demo.py").write_text('raise ImportError("libfoo.so: cannot open shared object")\n')
    info = site / "dlprops_broken_demo-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: dlprops-broken-demo\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[dlprops.impls]\nbroken = dlprops_broken_demo\n")
    (info / "RECORD").write_text("")
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))}
    outs = {name: tmp_path_factory.mktemp(name) for name in ("stops", "no_entry_points", "only")}
    for name in ("results.json", "results.jsonl", "report.html"):  # an earlier run's reports
        (outs["stops"] / name).write_text("an earlier run's " + name)
    args = {"stops": ["--impl", plugin("relu_only")],
            "no_entry_points": ["--impl", plugin("relu_only"), "--no-entry-points", NO_SHRINK],
            "only": ["--impl", plugin("relu_only"), "--only-impls", "relu-only", NO_SHRINK]}
    started = {name: start_suite(outs[name], *a, env=env) for name, a in args.items()}
    return {name: finish(outs[name], s) for name, s in started.items()}


def test_broken_entry_point_stops_the_run_and_its_stale_reports(broken_entry_point_runs):
    run = broken_entry_point_runs["stops"]
    assert run.returncode == 4, run.describe()
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(
        "ERROR: entry point 'broken = dlprops_broken_demo' of distribution 'dlprops-broken-demo': ImportError: "
        "libfoo.so: cannot open shared object"), run.describe()
    # no report that looks current: the JSON and its stream are gone, the page says the run stopped and why
    assert not run.json_path.exists() and not run.jsonl_path.exists()
    page = run.html
    assert "the run stopped on a load error" in page and "libfoo.so: cannot open shared object" in page
    assert "earlier run" not in page.replace("the report of an earlier run", "")


@pytest.mark.parametrize("which", ["no_entry_points", "only"])
def test_broken_entry_point_does_not_stop_a_run_without_it(broken_entry_point_runs, which):
    run = broken_entry_point_runs[which]
    assert run.returncode == 0, run.describe()
    assert [i["name"] for i in run.doc["impls"]] == ["relu-only"]
    assert run.result("relu-only", "relu", "matches_oracle")["status"] == "passed"
    said = "dlprops: entry point 'broken = dlprops_broken_demo' of distribution 'dlprops-broken-demo': ImportError"
    assert (said in run.stdout) == (which == "only"), run.describe()  # left out, and the run says so


def test_broken_plugin_replaces_the_html_report(tmp_path):
    """A load error in an ``--impl`` target also leaves no stale report (in process: the usage error comes
    during configuration)."""
    for name in ("results.json", "results.jsonl", "report.html"):
        (tmp_path / name).write_text("stale")
    (tmp_path / "bad.py").write_text("NAME = 'bad'\n")  # no asarray / to_numpy
    code = pytest.main(["properties/test_activations.py", "--no-builtins", "-p", "no:cacheprovider", "-q",
                        "--impl", str(tmp_path / "bad.py"), "--report-json", str(tmp_path / "results.json"),
                        "--report-html", str(tmp_path / "report.html")])
    assert code == pytest.ExitCode.USAGE_ERROR
    assert not (tmp_path / "results.json").exists() and not (tmp_path / "results.jsonl").exists()
    page = (tmp_path / "report.html").read_text()
    assert "the run stopped on a load error" in page and "missing asarray, to_numpy" in page


# --- signatures ---------------------------------------------------------------------------------------------------

def test_signature_problem_names_each_difference():
    import numpy as np

    def rms_norm(x, dims, eps=1e-6):
        return x

    assert loader.signature_problem("rms_norm", rms_norm) == (
        "signature: rms_norm(x, normalized_ndim, weight=None, *, eps=1e-06) expected; got rms_norm(x, dims, "
        "eps=1e-06) (missing normalized_ndim, weight; not in the catalogue: dims; eps is positional, expected "
        "keyword-only)")

    def gelu(x, *, approximate=True):
        return x

    assert loader.signature_problem("gelu", gelu).endswith("(approximate defaults to True, expected False)")

    def softmax(x, *, axis):
        return x

    assert loader.signature_problem("softmax", softmax).endswith("(axis has no default, expected -1)")

    def layer_norm(x, normalized_ndim, bias=None, weight=None, *, eps=1e-5):
        return x

    assert loader.signature_problem("layer_norm", layer_norm).endswith("(parameter order)")

    def relu(x: np.ndarray) -> np.ndarray:  # annotations are not part of the contract
        return x

    def wrapper(*args, **kwargs):  # nothing to compare
        return args

    def adam_step(param, grad, exp_avg, exp_avg_sq, step, *, lr, betas=[0.9, 0.999], eps=1e-8, weight_decay=0):
        return param  # a list for the tuple default: a different default

    assert loader.signature_problem("relu", relu) is None
    assert loader.signature_problem("relu", wrapper) is None
    assert loader.signature_problem("relu", np.negative) is None  # x positional-only, the rest optional
    assert loader.signature_problem("relu", lambda x, inplace: x).endswith("(not in the catalogue: inplace)")
    assert loader.signature_problem("softmax", lambda x, *, axis=-1, keepdims=False: x) is None
    assert "betas defaults to [0.9, 0.999]" in loader.signature_problem("adam_step", adam_step)
    assert "weight_decay defaults" not in loader.signature_problem("adam_step", adam_step)  # 0 == 0.0


def test_builtins_have_no_signature_problem():
    for impl in loader.load_impls([], builtins=True, entry_points=False):
        assert impl.signature_problems == {}, impl.name
