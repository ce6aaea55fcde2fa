"""The HTML page for a report made for one implementation (issue "a report made for one implementation"), from
results documents built by hand with the records :func:`properties.runner.run_check` makes: failures come
before the matrix; components no checked implementation provides are folded into one closed ``<details>``; one
failure card per (implementation, component, property) with its dtypes inside; family figures only for checked
families; filter controls that stay hidden (everything shown) without JavaScript; untrusted strings escaped.
No nested run: each test renders in well under a second.
"""
from __future__ import annotations

import re

from markupsafe import escape

from properties.catalogue import COMPONENTS, FAMILIES, family_of
from reports import figures, html

HOSTILE = '<img src=x onerror=alert(1)>"\''


def record(impl, component, prop, dtype, status, **kw) -> dict:
    """A result as ``run_check`` records it (the fields docs/contract.md section 5 fixes, and the optional ones)."""
    r = {"impl": impl, "component": component, "property": prop, "dtype": dtype, "status": status,
         "examples": 0 if status == "skipped" else 40, "duration_s": 0.0 if status == "skipped" else 0.05,
         "message": "", "counterexample": None, "max_abs_err": None, "max_rel_err": None, "max_ulp_err": None,
         "error_ratio": None, "tolerance": None, "histogram": None, "traceback": None, "seed": 1,
         "family": family_of(component), "statement": f"{component} {prop} holds.", "reproduce": None,
         "nodeid": f"properties/test_x.py::test_property[{impl}:{component}:{prop}:{dtype}]"}
    if status != "skipped":
        r.update(max_abs_err=0.0, max_rel_err=0.0, max_ulp_err=0.0, error_ratio=0.1, tolerance=1e-6,
                 histogram=[40] + [0] * 21)
    if status == "skipped":
        r["message"] = f"not provided: {impl} has no {component}"
    r.update(kw)
    return r


def failure(impl, component, prop, dtype, ratio, **kw) -> dict:
    return record(impl, component, prop, dtype, "failed", error_ratio=ratio, max_abs_err=0.9, max_rel_err=0.9,
                  message=f"{component} vs float64 oracle: exceeds the allowance by {ratio:.3g}x ({dtype})",
                  counterexample=f"{component}(x=array(shape=(1,), dtype={dtype}, values=[-10.0]))",
                  reproduce=f"pytest 'properties/test_x.py::test_property[{impl}:{component}:{prop}:{dtype}]'",
                  replay=f"/tmp/replays/{impl}-{component}-{prop}-{dtype}.py", **kw)


DTYPES = ("float16", "float32", "float64")


def one_component_doc(impl: str = "rms-only") -> dict:
    """A plug-in with only rms_norm, its matches_oracle wrong in every dtype; every other component skipped."""
    results = []
    for component in COMPONENTS:
        for dtype in DTYPES:
            if component == "rms_norm":
                results.append(failure(impl, component, "matches_oracle", dtype, 7.5e5))
                results.append(record(impl, component, "scale_invariant", dtype, "passed"))
            else:
                results.append(record(impl, component, "matches_oracle", dtype, "skipped"))
    return {"version": 1, "meta": {"profile": "ci"},
            "impls": [{"name": impl, "module": "tests/plugins/rms_only.py", "dtypes": list(DTYPES)}],
            "results": results}


def matrix_table(page: str) -> str:
    return re.search(r'<table class="matrix">(.*?)</table>', page, re.S).group(1)


def cards(page: str) -> list[str]:
    return re.findall(r'<div class="card (?:failed|error)".*?</div>', page, re.S)


def test_failures_come_first_and_unprovided_components_are_folded():
    page = html.render(one_component_doc())
    assert page.index('id="problems"') < page.index('<div class="card') < page.index('<table class="matrix">')
    assert page.index('<div class="card') < page.index('id="run"')  # run details no longer push the cards down
    rows = re.findall(r'<tr class="mrow"><td><a href="#c-(\w+)">', matrix_table(page))
    assert rows == ["rms_norm"], rows
    folded = re.search(r'<details id="not-provided" class="folded"><summary>(.*?)</summary>(.*?)</details>', page, re.S)
    assert folded, "no folded section"
    n = len(COMPONENTS) - 1
    assert folded.group(1) == f"{n} components not provided by any checked implementation"
    assert all(f"<td>{c}</td>" in folded.group(2) for c in COMPONENTS if c != "rms_norm")
    # the drill-down lists only the checked component
    assert 'id="c-rms_norm"' in page and 'id="c-relu"' not in page


def test_a_component_with_only_an_error_is_shown():
    doc = one_component_doc()
    doc["results"].append(record("rms-only", "relu", "matches_oracle", "float32", "error", message="boom"))
    page = html.render(doc)
    assert '<a href="#c-relu">relu</a>' in matrix_table(page)


