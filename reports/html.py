"""The HTML report: one self-contained page (Jinja2 with autoescaping, inline CSS and SVG, no network).

It works with JavaScript off: drill-down uses ``<details>``; a small inline script only adds filtering (by
implementation, outcome and text: it hides failure cards, matrix columns and rows, deviation rows).

The page is laid out for someone checking one implementation: failures first, one card per (implementation,
component, property) with its dtypes inside; the matrix lists the components some implementation checked (a
non-skipped result) and folds the rest into one closed ``<details>``; family figures only for checked families.
"""
from __future__ import annotations

import pathlib
import threading
from collections import Counter, defaultdict

import jinja2

from properties.catalogue import COMPONENTS, FAMILIES, family_of
from reports import figures

STATUSES = ("passed", "failed", "error", "xfailed", "xpassed", "skipped")
#: severity order used to colour a matrix cell by its worst outcome
SEVERITY = {"error": 5, "failed": 4, "xpassed": 3, "xfailed": 2, "passed": 1, "skipped": 0}

_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(pathlib.Path(__file__).parent / "templates"),
    autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)


def _fmt(value, digits=3):
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)


_ENV.filters["fmt"] = _fmt


def matrix(doc: dict) -> dict:
    """family -> component -> impl -> {status counts, worst status}."""
    cells: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(Counter)))
    for r in doc["results"]:
        cells[family_of(r["component"])][r["component"]][r["impl"]][r["status"]] += 1
    out = {}
    for family in list(FAMILIES) + sorted(set(cells) - set(FAMILIES)):
        if family not in cells:
            continue
        out[family] = {}
        for component in sorted(cells[family], key=lambda c: list(COMPONENTS).index(c) if c in COMPONENTS else 99):
            row = {}
            for impl, counts in cells[family][component].items():
                worst = max(counts, key=lambda s: SEVERITY.get(s, 0))
                if set(counts) == {"skipped"}:
                    worst = "skipped"
                row[impl] = {"counts": dict(counts), "worst": worst}
            out[family][component] = row
    return out


def checked_components(doc: dict) -> set[str]:
    """Components some implementation actually checked: at least one result that was not skipped (a failure or
    an error counts). A component every implementation skipped ("not provided", dtype not supported) is not."""
    return {r["component"] for r in doc["results"] if r["status"] != "skipped"}


def split_matrix(full: dict, checked: set[str]) -> tuple[dict, dict]:
    """(shown, folded): the matrix rows of checked components, and those no checked implementation provides."""
    shown: dict = {}
    folded: dict = {}
    for family, rows in full.items():
        for component, row in rows.items():
            (shown if component in checked else folded).setdefault(family, {})[component] = row
    return shown, folded


def problem_cards(doc: dict) -> list[dict]:
    """One card per (implementation, component, property) with a failed or errored dtype: every dtype of that
    property for that implementation inside it (its outcome; for a failing one its message, counterexample,
    reproduce command and replay path), worst card first, then by name."""
    groups: dict = {}
    for r in doc["results"]:
        groups.setdefault((r["impl"], r["component"], r["property"]), []).append(r)
    cards = []
    for (impl, component, prop), rs in groups.items():
        problems = [r for r in rs if r["status"] in ("failed", "error")]
        if not problems:
            continue
        worst = max((r["status"] for r in problems), key=lambda s: SEVERITY[s])
        statement = next((r["statement"] for r in rs if r.get("statement")), "")
        cards.append({"impl": impl, "component": component, "property": prop, "status": worst,
                      "statuses": sorted({r["status"] for r in rs}, key=lambda s: -SEVERITY.get(s, 0)),
                      "statement": statement, "dtypes": sorted(rs, key=lambda r: r["dtype"]),
                      "problems": sorted(problems, key=lambda r: r["dtype"])})
    return sorted(cards, key=lambda c: (-SEVERITY[c["status"]], c["impl"], c["component"], c["property"]))


def details(doc: dict) -> dict:
    """component -> property -> list of results (one per impl and dtype)."""
    out: dict = defaultdict(lambda: defaultdict(list))
    for r in doc["results"]:
        out[r["component"]][r["property"]].append(r)
    return out


def statements(doc: dict) -> dict:
    """component -> property -> plain-words statement, as the records carry it (the page reads records only:
    it imports no property module and no implementation)."""
    out: dict = defaultdict(dict)
    for r in doc["results"]:
        if r.get("statement"):
            out[r["component"]].setdefault(r["property"], r["statement"])
    return out


