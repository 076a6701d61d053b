"""The built documentation in a real browser (headless chromium): the index page leads to the
gallery, whose thumbnails and every example's figures are images that actually loaded
(``naturalWidth > 0``).

Run by ``make docs`` after the build (``pytest -m docs tests/test_docs_site.py``); the ``docs``
marker keeps it out of ``make test``. Without a built site the module builds it first (as
``make docs`` does), so the test never depends on an earlier step."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from test_report_browser import CHROMIUM, body_attributes, chromium

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "docs" / "_build" / "html"
N_EXAMPLES = len(list((ROOT / "docs" / "examples").glob("plot_*.py")))

pytestmark = [pytest.mark.docs, pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="no chromium or chromium-browser binary on PATH")]

#: Appended to a copy of a page: once everything has loaded, the page's images and how many of
#: them decoded are written onto <body> for --dump-dom.
CHECK_SCRIPT = """<script>
window.addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.querySelectorAll('img'));
  var wanted = imgs.filter(function (i) { return /sphx-glr/.test(i.className + ' '
      + (i.parentElement ? i.parentElement.className : '')); });
  document.body.setAttribute('data-images', String(wanted.length));
  document.body.setAttribute('data-images-loaded',
      String(wanted.filter(function (i) { return i.complete && i.naturalWidth > 0; }).length));
});
</script>"""


@pytest.fixture(scope="module")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
        subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-n", "-q", "-b", "html",
                        str(ROOT / "docs"), str(SITE)], check=True, env=env, timeout=1800)
    return SITE


def _images(page: Path, profile: Path) -> dict[str, str]:
    """Open a copy of ``page`` (same folder, so its relative links hold) with the check script."""
    probe = page.with_name(f".probe-{page.name}")
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", CHECK_SCRIPT + "</body>"),
                     encoding="utf-8")
    try:
        return body_attributes(chromium(probe, profile, "--dump-dom").stdout)
    finally:
        probe.unlink()


def test_index_leads_to_the_gallery(site, tmp_path):
    dom = chromium(site / "index.html", tmp_path / "profile", "--dump-dom").stdout
    assert "auto_examples/index.html" in dom
    assert (site / "auto_examples" / "index.html").is_file()


def test_gallery_thumbnails_load(site, tmp_path):
    attrs = _images(site / "auto_examples" / "index.html", tmp_path / "profile")
    assert int(attrs["data-images"]) == N_EXAMPLES
    assert attrs["data-images-loaded"] == attrs["data-images"]


def test_every_example_shows_its_figures(site, tmp_path):
    gallery = (site / "auto_examples" / "index.html").read_text(encoding="utf-8")
    pages = sorted(set(re.findall(r'href="(plot_[\w]+\.html)"', gallery)))
    assert len(pages) == N_EXAMPLES
    for name in pages:
        attrs = _images(site / "auto_examples" / name, tmp_path / "profile")
        assert int(attrs["data-images"]) >= 1, name
        assert attrs["data-images-loaded"] == attrs["data-images"], name


def test_equations_are_typeset_offline(site, tmp_path):
    """The background pages' equations are typeset by the site's own copy of MathJax (no network
    in the browser: a CDN copy would leave TeX source)."""
    page = site / "background" / "recoupling.html"
    assert "_static/mathjax/tex-chtml.js" in page.read_text(encoding="utf-8")
    dom = chromium(page, tmp_path / "profile", "--dump-dom").stdout
    assert dom.count("<mjx-container") >= 3
