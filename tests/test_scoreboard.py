"""The scoreboard (``make scoreboard``, :mod:`reports.scoreboard`) and the library adapters' findings.

The page is built from records only; every finding an adapter declares names a reproduction script that exists,
and each script, run alone with the pinned library, still shows its difference (exits 1).
"""
from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

from impls._findings import Finding, known_deviations
from reports import scoreboard

ROOT = pathlib.Path(__file__).resolve().parent.parent
REPROS = sorted((ROOT / "docs" / "scoreboard" / "repro").glob("*.py"))


def _finding(**kw) -> Finding:
    base = dict(id="lib-ln-eps", title="LayerNorm ignores eps", checks=(("layer_norm", "matches_oracle", "float32"),),
                cause="eps is added after the sqrt", source="lib/norm.py:LayerNorm.__call__", kind="precision",
                repro="docs/scoreboard/repro/lib-ln-eps.py")
    return Finding(**{**base, **kw})


def _doc() -> dict:
    finding = _finding().record()
    impls = [{"name": "numpy", "module": "impls.numpy", "dtypes": ["float32"]},
             {"name": "lib", "module": "impls.lib", "dtypes": ["float32"],
              "library": {"distribution": "lib", "version": "1.2.3"}, "findings": [finding]}]
    row = dict(impl="lib", dtype="float32", message="", error_ratio=None)
    results = [
        {**row, "component": "layer_norm", "property": "matches_oracle", "status": "xfailed", "error_ratio": 3.5,
         "message": "known deviation: LayerNorm ignores eps | observed: 3.5x at x=[1, 1]",
         "deviation": "LayerNorm ignores eps", "observed": "3.5x at x=[1, 1]"},
        {**row, "component": "layer_norm", "property": "affine_invariant", "status": "passed"},
        {**row, "component": "rms_norm", "property": "matches_oracle", "status": "failed", "message": "boom"},
        {**row, "component": "rope", "property": "matches_oracle", "status": "not_provided"},
        {**row, "impl": "numpy", "component": "rope", "property": "matches_oracle", "status": "passed"},
    ]
    return {"meta": {"profile": "ci", "commit": "abc"}, "impls": impls, "results": results}


def test_matrix_and_findings_come_from_the_records():
    data = scoreboard.scoreboard(_doc())
    assert [lib["name"] for lib in data["libraries"]] == ["lib"]  # a built-in is not a library
    cells = {row["component"]: row["cells"][0] for row in data["rows"]}
    assert cells["layer_norm"]["state"] == "finding" and cells["layer_norm"]["findings"] == ["lib-ln-eps"]
    assert cells["rms_norm"]["state"] == "bad"
    assert "rope" not in cells  # provided by no library: no row
    (f,) = data["findings"]
    assert f["severity"]["worst_ratio"] == 3.5 and f["severity"]["observed"] == 1
    assert f["severity"]["example"] == "3.5x at x=[1, 1]"
    assert [r["component"] for r in data["failing"]] == ["rms_norm"]


def test_page_and_summary(tmp_path):
    page = scoreboard.render(_doc())
    assert 'id="lib-ln-eps"' in page and "lib/norm.py:LayerNorm.__call__" in page and "3.5" in page
    assert "Checks that fail without a finding (1)" in page
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{scoreboard.BEGIN}\nold\n{scoreboard.END}\nrest\n")
    scoreboard.replace_section(readme, scoreboard.summary(_doc()))
    text = readme.read_text()
    assert "| lib | lib 1.2.3 | 2 | 1 |" in text and "old" not in text and text.endswith("rest\n")


def test_main_writes_the_page_and_fails_on_unexplained_failures(tmp_path):
    import json
    results = tmp_path / "results.json"
    results.write_text(json.dumps(_doc()))
    assert scoreboard.main([str(results), "-o", str(tmp_path / "index.html")]) == 1
    assert (tmp_path / "index.html").is_file()


def test_a_finding_is_one_declaration():
    with pytest.raises(ValueError, match="kind"):
        _finding(kind="oops")
    with pytest.raises(ValueError, match="write-up"):
        _finding(kind="bug")
    a, b = _finding(), _finding(id="other", regime="fully masked rows")
    assert known_deviations([_finding(id="x", checks=(("a", "b"),), regime="fully masked rows")]) == \
        {("a", "b"): ("LayerNorm ignores eps", "fully masked rows")}
    with pytest.raises(ValueError, match="two findings"):
        known_deviations([a, b])


def _adapters():
    from properties.loader import LIBRARIES, builtin
    return [builtin(target) for target in LIBRARIES]


def test_every_finding_is_explained_and_reproducible():
    """Each adapter's declarations are exactly its findings', and each finding has its script (and, for a bug, its
    write-up) in the repository."""
    for impl in _adapters():
        findings = getattr(impl.module, "FINDINGS", ())
        assert impl.library and impl.library.get("version"), impl.name
        assert impl.known_deviations == known_deviations(findings), impl.name
        for f in findings:
            assert (ROOT / f.repro).is_file(), f"{f.id}: {f.repro} is missing"
            assert f.cause and f.source, f.id
            if f.writeup:
                assert (ROOT / f.writeup).is_file(), f"{f.id}: {f.writeup} is missing"


@pytest.mark.parametrize("script", REPROS, ids=[p.stem for p in REPROS])
def test_reproduction_still_shows_the_finding(script, tmp_path):
    """A reproduction exits 1 while the library still differs (0 once it is fixed: then narrow the finding). It
    runs from an empty directory without the repository on the path: the library and NumPy alone."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path,
                          env={**env, "KERAS_BACKEND": "jax", "HF_HUB_OFFLINE": "1"})
    assert done.returncode == 1, f"{script.name} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
