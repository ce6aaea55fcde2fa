"""Every property has teeth: each one fails on at least one planted bug of ``tests/mutants/``.

Each mutant declares what catches it, in the mutant itself: ``CATCHES = ("component:property",
"component:property@float16")`` (``@dtype`` where the bug lives in one dtype; otherwise the first dtype both
support). Every declared pair runs that property against that mutant with the ``mutants`` profile and expects
``failed``: the property's own assertion, never an ``error`` (a crash is not a catch). ``TEETH`` (property ->
a mutant that catches it) is derived from these declarations only. A property added without a mutant that
declares it fails :func:`test_every_property_has_teeth`: plant a realistic bug it catches (``tests/mutants/``,
see the docstrings there) or, where no NumPy plug-in can exercise it, list it in ``EXEMPT`` with the reason.
``python tests/teeth_matrix.py`` runs every property against every mutant and lists the candidates.
"""
import ast
import functools
import pathlib

import pytest
from hypothesis import settings

from properties.loader import import_target, make_impl
from properties.registry import NO_DTYPE, Check
from properties.runner import run_check
from tests.conftest import import_property_modules

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # planted bugs overflow on purpose

MUTANTS = pathlib.Path(__file__).parent / "mutants"


def declared_catches() -> list[tuple[str, str, str | None]]:
    """(property key, mutant stem, dtype or None) for every ``CATCHES`` a mutant declares (read without
    importing the mutant)."""
    out = []
    for path in sorted(MUTANTS.glob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "CATCHES" for t in node.targets):
                for entry in ast.literal_eval(node.value):
                    key, _, dtype = entry.partition("@")
                    out.append((key, path.stem, dtype or None))
    return out


DECLARED = declared_catches()

#: property key -> the first mutant (by file name) that declares it catches it; derived, never kept by hand
TEETH: dict[str, str] = {}
for _key, _stem, _ in DECLARED:
    TEETH.setdefault(_key, _stem)

#: property key -> why no NumPy plug-in mutant can exercise it (keep this short and honest)
EXEMPT: dict[str, str] = {}


@functools.lru_cache(maxsize=None)
def _mutant(stem: str):
    path = MUTANTS / f"{stem}.py"
    return make_impl(import_target(str(path)), str(path))


@functools.lru_cache(maxsize=None)
def _properties() -> dict:
    return {p.key: p for p in import_property_modules()}


def assert_catches(key: str, stem: str, dtype: str | None = None) -> None:
    """Property ``key`` *fails* on mutant ``stem`` in ``dtype`` (default: the first both support)."""
    prop = _properties().get(key)
    assert prop is not None, f"{key} is not a registered property (named for mutant {stem})"
    impl = _mutant(stem)
    dtypes = [d for d in prop.dtypes if d in impl.dtypes or d == NO_DTYPE]
    assert dtypes, f"mutant {stem} supports none of {key}'s dtypes {prop.dtypes}"
    if dtype is not None:
        assert dtype in dtypes, f"{stem} declares {key}@{dtype}, outside the dtypes both support {dtypes}"
    dtype = dtype or dtypes[0]
    record = run_check(Check(impl, prop, dtype), base_settings=settings.get_profile("mutants"))
    assert record["status"] == "failed", (
        f"{key} did not catch {stem} ({dtype}) by failing: {record['status']} {record['message']}")


_PAIRS = sorted(set(DECLARED), key=str)


@pytest.mark.parametrize("key,stem,dtype", _PAIRS, ids=[f"{k}-{s}" + (f"@{d}" if d else "") for k, s, d in _PAIRS])
def test_property_catches_its_mutant(key, stem, dtype):
    assert_catches(key, stem, dtype)


def test_every_mutant_declares_what_catches_it():
    undeclared = sorted(p.stem for p in MUTANTS.glob("*.py") if p.stem not in {s for _, s, _ in DECLARED})
    assert not undeclared, f"mutants without CATCHES = (\"component:property\", ...): {undeclared}"


def test_every_property_has_teeth():
    registered = set(_properties())
    missing = sorted(registered - set(TEETH) - set(EXEMPT))
    assert not missing, ("properties that no mutant declares it catches (plant one in tests/mutants/ with "
                         f"CATCHES naming the property, or give EXEMPT a reason): {missing}")
    assert not set(TEETH) & set(EXEMPT), sorted(set(TEETH) & set(EXEMPT))
    stale = sorted((set(TEETH) | set(EXEMPT)) - registered)
    assert not stale, f"CATCHES/EXEMPT name properties that are not registered: {stale}"


def test_a_planted_helper_must_exist():
    """``patched`` refuses a helper the module does not have: a renamed helper must not plant nothing."""
    from impls.numpy import attention
    from tests.patching import patched
    with pytest.raises(AttributeError, match="_no_such_helper"):
        patched(attention, _no_such_helper=lambda: None)
