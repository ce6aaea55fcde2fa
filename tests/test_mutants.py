"""Every planted bug in ``tests/mutants/`` is caught: at least one of its component's properties fails.

Each mutant is a plug-in module loaded exactly as ``pytest --impl tests/mutants/<file>.py`` loads it, then
checked in-process with the ``mutants`` Hypothesis profile (derandomized, no shrinking: only the verdict
matters). A mutant that no property catches means a property has no teeth.
"""
import pathlib

import pytest
from hypothesis import settings

from properties.loader import import_target, make_impl
from properties.registry import NO_DTYPE, Check
from properties.runner import run_check
from tests.test_teeth import DECLARED

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # planted bugs overflow on purpose

MUTANTS = sorted((pathlib.Path(__file__).parent / "mutants").glob("*.py"))


def catching_checks(path: pathlib.Path, all_properties) -> tuple[list[dict], list[dict]]:
    """(the failed result that caught the mutant (stops at the first; an error is not a catch), every result run).

    The properties that ``tests/test_teeth.py`` says catch this mutant run first (only the order changes: any
    catch counts), so a mutant of many components does not wait for every other property to pass."""
    impl = make_impl(import_target(str(path)), str(path))
    ran = []
    declared = {(key, stem) for key, stem, *_ in DECLARED}
    ordered = sorted(all_properties, key=lambda p: (p.key, path.stem) not in declared)  # stable: ties keep order
    for prop in ordered:
        if not impl.provides(prop.component):
            continue
        for dtype in [d for d in prop.dtypes if d in impl.dtypes or d == NO_DTYPE]:
            result = run_check(Check(impl, prop, dtype), base_settings=settings.get_profile("mutants"))
            ran.append(result)
            if result["status"] == "failed":  # a crash (error) is not a catch
                return [result], ran
    return [], ran


@pytest.mark.parametrize("path", MUTANTS, ids=[p.stem for p in MUTANTS])
def test_mutant_is_caught(path, all_properties):
    caught, ran = catching_checks(path, all_properties)
    summary = ", ".join(f"{r['component']}:{r['property']}:{r['dtype']}={r['status']}" for r in ran)
    assert ran, f"{path.name}: no property applies to the components it provides"
    assert caught, f"{path.name} was not caught by any property ({summary})"


def test_zoo_is_large():
    """The issues ask for at least 20 + 12 + 16 + 25 planted bugs across the families."""
    assert len(MUTANTS) >= 138, len(MUTANTS)
