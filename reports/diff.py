"""Compare two runs: ``python -m reports diff OLD.json NEW.json``.

Results are keyed by (impl, component, property, dtype). Listed: new failures and errors (a check that was not
failed/error in OLD, or was not in it), fixed checks (failed/error in OLD, passed/xfailed/xpassed in NEW), and
checks whose ``error_ratio`` (observed error over the allowance) grew more than 2x. The exit status is 1 on a
regression — a new failure or error, or a more than 2x growth — and 0 otherwise. An ``error_ratio`` of 0 in OLD
(an exact result) has no ratio to grow by and is not compared.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

PROBLEM = ("failed", "error")
#: NEW statuses that count as fixed for a check that failed in OLD (a skipped or vanished check is not fixed)
FIXED = ("passed", "xfailed", "xpassed")
GROWTH = 2.0

Key = tuple[str, str, str, str]


def key_of(r: dict) -> Key:
    return (r["impl"], r["component"], r["property"], str(r["dtype"]))


def load(path: str) -> dict:
    """A results document from ``results.json`` or a streamed ``results.jsonl``."""
    if path.endswith(".jsonl"):
        from reports.recorder import load_jsonl
        return load_jsonl(path)
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    if not isinstance(doc, dict) or not isinstance(doc.get("results"), list):
        raise ValueError(f"{path}: not a dlprops results document (no 'results' list)")
    return doc


@dataclass
class Diff:
    new_problems: list[tuple[dict | None, dict]] = field(default_factory=list)  # (old or None, new)
    fixed: list[tuple[dict, dict]] = field(default_factory=list)
    grown: list[tuple[dict, dict, float]] = field(default_factory=list)  # (old, new, growth factor)
    vanished: list[dict] = field(default_factory=list)  # in OLD, not in NEW

    @property
    def regression(self) -> bool:
        return bool(self.new_problems or self.grown)


def _ratio(r: dict | None) -> float | None:
    value = (r or {}).get("error_ratio")
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def compare(old: dict, new: dict, *, growth: float = GROWTH) -> Diff:
    before = {key_of(r): r for r in old["results"]}
    after = {key_of(r): r for r in new["results"]}
    diff = Diff()
    for key in sorted(after):
        n, o = after[key], before.get(key)
        if n["status"] in PROBLEM and (o is None or o["status"] not in PROBLEM):
            diff.new_problems.append((o, n))
            continue
        if o is not None and o["status"] in PROBLEM and n["status"] in FIXED:
            diff.fixed.append((o, n))
            continue
        r_old, r_new = _ratio(o), _ratio(n)
        if r_old is not None and r_new is not None and r_old > 0 and r_new > growth * r_old:
            diff.grown.append((o, n, r_new / r_old))
    diff.vanished = [before[k] for k in sorted(set(before) - set(after))]
    return diff


def _name(r: dict) -> str:
    return f"{r['impl']} {r['component']}:{r['property']} {r['dtype']}"


def _detail(r: dict) -> str:
    ratio = _ratio(r)
    if ratio is not None:
        return f"error/allowance {ratio:.3g}"
    message = " ".join((r.get("message") or "").split())
    return message[:77] + "..." if len(message) > 80 else message


def format_diff(diff: Diff) -> list[str]:
    lines = []
    if diff.new_problems:
        lines.append(f"new failures and errors ({len(diff.new_problems)}):")
        for o, n in diff.new_problems:
            was = o["status"] if o is not None else "not run"
            lines.append(f"  {_name(n)}  {was} -> {n['status']}  {_detail(n)}".rstrip())
    if diff.grown:
        lines.append(f"error_ratio grew more than {GROWTH:g}x ({len(diff.grown)}):")
        for o, n, factor in diff.grown:
            lines.append(f"  {_name(n)}  {_ratio(o):.3g} -> {_ratio(n):.3g} ({factor:.3g}x, {n['status']})")
    if diff.fixed:
        lines.append(f"fixed ({len(diff.fixed)}):")
        for o, n in diff.fixed:
            lines.append(f"  {_name(n)}  {o['status']} -> {n['status']}")
    if diff.vanished:
        lines.append(f"not in NEW ({len(diff.vanished)} checks of OLD), e.g. {_name(diff.vanished[0])}")
    verdict = "regression" if diff.regression else "no regression"
    lines.append(f"{len(diff.new_problems)} new failure(s)/error(s), {len(diff.grown)} error_ratio growth(s), "
                 f"{len(diff.fixed)} fixed: {verdict}")
    return lines


def main(argv: list[str]) -> int:
    import argparse
    ap = argparse.ArgumentParser(prog="python -m reports diff", description=__doc__.splitlines()[0])
    ap.add_argument("old", help="results.json (or .jsonl) of the earlier run")
    ap.add_argument("new", help="results.json (or .jsonl) of the later run")
    args = ap.parse_args(argv)
    try:
        old, new = load(args.old), load(args.new)
    except (OSError, ValueError) as exc:
        ap.exit(2, f"python -m reports diff: {exc}\n")
    diff = compare(old, new)
    print("\n".join(format_diff(diff)))
    return 1 if diff.regression else 0