def grouped_deviations(doc: dict) -> list[dict]:
    """Declared deviations, one row per (implementation, component, property): dtypes with their outcome, the
    declared reason once, and one observation with its counterexample (the first dtype that deviated)."""
    groups: dict = {}
    for r in doc["results"]:
        if r["status"] not in ("xfailed", "xpassed"):
            continue
        g = groups.setdefault((r["impl"], r["component"], r["property"]),
                              {"impl": r["impl"], "component": r["component"], "property": r["property"],
                               "outcomes": [], "reason": "", "observed": "", "counterexample": ""})
        g["outcomes"].append((r["dtype"], r["status"]))
        if r["status"] == "xfailed" and not g["observed"]:
            g.update(reason=r.get("deviation") or "", observed=r.get("observed") or "",
                     counterexample=r.get("counterexample") or "")
        elif not g["reason"]:
            g["reason"] = r.get("deviation") or ""
    return sorted(groups.values(), key=lambda g: (g["impl"], g["component"], g["property"]))


def bad_inputs_tried(doc: dict) -> dict:
    """implementation -> number of convention-breaking inputs its rejects_bad_input checks tried."""
    out: Counter = Counter()
    for r in doc["results"]:
        out[r["impl"]] += r.get("bad_inputs") or 0
    return {k: v for k, v in out.items() if v}


def skipped_reasons(doc: dict) -> list[tuple[str, str, int]]:
    counts = Counter((r["impl"], (r.get("message") or "").split(":")[0] + ": " + (r.get("message") or "")
                      .split(":", 1)[-1].strip()[:120]) for r in doc["results"] if r["status"] == "skipped")
    return sorted(((impl, reason, n) for (impl, reason), n in counts.items()), key=lambda t: (t[0], -t[2]))


_PREPARING: threading.Thread | None = None


def prepare_in_background() -> None:
    """Start loading what the page needs before any result exists — matplotlib, the template, and the family
    figures, which depend on no result — in a thread, while the checks run. :func:`render` waits for it.
    After the last check this took ~2 s (~1.5 s of it importing and drawing), when every other core is idle."""
    global _PREPARING
    if _PREPARING is None:
        _PREPARING = threading.Thread(target=_prepare, name="dlprops-report", daemon=True)
        _PREPARING.start()


def _prepare() -> None:
    try:
        _ENV.get_template("report.html.j2")
        for family in FAMILIES:
            figures.family_figures(family)
    except Exception:  # render() does the same work again and shows what fails
        pass


def _oracle_sharpness(doc: dict) -> dict:
    """Per dtype, the median and minimum over components of the worst error / allowance of the built-ins' passed
    oracle comparisons: how much of its allowance a correct kernel uses (:func:`properties.budgets.sharpness`)."""
    from properties.budgets import sharpness
    names = {r["property"] for r in doc["results"] if r["property"].endswith("matches_oracle")}
    return sharpness(doc, properties=names)


def render(doc: dict) -> str:
    """The report page for a results document (see :mod:`reports.recorder`)."""
    if _PREPARING is not None:
        _PREPARING.join()  # matplotlib's pyplot is not thread-safe: one drawer at a time
    results = doc["results"]
    impl_names = [i["name"] for i in doc.get("impls", [])] or sorted({r["impl"] for r in results})
    problems = [r for r in results if r["status"] in ("failed", "error")]
    checked = checked_components(doc)
    # a family's figures only where some component of it was checked (not for a plug-in's missing components)
    families_checked = [f for f in FAMILIES if any(family_of(c) == f for c in checked)]
    figs = figures.error_histograms(doc)
    family_figs = {f: figures.family_figures(f) for f in families_checked}
    shown, folded = split_matrix(matrix(doc), checked)
    template = _ENV.get_template("report.html.j2")
    return template.render(
        meta=doc.get("meta", {}), impls=doc.get("impls", []), impl_names=impl_names,
        counts=Counter(r["status"] for r in results), statuses=STATUSES, matrix=shown, folded=folded,
        folded_count=sum(len(rows) for rows in folded.values()),
        families=FAMILIES, components=COMPONENTS, details=details(doc), statements=statements(doc),
        problems=problems, cards=problem_cards(doc), deviations=grouped_deviations(doc),
        skipped=skipped_reasons(doc), figures=figs, family_figures=family_figs, total=len(results),
        bad_inputs=bad_inputs_tried(doc), sharpness=_oracle_sharpness(doc))
