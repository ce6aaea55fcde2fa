"""The HTML report in a real browser: headless Chromium renders a report that has failures without a console error,
the screenshot shows a page (kept as ``reports/report_screenshot.png`` for people to look at), and the DOM after
the page's script ran holds the matrix and the failure cards. Skipped, saying why, where Chromium is missing
(``.ci/run`` installs it).
"""
from __future__ import annotations

import pathlib
import re
import shutil
import subprocess

import pytest

from tests.plugins import ROOT, buggy, buggy_ci_run

CHROMIUM = next((p for p in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser"))
                 if p and pathlib.Path(p).exists()), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--enable-logging=stderr", "--v=0"]
#: what Chromium writes to stderr for a page's console output or an uncaught exception
CONSOLE = re.compile(r"CONSOLE[(:]|Uncaught")


def chromium(tmp_path: pathlib.Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True,
                          timeout=180, cwd=tmp_path)


def console_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if CONSOLE.search(line)]


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> pathlib.Path:
    run = buggy_ci_run(tmp_path_factory)
    assert run.returncode == 1 and run.html_path.exists(), run.describe()
    return run.html_path


def test_console_detector_sees_errors(tmp_path):
    """The check below has teeth: a page that throws is caught."""
    page = tmp_path / "throws.html"
    page.write_text("<!DOCTYPE html><html><body><p>x</p><script>undefined_function();</script></body></html>")
    proc = chromium(tmp_path, "--dump-dom", page.as_uri())
    assert any("Uncaught ReferenceError" in line for line in console_lines(proc.stderr)), proc.stderr[-3000:]


def test_screenshot_without_console_errors(report, tmp_path):
    from PIL import Image

    shot = tmp_path / "report_screenshot.png"
    proc = chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", report.as_uri())
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert not console_lines(proc.stderr), console_lines(proc.stderr)
    assert shot.exists() and shot.stat().st_size > 20_000, proc.stderr[-3000:]
    (ROOT / "reports").mkdir(exist_ok=True)
    shutil.copyfile(shot, ROOT / "reports" / "report_screenshot.png")  # for people to look at
    with Image.open(shot) as image:
        assert image.size == (1280, 2000)
        colours = image.convert("RGB").getcolors(maxcolors=1 << 24)  # [(count, (r, g, b))]
    assert len(colours) > 50, "a near-uniform screenshot: nothing rendered"
    white = sum(n for n, rgb in colours if min(rgb) > 245)
    assert white < 0.97 * 1280 * 2000, "almost blank"
    # the failed badges and the failure cards' red border (#c62828) are on screen
    red = sum(n for n, (r, g, b) in colours if abs(r - 0xC6) < 10 and abs(g - 0x28) < 10 and abs(b - 0x28) < 10)
    assert red > 500, red


def test_dom_has_matrix_and_failure_cards(report, tmp_path):
    proc = chromium(tmp_path, "--dump-dom", report.as_uri())
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert not console_lines(proc.stderr), console_lines(proc.stderr)
    dom = proc.stdout
    matrix = re.search(r'<table class="matrix">(.*?)</table>', dom, re.S)
    assert matrix and '<th data-col="buggy">buggy</th>' in matrix.group(1) and "relu" in matrix.group(1)
    cards = re.findall(r'<div class="card failed" data-text="buggy relu (\w+)"[^>]*>', dom)
    assert buggy.FAILS <= {("relu", p) for p in cards}
    assert "Reproduce:" in dom and "Shrunk counterexample" in dom
    # the page's script ran: it shows the filter box it keeps hidden for readers without JavaScript
    box = re.search(r'<input id="filter"[^>]*>', dom)
    assert box and "hidden" not in box.group(0), box
    form = re.search(r'<form id="filters"[^>]*>', dom)
    assert form and "hidden" not in form.group(0), form


# --- a report made for one implementation: a one-component plug-in (tests/plugins/rms_only.py, rms_norm without
# its square root) run on the committed property modules, so most of the catalogue is "not provided"
ONE_COMPONENT_MODULES = ("properties/test_rms_norm.py", "properties/test_batch_norm.py",
                         "properties/test_layer_norm.py", "properties/test_group_norm.py",
                         "properties/test_instance_norm.py", "properties/test_activations.py",
                         "properties/test_cross_entropy.py", "properties/test_binary_cross_entropy_with_logits.py",
                         "properties/test_mse_loss.py", "properties/test_kl_divergence.py",
                         "properties/test_sinusoidal_positions.py", "properties/test_rope.py",
                         "properties/test_t5_relative_position_bucket.py", "properties/test_relative_position_bias.py",
                         "properties/test_alibi_bias.py", "properties/test_defaults.py")
