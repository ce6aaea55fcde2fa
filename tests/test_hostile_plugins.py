"""Plug-ins that misbehave cost only their own checks (docs/contract.md sections 2 and 5).

Two nested runs, started together:

- serial, ``--check-timeout 1``: ``hostile`` (raises with markup in its message, NaN, a Python list, wrong shape,
  wrong dtype, ``time.sleep(1000)``) and ``spinner`` (``while True: pass``, an object ``to_numpy`` rejects);
- ``-n 2``: ``crasher`` (``os._exit(1)``, SIGKILL).

Each run finishes, writes both reports, keeps every other result (each plug-in's correct ``relu`` passes), and
reports each misbehaving check ``error`` (NaN where a finite value is required: ``failed``) with a message that says what went wrong; the HTML escapes the messages.
Only verdicts matter here, so the runs use the no-shrink profile (an error is not shrunk for a hundred examples).
"""
from __future__ import annotations

import re

import pytest

from tests.plugins import NO_SHRINK, finish, plugin, start_suite
from tests.plugins import crasher, hostile, spinner

RELU_CHECKS = ("matches_oracle", "odd_part_is_identity", "elementwise")


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out_serial, out_xdist = tmp_path_factory.mktemp("hostile-serial"), tmp_path_factory.mktemp("hostile-xdist")
    serial = start_suite(out_serial, "--impl", plugin("hostile"), "--impl", plugin("spinner"), "--check-timeout",
                         "1", NO_SHRINK)
    xdist = start_suite(out_xdist, "--impl", plugin("crasher"), "-n", "2", NO_SHRINK)
    return {"serial": finish(out_serial, serial, timeout=400), "xdist": finish(out_xdist, xdist, timeout=400)}


@pytest.mark.parametrize("which", ["serial", "xdist"])
def test_run_finishes_and_writes_reports(runs, which):
    run = runs[which]
    assert run.returncode == 1, run.describe()  # checks errored; the run itself completed
    assert run.json_path.exists() and run.html_path.exists(), run.describe()
    assert re.search(r"\d+ passed", run.stdout), run.describe()


@pytest.mark.parametrize("module", [hostile, spinner, crasher], ids=lambda m: m.NAME)
def test_well_behaved_component_still_passes(runs, module):
    run = runs["xdist" if module is crasher else "serial"]
    for prop, dtype in [(p, module.DTYPES[0]) for p in RELU_CHECKS if module is not crasher] or \
            [("matches_oracle", "float16")]:
        r = run.result(module.NAME, "relu", prop, dtype)
        assert r["status"] == "passed", r
        assert r["examples"] > 0


def _misbehaving():
    for module in (hostile, spinner):
        for component, (what, phrase) in module.BEHAVIOUR.items():
            if phrase:
                yield pytest.param(module, component, phrase, id=f"{module.NAME}-{component}-{what}")


@pytest.mark.parametrize("module,component,phrase", list(_misbehaving()))
def test_misbehaviour_is_an_error_of_its_own_checks(runs, module, component, phrase):
    run = runs["serial"]
    mine = [r for r in run.results if r["impl"] == module.NAME and r["component"] == component]
    ran = [r for r in mine if r["status"] != "skipped"]
    assert ran, f"no check of {component} ran\n{run.describe()}"
    for r in ran:
        # NaN where the contract requires a finite value fails the property; every other misbehaviour is an error
        assert r["status"] == ("failed" if phrase == "not finite" else "error"), r
        assert phrase in r["message"], r
        assert r["counterexample"], r  # the input it misbehaved on
        assert r["reproduce"] and f"--impl {plugin(module.NAME)}" in r["reproduce"], r
        if "did not return" in phrase:
            assert r["duration_s"] < 30, r  # cut by the alarm, not run to the end of time.sleep(1000)
    for r in mine:
        if r["status"] == "skipped":
            assert r["message"].startswith(("dtype not supported", "not provided")), r


def test_crashing_component_costs_only_its_checks(runs):
    run = runs["xdist"]
    for component in ("silu", "gelu"):  # os._exit(1), SIGKILL
        ran = [r for r in run.results if r["impl"] == "crasher" and r["component"] == component
               and r["status"] != "skipped"]
        assert ("matches_oracle", "float16") in [(r["property"], r["dtype"]) for r in ran], run.describe()
        for r in ran:
            assert r["status"] == "error", r
            assert r["message"].startswith("the process running this check died"), r
            assert "crashed" in r["message"], r
            assert r["reproduce"].startswith("pytest ") and f"--impl {plugin('crasher')}" in r["reproduce"], r
    assert run.doc["meta"]["workers"] == 2


def test_html_escapes_plugin_messages(runs):
    html = runs["serial"].html
    assert "<script>alert(1)" not in html
    assert "alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    for script in re.findall(r"<script\b.*?</script>", html, re.S | re.I):  # the page's own script(s) only
        assert "alert" not in script and "sigmoid exploded" not in script


@pytest.mark.parametrize("which", ["serial", "xdist"])
def test_report_lists_every_error(runs, which):
    run = runs[which]
    html = run.html
    errors = [r for r in run.results if r["status"] in ("failed", "error")]
    assert len(errors) >= 2
    assert f"Failures and errors ({len(errors)})" in html
    for r in errors:
        assert f'data-text="{r["impl"]} {r["component"]} {r["property"]}"' in html, r
    assert "did not return within 1 s" in html or which == "xdist"
    assert "the process running this check died" in html or which == "serial"
