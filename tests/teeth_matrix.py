"""Which properties catch at least one planted bug: every property against every mutant (first dtype),
without stopping at the first catch. Writes reports/teeth.json (``caught``: property -> the mutants it fails
on, the candidates for each mutant's ``CATCHES``); prints the properties that catch none.

    python tests/teeth_matrix.py [-j JOBS] [FILTER ...]

FILTER (repeatable) keeps only the mutants whose file stem starts with it (``norms``, ``attention_gqa``...);
with a filter the report goes to reports/teeth-partial.json so the full matrix is not overwritten. Properties
listed in ``tests/test_teeth.py:EXEMPT`` are reported apart, not as toothless.
"""
import argparse
import collections
import json
import multiprocessing
import os
import pathlib
import sys
import time
import warnings

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MUTANTS = sorted((ROOT / "tests" / "mutants").glob("*.py"))


def _setup():
    warnings.filterwarnings("ignore")
    from properties import runner
    from tests.conftest import import_property_modules
    runner.register_profiles()
    return import_property_modules()


def _row(path: str) -> tuple[str, list[tuple[str, str]]]:
    """(mutant stem, [(property key, status)]) for every property applicable to the mutant's components."""
    from hypothesis import settings
    from properties import runner
    from properties.loader import import_target, make_impl
    from properties.registry import NO_DTYPE, Check
    props = _setup()
    base = settings.get_profile("mutants")  # the settings tests/test_teeth.py runs with
    impl = make_impl(import_target(path), path)
    out = []
    for p in props:
        if not impl.provides(p.component):
            continue
        for d in [d for d in p.dtypes if d in impl.dtypes or d == NO_DTYPE][:1]:
            out.append((p.key, runner.run_check(Check(impl, p, d), base_settings=base)["status"]))
    return pathlib.Path(path).stem, out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("filters", nargs="*", help="mutant file-stem prefixes to keep")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args(argv)
    paths = [p for p in MUTANTS if not args.filters or any(p.stem.startswith(f) for f in args.filters)]
    start = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(max(1, args.jobs)) as pool:
        rows = pool.map(_row, [str(p) for p in paths], chunksize=1)
    caught = collections.defaultdict(list)
    applicable = collections.Counter()
    for stem, results in rows:
        for key, status in results:
            if status != "skipped":
                applicable[key] += 1
            if status in ("failed", "error"):
                caught[key].append(stem)
    from tests.test_teeth import EXEMPT
    toothless = sorted(k for k in applicable if not caught[k] and k not in EXEMPT)
    exempt = sorted(k for k in applicable if not caught[k] and k in EXEMPT)
    props = _setup()
    never_applicable = sorted(p.key for p in props if p.key not in applicable)
    report = {"mutants": len(paths), "caught": dict(caught), "toothless": toothless, "exempt": exempt,
              "never_applicable": never_applicable, "applicable": dict(applicable)}
    out = ROOT / "reports" / ("teeth-partial.json" if args.filters else "teeth.json")
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    print(f"{len(props)} properties; {len(paths)} mutants; {len(applicable)} applicable to some mutant; "
          f"{len(toothless)} catch none ({time.perf_counter() - start:.0f} s; {out.relative_to(ROOT)}):")
    print("\n".join(toothless))
    if exempt:
        print(f"exempt and uncaught ({len(exempt)}): " + ", ".join(exempt))
    if never_applicable and not args.filters:
        print(f"never run against a mutant ({len(never_applicable)}): " + ", ".join(never_applicable))
    return 1 if toothless else 0


if __name__ == "__main__":
    sys.exit(main())
