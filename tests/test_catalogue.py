"""The catalogue's signatures are SPEC section 3's, and every built-in implementation's functions take exactly
those parameters with exactly those defaults (the oracle included: a wrong default there would grade every
other implementation against it)."""
import inspect
import pathlib
import re

import pytest

from properties.catalogue import COMPONENTS, SIGNATURES, signature
from properties.loader import load_impls

SPEC = pathlib.Path(__file__).resolve().parents[1].parent / "shared" / "SPEC.md"


def spec_signatures(text: str) -> dict[str, str]:
    """``name -> "(params)"`` for every catalogue function written out in SPEC section 3."""
    section = text[text.index("## 3."):text.index("## 4.")]
    found = {}
    for name, params in re.findall(r"`([a-z_0-9]+)(\([^`]*?\))(?: ->[^`]*)?`", section):
        if params != "(...)" and name not in found:
            found[name] = params
    return found


@pytest.mark.skipif(not SPEC.exists(), reason=f"{SPEC} is not beside this checkout")
def test_catalogue_signatures_are_the_specs():
    spec = spec_signatures(SPEC.read_text())
    missing = sorted(set(COMPONENTS) - set(spec) - {"adamw_step"})  # SPEC writes adamw_step(...): adam's
    assert not missing, f"components SPEC section 3 does not write out: {missing}"
    for name, params in spec.items():
        if name in SIGNATURES:
            want = inspect.signature(eval(f"lambda {params[1:-1]}: None"))
            assert signature(name) == want, f"{name}: catalogue {signature(name)} vs SPEC {want}"
    assert signature("adamw_step").parameters["weight_decay"].default == 0.01


def test_spec_parser_reads_a_catalogue_line():
    line = "## 3.\n- `rope(x, positions, *, base=10000.0, interleaved=False)` — x\n## 4."
    assert spec_signatures(line) == {"rope": "(x, positions, *, base=10000.0, interleaved=False)"}


@pytest.mark.parametrize("impl", load_impls([], builtins=True, only=[]), ids=lambda i: i.name)
def test_builtin_signatures_are_the_catalogues(impl):
    drift = []
    for component in SIGNATURES:
        fn = getattr(impl.module, component, None)
        if fn is None:
            continue
        got = inspect.signature(fn)
        if got != signature(component):
            drift.append(f"{component}{got} (catalogue {signature(component)})")
    assert not drift, f"{impl.name}: " + "; ".join(drift)
