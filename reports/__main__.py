"""Rebuild the reports from the results a run recorded: ``python -m reports reports/results.jsonl -o out.html``.

Useful after an interrupted run: the JSONL stream holds every check that finished.
``python -m reports diff OLD.json NEW.json`` compares two runs (see :mod:`reports.diff`);
``python -m reports scoreboard RESULTS.json`` writes the libraries' scoreboard (see :mod:`reports.scoreboard`).
"""
import argparse
import json
import sys

from reports.recorder import load_jsonl, write_reports


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["diff"]:
        from reports.diff import main as diff_main
        return diff_main(argv[1:])
    if argv[:1] == ["scoreboard"]:
        from reports.scoreboard import main as scoreboard_main
        return scoreboard_main(argv[1:])
    ap = argparse.ArgumentParser(prog="python -m reports", description=__doc__.splitlines()[0])
    ap.add_argument("results", help="results.jsonl (streamed during a run) or results.json")
    ap.add_argument("-o", "--html", default="reports/report.html", help="HTML output (default %(default)s)")
    ap.add_argument("--json", default="", help="also write the merged results.json here")
    args = ap.parse_args(argv)
    if args.results.endswith(".jsonl"):
        doc = load_jsonl(args.results)
    else:
        with open(args.results, encoding="utf-8") as f:
            doc = json.load(f)
    write_reports(doc, args.json, args.html)
    print(f"{len(doc['results'])} results -> {args.html}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
