"""Speed of the suite: a full verification's wall time, per-implementation and per-family cost, and the
harness overhead against calling an implementation directly.

    python benchmarks/bench.py [--workers 2] [--skip-full] [--jax-cache DIR]

Prints a table and writes ``reports/bench.json``. The full run uses the ``ci`` profile (CI=true), exactly what
``make verify`` runs; per-check figures come from its ``results.json``. Timing is wall-clock with repeats and
medians where it is ours to repeat.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time
from collections import defaultdict

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def full_run(workers: int, out: pathlib.Path, jax_cache: str | None = None) -> float:
    """Wall seconds of the ``ci``-profile verification of every built-in (what ``make verify`` runs); with
    ``jax_cache`` JAX's persistent compilation cache lives there (an empty folder: a first run on a machine)."""
    cmd = [sys.executable, "-m", "pytest", "properties", "-q", "-p", "no:cacheprovider",
           "--report-json", str(out), "--report-html", str(out.with_suffix(".html"))]
    if workers > 1:
        cmd += ["-n", str(workers)]
    start = time.perf_counter()
    env = {**os.environ, "CI": "true", **({"DLPROPS_JAX_CACHE": jax_cache} if jax_cache is not None else {})}
    subprocess.run(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def per_impl_family(results: list[dict]) -> list[dict]:
    rows = defaultdict(lambda: {"checks": 0, "examples": 0, "seconds": 0.0})
    for r in results:
        if r["status"] == "skipped":
            continue
        row = rows[(r["impl"], r.get("family") or "?")]
        row["checks"] += 1
        row["examples"] += r.get("examples") or 0
        row["seconds"] += r.get("duration_s") or 0.0
    out = []
    for (impl, family), row in sorted(rows.items()):
        row.update(impl=impl, family=family, examples_per_s=round(row["examples"] / max(row["seconds"], 1e-9), 1),
                   seconds=round(row["seconds"], 3))
        out.append(row)
    return out


def mean_cost_per_check(results: list[dict]) -> dict:
    cost = defaultdict(list)
    for r in results:
        if r["status"] != "skipped" and r.get("duration_s") is not None:
            cost[r["impl"]].append(r["duration_s"])
    return {impl: round(statistics.fmean(v), 5) for impl, v in cost.items()}


def matched_cost_ratio(results: list[dict], impl: str, baseline: str = "numpy") -> dict:
    """``impl``'s cost over ``baseline``'s on the same work: the checks (component, property, dtype) that both
    ran and passed, overall and per family. Checks only one of them has (gradients: NumPy has no autodiff)
    and failing checks (whose cost is Hypothesis shrinking) are left out of this figure."""
    base = {(r["component"], r["property"], r["dtype"]): r for r in results
            if r["impl"] == baseline and r["status"] == "passed"}
    totals = defaultdict(lambda: [0.0, 0.0, 0])
    for r in results:
        key = (r["component"], r["property"], r["dtype"])
        if r["impl"] != impl or r["status"] != "passed" or key not in base:
            continue
        for family in ("all", r.get("family") or "?"):
            row = totals[family]
            row[0] += r["duration_s"] or 0.0
            row[1] += base[key]["duration_s"] or 0.0
            row[2] += 1
    return {family: {"checks": n, "seconds": round(a, 2), "baseline_seconds": round(b, 2),
                     "ratio": round(a / b, 2) if b else None}
            for family, (a, b, n) in sorted(totals.items())}


def _paired_timings(prop, impl, base, repeats: int, direct_call) -> tuple[list, list, int]:
    """CPU seconds per case of ``prop`` under the harness and of ``direct_call`` on the same cases, measured in
    pairs (harness run, then the direct loop over the cases it drew) so that both see the same machine state;
    process time, not wall time, because this shared machine's wall-clock speed drifts by ~1.5x over seconds."""
    from properties import registry, runner
    drawn, harness, direct = [], [], []

    def capturing(subject, case):
        drawn.append(case)
        return prop.fn(subject, case)

    check = registry.Check(impl, registry.Property(**{**prop.__dict__, "fn": capturing}), "float32")
    for _ in range(repeats):
        drawn.clear()
        start = time.process_time()
        record = runner.run_check(check, base_settings=base)
        harness.append((time.process_time() - start) / max(record["examples"], 1))
        start = time.process_time()
        for case in drawn:
            direct_call(case)
        direct.append((time.process_time() - start) / max(len(drawn), 1))
    return harness, direct, len(drawn)


def harness_overhead(repeats: int = 9) -> dict:
    """Seconds per case of NumPy softmax under the harness against calling it directly on the very inputs the
    harness drew (the fastest of ``repeats`` paired runs, medians beside). ``harness``: the harness alone —
    Hypothesis, the input recipe and its replicas, the Subject's conversion, output checks and timeout, result
    recording — around one call, as a plain ``@given`` test would be; ``property``: the full
    ``rows_are_distributions`` property (its own sums and comparisons included)."""
    from hypothesis import settings

    import impls.numpy as np_impl
    from properties import loader, registry, runner
    import properties.test_activations as acts

    runner.register_profiles()
    impl = loader.make_impl(np_impl, "impls.numpy")
    base = settings(settings.get_profile("ci"), max_examples=100)
    real = next(p for p in registry.properties("properties.test_activations")
                if p.component == "softmax" and p.name == "rows_are_distributions")

    def one_call(subject, case):
        subject.expect(subject.softmax(case["x"], axis=case["axis"]), shape=case["x"].shape)

    bare = registry.Property(**{**real.__dict__, "name": "harness_only", "fn": one_call})
    out = {"component": "softmax", "replicas": registry.replicas_of(real)}
    for label, prop in (("harness", bare), ("property", real)):
        harness, direct, cases = _paired_timings(
            prop, impl, base, repeats, lambda case: np_impl.softmax(case["x"], axis=case["axis"]))
        # the fastest of the repeats is the cost itself (other load on the machine only ever adds time);
        # the medians are kept beside it
        h, d = min(harness), min(direct)
        out[label] = {"cases": cases, "s_per_case": h, "direct_s_per_call": d, "ratio": round(h / d, 2),
                      "median_ratio": round(statistics.median(harness) / statistics.median(direct), 2),
                      "ratio_per_repeat": [round(a / b, 2) for a, b in zip(harness, direct)]}
    out["ratio"] = out["harness"]["ratio"]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--skip-full", action="store_true", help="only measure the harness overhead")
    ap.add_argument("--jax-cache", metavar="DIR", default=None,
                    help="JAX's compilation cache for the full run (an empty folder measures a cold first run)")
    args = ap.parse_args()
    report: dict = {"harness_overhead": harness_overhead()}
    if not args.skip_full:
        out = ROOT / "reports" / "bench_results.json"
        report["full_run_wall_s"] = round(full_run(args.workers, out, args.jax_cache), 1)
        report["jax_cache"] = args.jax_cache or "default (~/.cache/dlprops-jax)"
        results = json.loads(out.read_text())["results"]
        report["mean_s_per_check"] = mean_cost_per_check(results)
        report["per_impl_family"] = per_impl_family(results)
        cost = report["mean_s_per_check"]
        if "jax" in cost and "numpy" in cost:
            report["jax_over_numpy"] = round(cost["jax"] / cost["numpy"], 2)
        report["over_numpy_same_checks"] = {impl: matched_cost_ratio(results, impl)
                                            for impl in cost if impl != "numpy"}
        from properties.budgets import sharpness
        report["sharpness"] = sharpness(results, properties={r["property"] for r in results
                                                             if r["property"].endswith("matches_oracle")})
    (ROOT / "reports").mkdir(exist_ok=True)
    (ROOT / "reports" / "bench.json").write_text(json.dumps(report, indent=1))
    h = report["harness_overhead"]
    for label in ("harness", "property"):
        r = h[label]
        print(f"{label} overhead ({h['component']}, {r['cases']} cases, {h['replicas']} per example): "
              f"{r['s_per_case'] * 1e6:.0f} us/case vs {r['direct_s_per_call'] * 1e6:.1f} us direct -> "
              f"{r['ratio']}x (medians: {r['median_ratio']}x)")
    if "full_run_wall_s" in report:
        print(f"full verification (ci profile, -n {args.workers}): {report['full_run_wall_s']} s wall")
        print("mean seconds per check:", report["mean_s_per_check"], "jax/numpy:", report.get("jax_over_numpy"))
        for impl, rows in report["over_numpy_same_checks"].items():
            per_family = ", ".join(f"{f} {r['ratio']}" for f, r in rows.items() if f != "all")
            print(f"{impl}/numpy on the same passing checks ({rows['all']['checks']}): {rows['all']['ratio']}x "
                  f"({per_family})")
        for dtype, v in report["sharpness"].items():
            print(f"sharpness {dtype}: a correct built-in uses a median {v['median']:.2f} (min {v['min']:.2f}) of "
                  f"its oracle allowance over {v['components']} components")
        print(f"{'impl':14} {'family':16} {'checks':>6} {'examples':>8} {'seconds':>8} {'ex/s':>8}")
        for row in report["per_impl_family"]:
            print(f"{row['impl']:14} {row['family']:16} {row['checks']:6} {row['examples']:8} "
                  f"{row['seconds']:8.2f} {row['examples_per_s']:8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
