"""The generated documents are current, and the notes-to-checks page covers every section of the seed notes."""
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seed"
sys.path.insert(0, str(ROOT / "docs"))

import notes_to_checks  # noqa: E402


def test_notes_to_checks_page_is_current():
    run = subprocess.run([sys.executable, "docs/notes_to_checks.py", "--check"], cwd=ROOT)
    assert run.returncode == 0, "docs/notes-to-checks.md is stale: run `python docs/notes_to_checks.py`"


def test_every_claim_names_registered_properties():
    props, _ = notes_to_checks._catalogue()
    unknown = [key for _, _, keys, _ in notes_to_checks.CLAIMS for key in keys if key not in props]
    assert not unknown, unknown


def _numbers(text: str) -> set[str]:
    return {m.group(1) for m in re.finditer(r"^#{2,3}\s+(\d+(?:\.\d+)?|x\.x)\b", text, re.M)}


@pytest.mark.skipif(not SEED.exists(), reason=f"{SEED} is not beside this checkout")
def test_every_section_of_the_notes_is_listed():
    sections = set().union(*(_numbers(p.read_text(encoding="utf-8")) for p in SEED.glob("*.txt")))
    listed = {n for section, *_ in notes_to_checks.CLAIMS for n in re.findall(r"(?:^|/ )(\d+(?:\.\d+)?|x\.x)\b",
                                                                               section)}
    assert sections and not sections - listed, sorted(sections - listed)
