"""The demo report in a real browser (headless chromium): the page's load script finds every
figure decoded and laid out, nothing is logged to the console, and a screenshot is kept as a test
artefact (``test-artifacts/report.png``, not tracked by git)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from cald.project.demo import write_demo_project
from cald.project.pipeline import run_project

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
TIMEOUT_S = 60


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


CHROMIUM = _chromium()
pytestmark = pytest.mark.skipif(CHROMIUM is None,
                                reason="no chromium or chromium-browser binary on PATH")


def chromium(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """Run headless chromium on a local page, offline, with the console logged to stderr."""
    assert CHROMIUM is not None
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--disable-extensions", f"--user-data-dir={profile}",
           "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000", *extra,
           page.resolve().as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def console_errors(stderr: str) -> list[str]:
    """Console lines chromium logged for the page that are errors (uncaught exceptions,
    console.error, failed loads)."""
    out = []
    for line in stderr.splitlines():
        if "Uncaught" in line:
            out.append(line)
        elif "CONSOLE" in line and re.search(r"error|failed|refused", line, re.I):
            out.append(line)
    return out


def body_attributes(dom: str) -> dict[str, str]:
    match = re.search(r"<body([^>]*)>", dom)
    assert match, dom[:500]
    return dict(re.findall(r'([\w-]+)="([^"]*)"', match.group(1)))


@pytest.fixture(scope="session")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("browser-demo")
    run_project(write_demo_project(folder), folder, command="cald demo")
    return folder / "report.html"


def test_console_check_catches_errors(tmp_path):
    """The harness itself: a page with a script error is caught."""
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><html><body><script>console.error('bad thing');"
                    "window.addEventListener('load', function () { notDefined(); });"
                    "</script></body></html>", encoding="utf-8")
    proc = chromium(page, tmp_path / "profile", "--dump-dom")
    errors = console_errors(proc.stderr)
    assert any("notDefined" in e for e in errors), proc.stderr[-2000:]


def test_every_figure_is_shown(demo_report, tmp_path):
    proc = chromium(demo_report, tmp_path / "profile", "--dump-dom")
    attrs = body_attributes(proc.stdout)
    assert "data-figures" in attrs, "the report's load script did not run"
    assert int(attrs["data-figures"]) >= 4
    assert attrs["data-figures-shown"] == attrs["data-figures"]
    assert console_errors(proc.stderr) == []
    assert "Mechanism summary" in proc.stdout


def test_screenshot(demo_report, tmp_path):
    shot = tmp_path / "report.png"
    proc = chromium(demo_report, tmp_path / "profile", "--hide-scrollbars",
                    "--window-size=1200,3000", f"--screenshot={shot}")
    assert console_errors(proc.stderr) == []
    assert shot.is_file()
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 20_000
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copyfile(shot, ARTIFACTS / "report.png")
    assert (ARTIFACTS / "report.png").stat().st_size == len(data)
