"""Figures for the report, as inline SVG from matplotlib (no external assets).

``FIGURES`` maps a family to functions ``() -> (title, caption, svg)`` that draw what a table cannot show, from
the NumPy implementation; :func:`error_histograms` draws, per implementation, how far below its allowance each
comparison's error was (so the margin of passing checks is visible too).
"""
from __future__ import annotations

import functools
import io
from typing import Callable

import numpy as np

from properties.context import HIST_BINS, HIST_LO, HIST_STEP

FIGURES: dict[str, list[Callable]] = {}


def figure(family: str):
    """Register a family figure."""
    def register(fn):
        FIGURES.setdefault(family, []).append(fn)
        return fn
    return register


def new_figure(width=6.0, height=3.0, **subplots):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.rcParams.update({"svg.fonttype": "none", "font.size": 9})
    return plt.subplots(figsize=(width, height), **subplots)


def to_svg(fig) -> str:
    import matplotlib.pyplot as plt
    buf = io.StringIO()
    fig.tight_layout()
    fig.savefig(buf, format="svg")
    plt.close(fig)
    svg = buf.getvalue()
    return svg[svg.index("<svg"):]  # drop the XML prolog and doctype: the SVG is inlined in HTML


def error_histograms(doc: dict) -> list[tuple[str, str, str]]:
    """One histogram per implementation of log10(error / allowed) over all recorded comparisons."""
    totals: dict[str, np.ndarray] = {}
    for r in doc["results"]:
        if r.get("histogram"):
            totals.setdefault(r["impl"], np.zeros(HIST_BINS, dtype=np.int64))
            totals[r["impl"]] += np.asarray(r["histogram"][:HIST_BINS], dtype=np.int64)
    if not totals:
        return []
    fig, ax = new_figure(7.0, 2.8)
    centers = HIST_LO + HIST_STEP * (np.arange(HIST_BINS) - 0.5)
    centers[0] = HIST_LO - 1.0  # the "exact" bin
    for name, counts in sorted(totals.items()):
        ax.step(centers, counts / max(counts.sum(), 1), where="mid", label=name)
    ax.axvline(0.0, color="crimson", linestyle="--", linewidth=1)
    ax.text(0.05, ax.get_ylim()[1] * 0.9, "allowed", color="crimson")
    ax.set_xlabel("log10(observed error / allowed error)   (left bin: exact)")
    ax.set_ylabel("fraction of comparisons")
    ax.legend(fontsize=7, ncol=3)
    caption = ("Every oracle comparison and numeric identity, binned by how much of its error budget it used; "
               "mass left of the dashed line passes, with the distance showing the margin.")
    return [("Error margin per implementation", caption, to_svg(fig))]


@functools.lru_cache(maxsize=None)
def family_figures(family: str) -> tuple[tuple[str, str, str], ...]:
    """The figures registered by ``reports/figures_<family>.py`` (imported on demand), drawn once per process:
    they come from the NumPy implementation, not from a run's results."""
    import importlib
    try:
        importlib.import_module(f"reports.figures_{family}")
    except ModuleNotFoundError:
        pass
    out = []
    for fn in FIGURES.get(family, []):
        try:
            out.append(fn())
        except Exception as exc:  # a figure must never cost the report
            out.append((fn.__name__, f"figure failed: {type(exc).__name__}: {exc}", ""))
    return tuple(out)
