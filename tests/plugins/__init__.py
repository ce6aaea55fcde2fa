"""Plug-in modules for the tests of the suite itself, and a helper that runs the suite on them.

Each ``*.py`` here is an implementation module as a user would write one (docs/contract.md section 2), small on purpose: the
tests run ``pytest --no-builtins --impl tests/plugins/<name>.py properties/test_activations.py`` in a subprocess,
so only these tiny plug-ins are checked (a few seconds a run), with the reports written under ``tmp_path``.

- ``relu_only``  the interface and one component;
- ``buggy``      a leaky ``relu`` (two failures with counterexamples), correct ``sigmoid`` and ``tanh``;
- ``deviant``    ``KNOWN_DEVIATIONS`` (one xfailed, one xpassed) and ``NotImplementedError`` (skipped inputs);
- ``hostile``    raises (with markup in the message), NaN, a list, wrong shape, wrong dtype, ``time.sleep``;
- ``spinner``    ``while True: pass`` and an object ``to_numpy`` cannot convert;
- ``crasher``    ``os._exit(1)`` and SIGKILL.

Broken modules (syntax error, missing ``asarray``...) are written by ``tests/test_loader.py`` into ``tmp_path``:
a file that does not compile has no place in the source tree.
"""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
from dataclasses import dataclass

ROOT = pathlib.Path(__file__).resolve().parents[2]
PLUGINS = pathlib.Path(__file__).resolve().parent
#: the property module the tests run: 7 components, checks of a few milliseconds each
ACTIVATIONS = "properties/test_activations.py"
#: Hypothesis profile for runs where only the verdicts matter: derandomized, no shrinking (an error found at the
#: first example is not shrunk for a hundred more), so a plug-in that errors everywhere costs little
NO_SHRINK = "--hypothesis-profile=mutants"


def plugin(name: str) -> str:
    """The ``--impl`` argument for ``tests/plugins/<name>.py``, relative to the repository root."""
    return str((PLUGINS / f"{name}.py").relative_to(ROOT))


def suite_env(ci: bool | None = None, extra: dict | None = None) -> dict:
    """The environment of a nested run: this one without pytest's own variables (a nested run must not think it
    is an xdist worker or pick up PYTEST_ADDOPTS), with ``CI`` set or removed as asked."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_CORE"))}
    if ci is True:
        env["CI"] = "true"
    elif ci is False:
        env.pop("CI", None)
    env.update(extra or {})
    return env


@dataclass
class Run:
    """A finished nested run: its exit code, output, and report paths."""
    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    json_path: pathlib.Path
    html_path: pathlib.Path | None

    @property
    def jsonl_path(self) -> pathlib.Path:
        return self.json_path.with_suffix(".jsonl")

    @property
    def doc(self) -> dict:
        return json.loads(self.json_path.read_text(encoding="utf-8"))

    @property
    def results(self) -> list[dict]:
        return self.doc["results"]

    @property
    def html(self) -> str:
        return self.html_path.read_text(encoding="utf-8")

    def result(self, impl: str, component: str, prop: str, dtype: str = "float32") -> dict:
        found = [r for r in self.results if (r["impl"], r["component"], r["property"], r["dtype"])
                 == (impl, component, prop, dtype)]
        assert len(found) == 1, f"{impl}:{component}:{prop}:{dtype}: {len(found)} results\n{self.describe()}"
        return found[0]

    def describe(self) -> str:
        """Everything worth seeing when an assertion about this run fails."""
        return (f"$ {' '.join(self.args)}\nexit code {self.returncode}\n--- stdout (tail)\n{self.stdout[-4000:]}"
                f"\n--- stderr (tail)\n{self.stderr[-4000:]}")


def suite_args(out_dir: pathlib.Path, *args: str, html: bool = True, select: str = ACTIVATIONS) -> list[str]:
    """The command line of a nested run of ``select`` with only the given implementations."""
    out_dir = pathlib.Path(out_dir)
    return [sys.executable, "-m", "pytest", select, "--no-builtins", "-p", "no:cacheprovider",
            "--report-json", str(out_dir / "results.json"),
            "--report-html", str(out_dir / "report.html") if html else "", *args]


def start_suite(out_dir: pathlib.Path, *args: str, html: bool = True, ci: bool | None = None,
                env: dict | None = None) -> tuple[list[str], subprocess.Popen]:
    """Start a nested run (several can run at once); finish it with :func:`finish`."""
    pathlib.Path(out_dir).mkdir(parents=True, exist_ok=True)
    cmd = suite_args(out_dir, *args, html=html)
    proc = subprocess.Popen(cmd, cwd=ROOT, env=suite_env(ci, env), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    return cmd, proc


def finish(out_dir: pathlib.Path, started: tuple[list[str], subprocess.Popen], *, html: bool = True,
           timeout: float = 300) -> Run:
    cmd, proc = started
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        stdout, stderr = proc.communicate()
        raise AssertionError(f"nested run exceeded {timeout} s: {' '.join(cmd)}\n{stdout[-3000:]}\n{stderr[-3000:]}")
    out_dir = pathlib.Path(out_dir)
    return Run(cmd, proc.returncode, stdout, stderr, out_dir / "results.json",
               out_dir / "report.html" if html else None)


def run_suite(out_dir: pathlib.Path, *args: str, html: bool = True, ci: bool | None = None,
              env: dict | None = None, timeout: float = 300) -> Run:
    """Run the suite on the given implementations in a subprocess, reports under ``out_dir``."""
    return finish(out_dir, start_suite(out_dir, *args, html=html, ci=ci, env=env), html=html, timeout=timeout)


_SHARED: dict[str, Run] = {}


def buggy_ci_run(tmp_path_factory) -> Run:
    """The serial, derandomized (``CI=true``) run of ``buggy`` with both reports, made once per test process and
    shared by the report, browser and reproducibility tests."""
    if "buggy" not in _SHARED:
        out = tmp_path_factory.mktemp("buggy-ci")
        _SHARED["buggy"] = run_suite(out, "--impl", plugin("buggy"), ci=True)
    return _SHARED["buggy"]
