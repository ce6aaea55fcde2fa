"""docs/contract.md is current: generated from the catalogue, the registry and the report code (docs/contract.py)."""
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs"))

import contract  # noqa: E402


def test_contract_page_is_current():
    run = subprocess.run([sys.executable, "docs/contract.py", "--check"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, "docs/contract.md is stale: run `python docs/contract.py`\n" + run.stderr


def test_every_component_and_property_is_on_the_page(all_properties):
    from properties.catalogue import SIGNATURES
    page = (ROOT / "docs" / "contract.md").read_text(encoding="utf-8")
    for component, sig in SIGNATURES.items():
        assert f"`{component}{sig}`" in page, component
    for p in all_properties:
        assert p.statement.replace("|", "\\|") in " ".join(page.split()), p.key


def test_every_field_of_a_result_record_is_described(all_properties):
    from properties import plugin  # noqa: F401  (the profiles)
    from properties.loader import builtin
    from properties.registry import Check
    from properties.result import Result
    from properties.runner import run_check
    described = {f for f, _ in contract.FIELDS}
    prop = next(p for p in all_properties if p.key == "relu:matches_oracle")
    check = Check(builtin("impls.numpy"), prop, "float32")
    keys = set(run_check(check)) | set(Result.for_signature_error(check, "x", seed=0, nodeid="n").to_json())
    assert keys <= described, sorted(keys - described)


def test_page_states_the_schema_version():
    from properties.result import SCHEMA_VERSION as VERSION
    assert f"schema version **{VERSION}**" in (ROOT / "docs" / "contract.md").read_text(encoding="utf-8")