VIEWPORT = (1400, 900)
#: appended to a copy of the page, after the page's own script: it measures the layout and tries the filters,
#: and writes what it found as JSON into the DOM that --dump-dom prints
PROBE = """<script>
(function () {
  function box(el) { if (!el) { return null; } var r = el.getBoundingClientRect(); return {top: r.top, bottom: r.bottom}; }
  function shown(el) { return !!el && getComputedStyle(el).display !== "none"; }
  var out = {innerWidth: window.innerWidth, innerHeight: window.innerHeight};
  var card = document.querySelector(".card");
  out.card = box(card);
  out.cardHeader = box(card && card.querySelector("p"));
  out.cardText = card && card.getAttribute("data-text");
  out.matrix = box(document.querySelector("table.matrix"));
  out.matrixRows = document.querySelectorAll("table.matrix tr.mrow").length;
  var folded = document.getElementById("not-provided");
  out.folded = folded && {open: folded.open, summary: folded.querySelector("summary").textContent,
                          rowsShown: Array.prototype.filter.call(folded.querySelectorAll("tr.mrow"), function (r) { return r.checkVisibility(); }).length};
  out.formShown = shown(document.getElementById("filters"));
  var th = document.querySelector('table.matrix th[data-col]');
  function toggle(name, value, on) {
    var i = document.querySelector('#filters input[name="' + name + '"][value="' + value + '"]');
    i.checked = on; i.dispatchEvent(new Event("change", {bubbles: true}));
  }
  if (th && document.getElementById("filters")) {
    var impl = th.getAttribute("data-col");
    toggle("impl", impl, false);
    out.implOff = {card: shown(card), column: shown(th)};
    toggle("impl", impl, true);
    toggle("status", "failed", false);
    out.failedOff = {card: shown(card), column: shown(th)};
    toggle("status", "failed", true);
    out.restored = {card: shown(card), column: shown(th)};
  }
  var pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>
"""


@pytest.fixture(scope="module")
def one_component_report(tmp_path_factory) -> pathlib.Path:
    from tests.plugins import NO_SHRINK, finish, plugin, suite_args, suite_env

    out = tmp_path_factory.mktemp("rms-only")
    cmd = suite_args(out, "--impl", plugin("rms_only"), NO_SHRINK, *ONE_COMPONENT_MODULES[1:],
                     select=ONE_COMPONENT_MODULES[0])
    run = finish(out, (cmd, subprocess.Popen(cmd, cwd=ROOT, env=suite_env(), stdout=subprocess.PIPE,
                                              stderr=subprocess.PIPE, text=True)))
    assert run.returncode == 1 and run.html_path.exists(), run.describe()
    failed = [r for r in run.results if r["status"] == "failed"]
    assert failed and {r["component"] for r in failed} == {"rms_norm"}, run.describe()
    not_provided = {r["component"] for r in run.results} - {r["component"] for r in run.results
                                                           if r["status"] != "skipped"}
    assert len(not_provided) >= 20, not_provided  # the situation of the issue: most rows "not provided"
    return run.html_path


def probe(report: pathlib.Path, tmp_path: pathlib.Path) -> dict:
    import json

    page = tmp_path / "probed.html"
    text = report.read_text(encoding="utf-8")
    page.write_text(text.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    proc = chromium(tmp_path, "--dump-dom", f"--window-size={VIEWPORT[0]},{VIEWPORT[1]}", page.as_uri())
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert not console_lines(proc.stderr), console_lines(proc.stderr)
    found = re.search(r'<pre id="probe">(.*?)</pre>', proc.stdout, re.S)
    assert found, proc.stdout[-3000:]
    import html as html_lib
    return json.loads(html_lib.unescape(found.group(1)))


def test_one_component_failure_is_above_the_fold(one_component_report, tmp_path):
    seen = probe(one_component_report, tmp_path)
    # a 1400x900 window; headless --dump-dom lays out a viewport less its window frame (757 px high), as a
    # real browser window with its toolbars would: the fold is the viewport's height, whichever it is
    assert seen["innerWidth"] == VIEWPORT[0] and 600 <= seen["innerHeight"] <= VIEWPORT[1], seen
    # the failure card, its header (implementation, component, property, dtypes) in view without scrolling
    assert seen["cardText"].startswith("rms-only rms_norm "), seen
    assert 0 < seen["card"]["top"] and seen["cardHeader"]["bottom"] < seen["innerHeight"], seen
    # and above the matrix, which lists only the component that was checked
    assert seen["card"]["top"] < seen["matrix"]["top"], seen
    assert seen["matrixRows"] == 1, seen
    folded = seen["folded"]
    assert folded and not folded["open"] and folded["rowsShown"] == 0, seen
    assert re.fullmatch(r"\d+ components not provided by any checked implementation", folded["summary"]), folded


def test_one_component_filters_hide_cards_and_columns(one_component_report, tmp_path):
    seen = probe(one_component_report, tmp_path)
    assert seen["formShown"] and "implOff" in seen, seen
    assert seen["implOff"] == {"card": False, "column": False}, seen
    assert seen["failedOff"] == {"card": False, "column": True}, seen
    assert seen["restored"] == {"card": True, "column": True}, seen


def test_one_component_screenshot_shows_the_failure(one_component_report, tmp_path):
    from PIL import Image

    shot = tmp_path / "one_component.png"
    proc = chromium(tmp_path, f"--screenshot={shot}", f"--window-size={VIEWPORT[0]},{VIEWPORT[1]}",
                    one_component_report.as_uri())
    assert proc.returncode == 0 and shot.exists(), proc.stderr[-3000:]
    assert not console_lines(proc.stderr), console_lines(proc.stderr)
    with Image.open(shot) as image:
        assert image.size == VIEWPORT
        colours = image.convert("RGB").getcolors(maxcolors=1 << 24)
    # the card's red left border (#c62828, 6 px) and the failed badges, in the first screenful
    red = sum(n for n, (r, g, b) in colours if abs(r - 0xC6) < 10 and abs(g - 0x28) < 10 and abs(b - 0x28) < 10)
    assert red > 6 * 300, red
