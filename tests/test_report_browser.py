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
    assert matrix and "<th>buggy</th>" in matrix.group(1) and "relu" in matrix.group(1)
    cards = re.findall(r'<div class="card failed" data-text="buggy relu (\w+)">', dom)
    assert buggy.FAILS <= {("relu", p) for p in cards}
    assert "Reproduce:" in dom and "Shrunk counterexample" in dom
    # the page's script ran: it shows the filter box it keeps hidden for readers without JavaScript
    box = re.search(r'<input id="filter"[^>]*>', dom)
    assert box and "hidden" not in box.group(0), box
