"""The reports (docs/contract.md section 5): ``results.json``'s schema, the streamed ``results.jsonl`` and rebuilding the page from
it (also after an interrupted run, also from a file cut mid-line), serial and ``-n 2`` runs agreeing, and the HTML
page: the matrix, a failure card with its counterexample and reproduce command, self-contained and small.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from markupsafe import escape

from properties.result import SCHEMA_VERSION as VERSION
from reports.__main__ import main as reports_main
from tests.plugins import ROOT, buggy, buggy_ci_run, finish, plugin, start_suite, suite_env

STATUSES = {"passed", "failed", "error", "skipped", "xfailed", "xpassed"}
#: the fields docs/contract.md section 5 fixes for each result, and their JSON types
FIELDS = {"impl": str, "component": str, "property": str, "dtype": str, "status": str, "examples": int,
          "duration_s": (int, float), "message": str, "counterexample": (str, type(None)),
          "max_abs_err": (int, float, type(None)), "max_rel_err": (int, float, type(None))}


def outcome_set(results):
    return {(r["impl"], r["component"], r["property"], r["dtype"], r["status"]) for r in results}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """``serial``: buggy, CI=true (shared); ``xdist``: the same with ``-n 2``; ``killed``: crasher run serially,
    which ends the pytest process itself at its first crash (``os._exit``), before any report is written."""
    out_x, out_k = tmp_path_factory.mktemp("buggy-xdist"), tmp_path_factory.mktemp("killed")
    xdist = start_suite(out_x, "--impl", plugin("buggy"), "-n", "2", ci=True)
    killed = start_suite(out_k, "--impl", plugin("crasher"), ci=True)
    serial = buggy_ci_run(tmp_path_factory)
    return {"serial": serial, "xdist": finish(out_x, xdist), "killed": finish(out_k, killed)}


def test_results_json_schema(runs):
    run = runs["serial"]
    assert run.returncode == 1, run.describe()
    doc = run.doc
    assert doc["version"] == VERSION
    assert doc["impls"] and all({"name", "module", "dtypes"} <= set(i) for i in doc["impls"])
    assert [(i["name"], i["module"], i["dtypes"]) for i in doc["impls"]] == [("buggy", plugin("buggy"), ["float32"])]
    assert doc["results"]
    for r in doc["results"]:
        for field, kind in FIELDS.items():
            assert field in r, (field, r)
            assert isinstance(r[field], kind), (field, r)
        assert r["status"] in STATUSES, r
        if r["status"] == "skipped":
            assert r["max_abs_err"] is None and r["max_rel_err"] is None and r["counterexample"] is None, r
    failed = {(r["component"], r["property"]) for r in doc["results"] if r["status"] in ("failed", "error")}
    assert buggy.FAILS <= failed and {c for c, _ in failed} == {"relu"}, failed  # only the planted bug
    for r in doc["results"]:
        if r["status"] == "failed":
            assert r["counterexample"] and r["max_abs_err"] > 0 and r["max_rel_err"] > 0 and r["examples"] >= 1, r
            assert r["reproduce"], r
    assert doc["meta"]["counts"] == {s: sum(r["status"] == s for r in doc["results"])
                                     for s in {r["status"] for r in doc["results"]}}
    assert doc["meta"]["profile"] == "ci" and doc["meta"]["derandomize"] is True


def test_results_jsonl_is_streamed_with_every_result(runs):
    run = runs["serial"]
    lines = [json.loads(line) for line in run.jsonl_path.read_text().splitlines()]
    assert set(lines[0]) == {"meta", "impls"} and lines[0]["impls"] == run.doc["impls"]
    streamed = [line["result"] for line in lines[1:]]
    assert all(set(line) == {"result"} for line in lines[1:])
    assert len(streamed) == len(run.results)
    assert outcome_set(streamed) == outcome_set(run.results)


def test_interrupted_run_leaves_jsonl_that_rebuilds_the_page(runs, tmp_path):
    run = runs["killed"]
    assert run.returncode == 1, run.describe()  # os._exit(1) ended pytest mid-run
    assert not run.json_path.exists() and not run.html_path.exists(), "no report can be written by a dead process"
    finished = [json.loads(line)["result"] for line in run.jsonl_path.read_text().splitlines()[1:]]
    assert ("crasher", "relu", "matches_oracle", "float16", "passed") in outcome_set(finished)
    out_html, out_json = tmp_path / "rebuilt.html", tmp_path / "rebuilt.json"
    proc = subprocess.run([sys.executable, "-m", "reports", str(run.jsonl_path), "-o", str(out_html),
                           "--json", str(out_json)], cwd=ROOT, env=suite_env(), capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{len(finished)} results -> {out_html}" in proc.stdout
    rebuilt = json.loads(out_json.read_text())
    assert rebuilt["version"] == VERSION and outcome_set(rebuilt["results"]) == outcome_set(finished)
    page = out_html.read_text()
    assert '<table class="matrix">' in page and "crasher" in page


def test_truncated_jsonl_rebuilds_the_page(runs, tmp_path, capsys):
    """A run killed while writing a line leaves half a line: the rebuild keeps every complete result."""
    run = runs["serial"]
    text = run.jsonl_path.read_text()
    lines = text.splitlines(keepends=True)
    cut = tmp_path / "cut.jsonl"
    cut.write_text("".join(lines[:-3]) + lines[-3][: len(lines[-3]) // 2])
    out_html, out_json = tmp_path / "cut.html", tmp_path / "cut.json"
    assert reports_main([str(cut), "-o", str(out_html), "--json", str(out_json)]) == 0
    kept = [json.loads(line)["result"] for line in lines[1:-3]]
    assert f"{len(kept)} results -> " in capsys.readouterr().out
    rebuilt = json.loads(out_json.read_text())
    assert outcome_set(rebuilt["results"]) == outcome_set(kept)
    assert "dlprops verification report" in out_html.read_text()


def test_xdist_run_gives_the_same_outcomes_as_serial(runs):
    serial, xdist = runs["serial"], runs["xdist"]
    assert xdist.returncode == 1, xdist.describe()
    assert xdist.doc["meta"]["workers"] == 2
    assert outcome_set(xdist.results) == outcome_set(serial.results)
    assert len(xdist.results) == len(serial.results)
    # every result reached the controller's stream too
    assert len(xdist.jsonl_path.read_text().splitlines()) == len(xdist.results) + 1
    # the controller prepared the page during the run (reports.html.prepare_in_background): the same matrix
    matrix = re.compile(r'<table class="matrix">.*?</table>', re.S)
    assert matrix.search(xdist.html).group(0) == matrix.search(serial.html).group(0)


def test_html_has_matrix_and_failure_cards(runs):
    run = runs["serial"]
    page = run.html
    matrix = re.search(r'<table class="matrix">(.*?)</table>', page, re.S)
    assert matrix, "no components x implementations matrix"
    assert '<th data-col="buggy">buggy</th>' in matrix.group(1)
    for component in ("relu", "sigmoid", "tanh"):
        assert f'<a href="#c-{component}">{component}</a>' in matrix.group(1)
    # buggy has no softmax: folded away with the other components no implementation provides
    assert "softmax" not in matrix.group(1)
    folded = re.search(r'<details id="not-provided" class="folded">(.*?)</details>', page, re.S)
    assert folded and "<td>softmax</td>" in folded.group(1)
    failed = [r for r in run.results if r["status"] == "failed"]
    assert re.search(rf'<td class="c-failed"[^>]*>[^<]*✗{len(failed)}', matrix.group(1)), "relu's failures"
    assert page.index('<div class="card') < page.index('<table class="matrix">'), "failures come first"
    cards = re.findall(r'<div class="card (failed|error)".*?</div>', page, re.S)
    # one card per (implementation, component, property), its dtypes inside (buggy declares float32 only)
    assert len(cards) == len({(r["impl"], r["component"], r["property"]) for r in failed}) >= len(buggy.FAILS)
    for r in (r for r in run.results if r["status"] == "failed"):
        card = re.search(rf'<div class="card failed" data-text="buggy relu {r["property"]}"[^>]*>(.*?)</div>',
                         page, re.S)
        assert card, r["property"]
        body = card.group(1)
        assert "Shrunk counterexample" in body and str(escape(r["counterexample"])) in body
        assert "Reproduce:" in body and f"<pre>{str(escape(r['reproduce']))}</pre>" in body
        assert str(escape(r["message"])) in body
    assert 'id="c-relu"' in page  # the drill-down to properties x dtypes


def test_html_is_self_contained_and_small(runs):
    page = runs["serial"].html
    assert len(page.encode()) < 5 * 1024 * 1024
    assert not re.findall(r'(?:src|href)\s*=\s*["\']?\s*(?:https?:)?//', page, re.I), "external reference"
    assert not re.search(r"<link\b|<script[^>]*\bsrc\s*=|<iframe|<img[^>]+src\s*=\s*[\"']?http", page, re.I)
    assert not re.search(r"url\(\s*[\"']?\s*(?:https?:)?//|@import", page, re.I)


def test_report_page_is_prepared_in_background(runs, monkeypatch):
    # what an xdist controller does while the checks run: the family figures are drawn by the thread, and the
    # page waits for it and then finds them drawn
    from properties.catalogue import FAMILIES
    from reports import figures, html
    monkeypatch.setattr(html, "_PREPARING", None)
    figures.family_figures.cache_clear()
    html.prepare_in_background()
    page = html.render(runs["serial"].doc)
    info = figures.family_figures.cache_info()
    assert info.misses == len(FAMILIES) and info.hits >= 1
    assert '<table class="matrix">' in page and not html._PREPARING.is_alive()
