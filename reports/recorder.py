"""Collecting check results as they finish and writing the reports (docs/contract.md section 5).

Each result is appended to ``<report-json stem>.jsonl`` the moment the controller hears of it, so a run that is
interrupted (Ctrl-C, a killed controller) still leaves what finished; ``python -m reports FILE.jsonl`` rebuilds
the JSON and HTML from it. At the end of the session ``results.json`` and ``report.html`` are written
atomically (a temporary file renamed over the target).
"""
from __future__ import annotations

import datetime as dt
import importlib.metadata
import json
import os
import pathlib
import platform
import shlex
import subprocess
import tempfile
import time

from properties.catalogue import family_of
from properties.registry import parse_check_id

from properties.result import RESULT_KEY, SCHEMA_VERSION as VERSION, Result, reproduce_command  # noqa: F401


def atomic_write(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never half of one."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # a report, not a secret: mkstemp's 0600 would hide it from a web server
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        pathlib.Path(tmp).unlink(missing_ok=True)
        raise


def _version(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=5,
                             cwd=pathlib.Path(__file__).resolve().parent)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _reason(value) -> str:
    """A declared deviation's reason, with its regime's name if it is scoped (JSON has no predicates)."""
    if isinstance(value, tuple):
        reason, regime = value
        return f"{reason} [regime: {regime if isinstance(regime, str) else getattr(regime, '__name__', 'predicate')}]"
    return value


def run_meta(config) -> dict:
    """What the report header shows: versions, device, profile, seed, commit, start time."""
    from hypothesis import settings
    return {
        "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(), "platform": platform.platform(),
        "versions": {p: _version(p) for p in ("numpy", "torch", "jax", "jaxlib", "hypothesis", "pytest")},
        "device": config.getoption("device"), "profile": settings._current_profile,
        "max_examples": settings.default.max_examples, "derandomize": settings.default.derandomize,
        "seed": config.dlprops_seed, "commit": _git_commit(),
        "workers": getattr(config.option, "numprocesses", None) or 0,
        "check_timeout_s": config.getoption("check_timeout"),
    }


def crash_record(nodeid: str, message: str) -> dict | None:
    """A result for a check whose worker died (no record came back), attributed from its test id."""
    if "[" not in nodeid:
        return None
    try:
        ids = parse_check_id(nodeid[nodeid.index("[") + 1:nodeid.rindex("]")])
    except ValueError:
        return None
    return Result.for_crash(ids, family_of(ids["component"]), nodeid, message).to_json()


class Recorder:
    """Results of one session, streamed to JSONL and written as JSON/HTML at the end."""

    def __init__(self, json_path: str, html_path: str, meta: dict, impls: list[dict]):
        self.json_path, self.html_path = json_path, html_path
        self.meta, self.impls = meta, impls
        self.results: dict[str, dict] = {}
        self.t0 = time.perf_counter()
        self.jsonl = None
        #: the report files :meth:`finish` wrote (the terminal summary names them)
        self.written: list[str] = []
        # opened with the first result: a session that runs no check (``pytest tests/test_x.py``) leaves the last
        # run's stream alone, as it leaves its results.json
        self.stream = pathlib.Path(json_path).with_suffix(".jsonl") if json_path else None

    @classmethod
    def from_config(cls, config) -> "Recorder":
        impls = [{"name": i.name, "module": i.target, "dtypes": list(i.dtypes),
                  "known_deviations": {":".join(k): _reason(r) for k, r in i.known_deviations.items()},
                  **({"library": i.library, "findings": i.findings} if i.library else {})}
                 for i in config.dlprops_impls]
        recorder = cls(config.getoption("report_json"), config.getoption("report_html"), run_meta(config), impls)
        from properties.plugin import node_path
        recorder.node_prefix = node_path(config, "")  # '' in the checkout, else the checkout's path and '/'
        return recorder

    def _append(self, obj: dict) -> None:
        if self.jsonl is None and self.stream is not None:
            self.stream.parent.mkdir(parents=True, exist_ok=True)
            self.jsonl = open(self.stream, "w", encoding="utf-8")
            self.jsonl.write(json.dumps({"meta": self.meta, "impls": self.impls}, default=str) + "\n")
        if self.jsonl:
            self.jsonl.write(json.dumps(obj, default=str) + "\n")
            self.jsonl.flush()

    def add(self, record: dict) -> None:
        key = record.get("nodeid") or f"{record['impl']}:{record['component']}:{record['property']}:{record['dtype']}"
        if self.results.get(key) == record:
            return  # the call and teardown reports of a check carry the same record: stream it once
        self.results[key] = record
        self._append({"result": record})

    def add_report(self, report) -> None:
        """Take the result a test report carries, or attribute a crash to the check it was running."""
        record = next((v for k, v in report.user_properties if k == RESULT_KEY), None)
        if record is not None:
            self.add(record)
        elif report.failed and report.nodeid not in self.results and report.when in ("call", "???"):
            crashed = crash_record(report.nodeid, str(report.longrepr))
            if crashed:
                crashed["reproduce"] = self._reproduce(crashed)
                self.add(crashed)

    def _reproduce(self, record: dict) -> str:
        """The command that runs a crashed check again (alone, it takes the pytest process down with it)."""
        from properties.loader import BUILTINS
        module = next((i["module"] for i in self.impls if i["name"] == record["impl"]), None)
        return reproduce_command(getattr(self, "node_prefix", "") + record["nodeid"], seed=self.meta.get("seed") or 0,
                                 impl_cli=f"--impl {shlex.quote(module)}" if module and module not in BUILTINS else "")

    def document(self) -> dict:
        meta = {**self.meta, "duration_s": round(time.perf_counter() - self.t0, 3)}
        return build_document(meta, self.impls, list(self.results.values()))

    def finish(self) -> None:
        if self.jsonl:
            self.jsonl.close()
        if not self.results:
            return
        self.written = write_reports(self.document(), self.json_path, self.html_path)
        target = self.json_path or self.html_path
        if target:  # the replays of checks that no longer fail (or did not run) would look current
            from reports.replay import prune
            prune(pathlib.Path(target).parent / "replays",
                  {pathlib.Path(r["replay"]).stem for r in self.results.values() if r.get("replay")})


SORT_KEY = ("family", "component", "property", "impl", "dtype")


def build_document(meta: dict, impls: list[dict], results: list[dict]) -> dict:
    """The results.json document: results in a stable order, so serial and ``-n N`` runs compare equal."""
    results = sorted(results, key=lambda r: tuple(str(r.get(k) or "") for k in SORT_KEY))
    counts: dict[str, int] = {}
    for r in results:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return {"version": VERSION, "meta": {**meta, "counts": counts}, "impls": impls, "results": results}


def write_reports(doc: dict, json_path: str, html_path: str) -> list[str]:
    """Write the JSON and HTML reports (either may be ''); returns the paths written."""
    written = []
    if json_path:
        atomic_write(json_path, json.dumps(doc, indent=1, default=str))
        written.append(str(json_path))
    if html_path:
        from reports.html import render
        atomic_write(html_path, render(doc))
        written.append(str(html_path))
    return written


STOPPED_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>dlprops: the run stopped on a load error</title></head>
<body style="font-family: sans-serif; max-width: 60em; margin: 2em auto">
<h1>dlprops: the run stopped on a load error</h1>
<p>No check ran, so there are no results: this page replaces the report of an earlier run.</p>
<pre style="white-space: pre-wrap">{message}</pre>
<p>Started {started}.</p>
</body></html>
"""


def stopped_on_load_error(json_path: str, html_path: str, message: str) -> None:
    """A run that stopped before any check leaves no earlier report that looks current: the JSON and its JSONL
    stream are removed, the HTML page says the run stopped and why."""
    import html
    if json_path:
        for path in (pathlib.Path(json_path), pathlib.Path(json_path).with_suffix(".jsonl")):
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass
    if html_path:
        started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        try:
            atomic_write(html_path, STOPPED_PAGE.format(message=html.escape(message), started=started))
        except OSError:
            pass


def load_jsonl(path: str) -> dict:
    """Rebuild the results document from a (possibly truncated) ``results.jsonl``."""
    meta, impls, results = {}, [], {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                obj = json.loads(line)
            except json.JSONDecodeError:
                continue  # the last line of an interrupted run may be cut short
            if "meta" in obj:
                meta, impls = obj["meta"], obj.get("impls", [])
            elif "result" in obj:
                r = obj["result"]
                results[r.get("nodeid") or json.dumps([r["impl"], r["component"], r["property"], r["dtype"]])] = r
    return build_document(meta, impls, list(results.values()))
