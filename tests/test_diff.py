"""``python -m reports diff OLD.json NEW.json``: new failures and errors, fixed checks, error_ratio growth over 2x,
and the exit status (1 on a regression), on small hand-made results documents."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from reports.__main__ import main as reports_main
from reports.diff import compare, format_diff
from reports.recorder import build_document
from tests.plugins import ROOT, suite_env


def rec(impl, component, prop, dtype="float32", status="passed", ratio=None, message=""):
    return {"impl": impl, "component": component, "property": prop, "dtype": dtype, "status": status,
            "examples": 10, "duration_s": 0.01, "message": message, "counterexample": None, "max_abs_err": None,
            "max_rel_err": None, "error_ratio": ratio}


def doc(*results):
    return build_document({"seed": 0}, [{"name": "a", "module": "a.py", "dtypes": ["float32"]}], list(results))


def write(tmp_path, name, document) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return str(path)


OLD = doc(rec("a", "relu", "matches_oracle", ratio=0.1),
          rec("a", "relu", "elementwise", status="failed", ratio=3.0, message="relu(x) != relu(x[i])"),
          rec("a", "tanh", "matches_oracle", ratio=0.2),
          rec("a", "tanh", "odd", status="error", message="ImplError: boom"),
          rec("a", "silu", "matches_oracle", ratio=0.0),
          rec("a", "gelu", "matches_oracle", dtype="float16", ratio=0.1),
          rec("a", "softmax", "sums_to_one", status="failed", ratio=5.0))


def test_no_change_is_exit_0(tmp_path, capsys):
    path = write(tmp_path, "old.json", OLD)
    assert reports_main(["diff", path, path]) == 0
    out = capsys.readouterr().out
    assert "0 new failure(s)/error(s), 0 error_ratio growth(s), 0 fixed: no regression" in out


def test_new_failure_fixed_and_growth(tmp_path, capsys):
    new = doc(rec("a", "relu", "matches_oracle", status="failed", ratio=4.0),  # passed -> failed
              rec("a", "relu", "elementwise", ratio=0.5),  # failed -> passed
              rec("a", "tanh", "matches_oracle", ratio=0.5),  # 0.2 -> 0.5: 2.5x
              rec("a", "tanh", "odd", status="error", message="ImplError: boom"),  # still an error: not new
              rec("a", "silu", "matches_oracle", ratio=0.3),  # from 0 (exact): not compared
              rec("a", "gelu", "matches_oracle", dtype="float16", ratio=0.19),  # 1.9x: under 2x
              rec("a", "softmax", "sums_to_one", status="failed", ratio=11.0),  # still failing, 2.2x worse
              rec("a", "mse_loss", "mean", status="error", message="ImplError: " + "x" * 200))  # a new check
    code = reports_main(["diff", write(tmp_path, "old.json", OLD), write(tmp_path, "new.json", new)])
    out = capsys.readouterr().out
    assert code == 1, out
    assert "new failures and errors (2):" in out
    assert "  a relu:matches_oracle float32  passed -> failed  error/allowance 4" in out
    assert "  a mse_loss:mean float32  not run -> error  ImplError: xxx" in out
    assert "error_ratio grew more than 2x (2):" in out
    assert "  a tanh:matches_oracle float32  0.2 -> 0.5 (2.5x, passed)" in out
    assert "  a softmax:sums_to_one float32  5 -> 11 (2.2x, failed)" in out
    assert "fixed (1):\n  a relu:elementwise float32  failed -> passed" in out
    for quiet in ("tanh:odd", "silu:", "gelu:"):
        assert quiet not in out, out
    assert "2 new failure(s)/error(s), 2 error_ratio growth(s), 1 fixed: regression" in out


def test_only_fixes_is_exit_0(tmp_path, capsys):
    new = doc(*[rec(r["impl"], r["component"], r["property"], r["dtype"], ratio=r["error_ratio"])
                for r in OLD["results"]])
    assert reports_main(["diff", write(tmp_path, "old.json", OLD), write(tmp_path, "new.json", new)]) == 0
    out = capsys.readouterr().out
    assert "fixed (3):" in out and "no regression" in out


def test_growth_alone_is_a_regression():
    new = doc(*[dict(r) for r in OLD["results"]])
    new["results"][0]["error_ratio"] *= 10  # one passing check, 10x closer to its allowance
    d = compare(OLD, new)
    assert d.regression and not d.new_problems and not d.fixed and len(d.grown) == 1
    assert format_diff(d)[-1].endswith(": regression")


def test_dtype_is_part_of_the_key_and_vanished_checks_are_noted():
    new = doc(rec("a", "gelu", "matches_oracle", dtype="float32", status="failed", ratio=9.0))
    d = compare(OLD, new)
    assert [n["dtype"] for _, n in d.new_problems] == ["float32"]  # float16's result is another check
    assert len(d.vanished) == len(OLD["results"]) and not d.fixed  # a vanished failure is not "fixed"
    assert any(line.startswith("not in NEW (7 checks of OLD)") for line in format_diff(d))


def test_reads_jsonl_and_rejects_a_non_report(tmp_path, capsys):
    stream = tmp_path / "old.jsonl"
    stream.write_text("\n".join([json.dumps({"meta": {}, "impls": []})]
                                + [json.dumps({"result": r}) for r in OLD["results"]]) + "\n")
    assert reports_main(["diff", str(stream), write(tmp_path, "new.json", OLD)]) == 0
    with pytest.raises(SystemExit) as exc:
        reports_main(["diff", write(tmp_path, "x.json", {"nope": 1}), str(stream)])
    assert exc.value.code == 2
    assert "not a dlprops results document" in capsys.readouterr().err


def test_command_line(tmp_path):
    new = doc(rec("a", "relu", "matches_oracle", status="error", message="ImplError: boom"))
    out = subprocess.run([sys.executable, "-m", "reports", "diff", write(tmp_path, "old.json", OLD),
                          write(tmp_path, "new.json", new)], cwd=ROOT, env=suite_env(), capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "a relu:matches_oracle float32  passed -> error  ImplError: boom" in out.stdout
