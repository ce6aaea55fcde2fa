"""The scoreboard: the libraries users build models with, checked as they call them (``make scoreboard``).

    python -m reports scoreboard reports/scoreboard/results.json [-o reports/scoreboard/index.html]
                                 [--readme README.md]

Reads one run's results (records only) and writes a page with a library x component matrix and, for each finding
an adapter declared (``FINDINGS``, :mod:`impls._findings`), its cause in the library's source, its kind, its
severity as observed in the run (the worst error / allowance of its checks and the regime it is scoped to), the
library version, an upstream reference where one exists, its standalone reproduction script and, for a real bug,
the write-up ready to send upstream. ``--readme`` replaces the README's summary between the ``SCOREBOARD``
markers.
"""
from __future__ import annotations

import argparse
import json
import pathlib
import sys
from collections import defaultdict

import jinja2

from properties.catalogue import COMPONENTS, family_of

BEGIN, END = "<!-- SCOREBOARD:BEGIN -->", "<!-- SCOREBOARD:END -->"
ROOT = pathlib.Path(__file__).resolve().parent.parent
#: statuses that say a check of a provided component did not hold (an xpassed check is a declared finding the run
#: did not reach: shown on the finding's card, not as a failure)
NOT_HOLDING = ("failed", "error")


def _absent(record: dict) -> bool:
    return record["status"] == "not_provided" or (
        record["status"] == "skipped" and (record.get("message") or "").startswith("not provided"))


def _libraries(doc: dict) -> list[dict]:
    return [i for i in doc.get("impls", []) if i.get("library")]


def _key(record: dict) -> tuple:
    return record["impl"], record["component"]


def _cell(results: list[dict], findings: list[dict], component: str) -> dict:
    """One matrix cell: what the run saw of one library's component."""
    if not results or all(_absent(r) for r in results):
        return {"state": "absent", "text": "not provided"}
    counts = defaultdict(int)
    for r in results:
        counts[r["status"]] += 1
    ids = sorted({f["id"] for f in findings if any(c[0] == component for c in f["checks"])})
    bad = sum(counts[s] for s in NOT_HOLDING)
    skipped = sum(1 for r in results if r["status"] == "skipped" and not _absent(r))
    state = "bad" if bad else ("finding" if ids else "ok")
    text = f"{counts['passed']} passed" + (f", {counts['xfailed']} deviating" if counts["xfailed"] else "") \
        + (f", {bad} failing" if bad else "") + (f", {skipped} skipped" if skipped else "")
    return {"state": state, "text": text, "findings": ids}


def _severity(finding: dict, results: list[dict]) -> dict:
    """What the run observed of a finding: its checks' statuses and the worst error / allowance among them."""
    mine = [r for r in results if any(r["component"] == c[0] and r["property"] == c[1]
                                      and (len(c) < 3 or r["dtype"] == c[2]) for c in finding["checks"])]
    ratios = [r["error_ratio"] for r in mine if r.get("error_ratio")]
    observed = [r for r in mine if r["status"] == "xfailed"]
    return {"checks": len(mine), "observed": len(observed),
            "unobserved": [f"{r['component']}:{r['property']}:{r['dtype']}" for r in mine if r["status"] == "xpassed"],
            "worst_ratio": max(ratios) if ratios else None,
            "dtypes": sorted({r["dtype"] for r in observed}),
            "example": next((r.get("observed") or "" for r in observed), "")}


def _read(relative: str | None) -> str:
    if not relative:
        return ""
    path = ROOT / relative
    return path.read_text(encoding="utf-8") if path.is_file() else f"(missing: {relative})"


def scoreboard(doc: dict) -> dict:
    """The page's data: libraries, the matrix rows, the findings with their severity."""
    libraries = _libraries(doc)
    by_cell: dict = defaultdict(list)
    for r in doc["results"]:
        by_cell[_key(r)].append(r)
    rows = []
    for component in COMPONENTS:
        cells = [_cell(by_cell.get((lib["name"], component), []), lib.get("findings", []), component)
                 for lib in libraries]
        if any(c["state"] != "absent" for c in cells):
            rows.append({"component": component, "family": family_of(component), "cells": cells})
    findings = []
    for lib in libraries:
        results = [r for r in doc["results"] if r["impl"] == lib["name"]]
        for f in lib.get("findings", []):
            findings.append({**f, "impl": lib["name"], "library": lib["library"],
                             "severity": _severity(f, results), "repro_text": _read(f.get("repro")),
                             "writeup_text": _read(f.get("writeup"))})
    failing = [r for r in doc["results"] if r["status"] in NOT_HOLDING
               and r["impl"] in {lib["name"] for lib in libraries}]
    return {"libraries": libraries, "rows": rows, "findings": findings, "failing": failing,
            "meta": doc.get("meta", {})}


def render(doc: dict) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(pathlib.Path(__file__).parent / "templates"),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True)
    return env.get_template("scoreboard.html.j2").render(**scoreboard(doc))


def summary(doc: dict) -> str:
    """The README's summary: one line per library, then one per finding."""
    data = scoreboard(doc)
    lines = ["| library | version | components checked | findings |", "| --- | --- | --- | --- |"]
    for i, lib in enumerate(data["libraries"]):
        provided = sum(1 for row in data["rows"] if row["cells"][i]["state"] != "absent")
        mine = [f for f in data["findings"] if f["impl"] == lib["name"]]
        lines.append(f"| {lib['name']} | {lib['library'].get('distribution')} {lib['library'].get('version')} "
                     f"| {provided} | {len(mine)} |")
    lines.append("")
    for f in data["findings"]:
        ratio = f["severity"]["worst_ratio"]
        where = f" ({', '.join(f['severity']['dtypes'])})" if f["severity"]["dtypes"] else ""
        lines.append(f"- **{f['impl']}** · {f['kind']} · {f['title']}{where}"
                     + (f"; worst error {ratio:.3g}x the allowance" if ratio else "")
                     + f". Repro: `{f['repro']}`" + (f"; upstream write-up: `{f['writeup']}`" if f.get("writeup") else ""))
    meta = data["meta"]
    lines.append("")
    lines.append(f"_Generated by `python -m reports scoreboard` from a `{meta.get('profile', '?')}` run "
                 f"(commit {meta.get('commit') or '?'})._")
    return "\n".join(lines)


def replace_section(readme: pathlib.Path, text: str) -> None:
    body = readme.read_text(encoding="utf-8")
    head, rest = body.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}", encoding="utf-8")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reports scoreboard", description=__doc__.splitlines()[0])
    ap.add_argument("results", nargs="?", default="reports/scoreboard/results.json")
    ap.add_argument("-o", "--html", default="reports/scoreboard/index.html")
    ap.add_argument("--readme", default="", help="replace the README's SCOREBOARD section with the summary")
    args = ap.parse_args(argv)
    with open(args.results, encoding="utf-8") as f:
        doc = json.load(f)
    out = pathlib.Path(args.html)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(doc), encoding="utf-8")
    if args.readme:
        replace_section(pathlib.Path(args.readme), summary(doc))
    data = scoreboard(doc)
    print(f"scoreboard: {len(data['libraries'])} libraries, {len(data['findings'])} findings, "
          f"{len(data['failing'])} failing checks -> {out}")
    return 1 if data["failing"] else 0


if __name__ == "__main__":
    sys.exit(main())