def test_one_card_per_property_with_its_dtypes_inside():
    doc = one_component_doc()
    at = next(i for i, r in enumerate(doc["results"]) if r["property"] == "scale_invariant" and r["dtype"] == "float16")
    doc["results"][at] = failure("rms-only", "rms_norm", "scale_invariant", "float16", 3.0)  # one dtype of three
    page = html.render(doc)
    found = cards(page)
    assert len(found) == 2, found
    assert "Failures and errors (4) in 2 properties" in page
    oracle = next(c for c in found if 'data-text="rms-only rms_norm matches_oracle"' in c)
    for dtype in DTYPES:
        section = re.search(rf'<section class="dtype" data-dtype="{dtype}">(.*?)</section>', oracle, re.S)
        assert section, dtype
        body = section.group(1)
        assert "error ÷ allowance 7.5e+05" in body
        assert f"Shrunk counterexample:</p><pre>{escape(f'rms_norm(x=array(shape=(1,), dtype={dtype}, values=[-10.0]))')}</pre>" in body
        assert f"Reproduce:</p><pre>{escape(failure('rms-only', 'rms_norm', 'matches_oracle', dtype, 1)['reproduce'])}</pre>" in body
        assert f"<pre>python /tmp/replays/rms-only-rms_norm-matches_oracle-{dtype}.py</pre>" in body
        assert f"({dtype})" in body  # its own message
    scale = next(c for c in found if 'data-text="rms-only rms_norm scale_invariant"' in c)
    assert "1 of 3 dtypes" in scale  # float16 failed, float32/64 passed: every dtype listed
    assert len(re.findall(r'<section class="dtype"', scale)) == 1
    assert re.findall(r'<tr data-dtype="(\w+)"><td>\w+</td><td>(\w+)</td>', scale) == [
        ("float16", "failed"), ("float32", "passed"), ("float64", "passed")]


def test_cards_order_errors_first_and_filters_carry_impl_and_status():
    doc = one_component_doc()
    doc["results"].append(record("rms-only", "rms_norm", "zero_mean", "float32", "error", message="raised"))
    page = html.render(doc)
    first = cards(page)[0]
    assert first.startswith('<div class="card error" data-text="rms-only rms_norm zero_mean" '
                            'data-impl="rms-only" data-status="error">'), first[:200]


def test_figures_only_for_checked_families(monkeypatch):
    drawn = []

    def fake(family):
        drawn.append(family)
        return ((f"{family} figure", "caption", "<svg></svg>"),)

    monkeypatch.setattr(figures, "family_figures", fake)
    page = html.render(one_component_doc())
    assert drawn == ["norms"], drawn
    assert "Normalization: norms figure." in page and "Positional encodings:" not in page
    # a family with only skipped results draws nothing, even with another implementation present
    drawn.clear()
    doc = one_component_doc()
    doc["results"].append(record("other", "rope", "matches_oracle", "float32", "passed"))
    html.render(doc)
    assert drawn == ["norms", "positional"], drawn


def test_filters_are_inline_and_hidden_without_javascript():
    page = html.render(one_component_doc())
    form = re.search(r'<form id="filters"[^>]*>(.*?)</form>', page, re.S)
    assert form and " hidden " in form.group(0)[:60]  # shown by the script only
    assert '<input type="checkbox" name="impl" value="rms-only" checked>' in form.group(1)
    for status in html.STATUSES:
        assert f'<input type="checkbox" name="status" value="{status}" checked>' in form.group(1)
    assert re.search(r'<input id="filter"[^>]*\bhidden>', page)
    # matrix columns can be hidden: every header and cell names its implementation
    assert '<th data-col="rms-only">rms-only</th>' in matrix_table(page)
    assert not re.search(r"<script[^>]*\bsrc|<link\b", page, re.I)
    # nothing is hidden by the page itself: no inline display:none, no closed-by-CSS section
    assert "display:none" not in page.replace(" ", "") and "display: none" not in page


def test_untrusted_strings_stay_escaped():
    doc = one_component_doc(impl=HOSTILE)
    doc["results"][0]["message"] = HOSTILE
    doc["results"][0]["counterexample"] = "</pre><script>alert(2)</script>"
    page = html.render(doc)
    assert "<img src=x" not in page and "<script>alert(2)" not in page
    assert str(escape(HOSTILE)) in page
    assert f'data-impl="{escape(HOSTILE)}"' in page and f'value="{escape(HOSTILE)}"' in page
    for script in re.findall(r"<script\b.*?</script>", page, re.S | re.I):
        assert "alert" not in script


def test_every_family_is_known():
    assert {family_of(c) for c in COMPONENTS} <= set(FAMILIES)
