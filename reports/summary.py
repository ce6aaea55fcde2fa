"""The terminal summary at the end of a run: a component x implementation table of outcomes, one line per failure
or error, the "not provided" skips folded into one line per implementation, and the report files written.

:func:`summary_lines` works on result records alone (those of ``results.json``), so it is the same for a serial run
and for the controller of a ``-n N`` run, and it is tested without running pytest.
"""
from __future__ import annotations

import pathlib
from collections import Counter, defaultdict

from properties.catalogue import COMPONENTS

#: the table's columns: (heading, statuses counted in it)
COLUMNS = (("passed", ("passed",)), ("failed", ("failed",)), ("error", ("error",)),
           ("known dev.", ("xfailed", "xpassed")), ("skipped", ("skipped",)))
MESSAGE_CHARS = 80


def _not_provided(r: dict) -> bool:
    """The implementation lacks the component itself (not a vjp or another component one property needs: those
    count as skipped in the table)."""
    return r["status"] == "skipped" and r.get("message") == f"not provided: {r['impl']} has no {r['component']}"


def _order(component: str) -> tuple:
    return (list(COMPONENTS).index(component) if component in COMPONENTS else len(COMPONENTS), component)


def problem_line(r: dict) -> str:
    """``impl component:property dtype  error/allowance R`` or ``... status: message`` (80 characters)."""
    head = f"{r['impl']} {r['component']}:{r['property']} {r['dtype']}"
    ratio = r.get("error_ratio")
    if isinstance(ratio, (int, float)):
        return f"{head}  error/allowance {ratio:.3g}"
    message = " ".join((r.get("message") or "").split())
    if len(message) > MESSAGE_CHARS:
        message = message[:MESSAGE_CHARS - 3] + "..."
    return f"{head}  {r['status']}: {message}"


def table_lines(results: list[dict], impl_order: list[str] | None = None) -> list[str]:
    """One row per (component, implementation) with a check that was not a "not provided" skip."""
    counts: dict = defaultdict(Counter)
    for r in results:
        if not _not_provided(r):
            counts[(r["component"], r["impl"])][r["status"]] += 1
    if not counts:
        return []
    impls = list(dict.fromkeys([*(impl_order or []), *sorted({i for _, i in counts})]))
    rows = sorted(counts, key=lambda key: (_order(key[0]), impls.index(key[1])))
    header = ["component", "implementation", *(h for h, _ in COLUMNS)]
    body = [[c, i, *(str(sum(counts[(c, i)][s] for s in statuses)) for _, statuses in COLUMNS)] for c, i in rows]
    widths = [max(len(row[k]) for row in [header, *body]) for k in range(len(header))]

    def fmt(row):
        return "  ".join(cell.ljust(w) if k < 2 else cell.rjust(w) for k, (cell, w) in enumerate(zip(row, widths)))

    return [fmt(header), *map(fmt, body)]


def not_provided_lines(results: list[dict], impl_order: list[str] | None = None) -> list[str]:
    """``numpy: 12 components not provided`` — one line per implementation, not one per check."""
    missing: dict = defaultdict(set)
    for r in results:
        if _not_provided(r):
            missing[r["impl"]].add(r["component"])
    impls = list(dict.fromkeys([*(i for i in impl_order or [] if i in missing), *sorted(missing)]))
    return [f"{i}: {len(missing[i])} component{'s' if len(missing[i]) != 1 else ''} not provided" for i in impls]


def summary_lines(results: list[dict], *, impl_order: list[str] | None = None, written: list[str] = (),
                  load_problems: list[str] = ()) -> list[str]:
    """The whole summary, without the section rule pytest draws above it."""
    lines = table_lines(results, impl_order)
    problems = sorted((r for r in results if r["status"] in ("failed", "error")),
                      key=lambda r: (r["impl"], _order(r["component"]), r["property"], r["dtype"]))
    if problems:
        lines += ["", f"failures and errors ({len(problems)}):"]
        # a component whose signature is not the catalogue's: one line for all its checks, not one per check
        mismatched = Counter((r["impl"], r["component"]) for r in problems
                             if r["status"] == "error" and (r.get("message") or "").startswith("signature: "))
        for r in problems:
            key = (r["impl"], r["component"])
            if key not in mismatched:
                lines.append("  " + problem_line(r))
            elif mismatched[key]:
                lines.append(f"  {r['impl']} {r['component']}:* ({mismatched[key]} checks)  error: signature is not "
                             "the catalogue's")
                mismatched[key] = 0
    if load_problems:
        lines += ["", "found at load (a signature mismatch makes its checks errors):", *("  " + p for p in load_problems)]
    folded = not_provided_lines(results, impl_order)
    if folded:
        lines += ["", *folded]
    if written:
        lines += ["", "reports written: " + ", ".join(written)]
    replays = sorted({str(pathlib.PurePath(r["replay"]).parent) for r in problems if r.get("replay")})
    if replays:
        lines.append(f"replay scripts (plain Python, exit 1 while the failure holds): {', '.join(replays)}/*.py")
    return lines
