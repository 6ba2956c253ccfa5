"""Open the HTML report in headless Chromium: no console message, no request, a screenshot.

The detector is tested first against pages that must fail (console.error, an uncaught
exception, a CSP violation, a request for a missing file) so this test cannot pass vacuously.
Skipped when Chromium is missing, unless CI is set: then it fails.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "render"))

from chromium import ConsoleResult, open_page
from factory import failing_document, large_document

from attt.render.base import RenderOptions
from attt.render.html import render_html

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

pytestmark = pytest.mark.timeout(300)




def _page(tmp_path: Path, name: str, head: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(
        f'<!DOCTYPE html><html><head><meta charset="utf-8">{head}<title>t</title></head>'
        f"<body><p>test page</p>{body}</body></html>",
        encoding="utf-8",
    )
    return path


def test_detector_catches_console_error_and_csp_violation(chromium: str, tmp_path: Path) -> None:
    # Inline script allowed here so console.error and an exception can run; the image is
    # blocked by img-src and must surface as a CSP violation.
    policy = f"{CSP}; script-src 'unsafe-inline'"
    csp = f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
    page = _page(
        tmp_path, "bad.html", csp,
        '<script>console.error("deliberate-console-error");</script>'
        '<img src="https://example.invalid/x.png" alt="">'
        "<script>undefinedFunctionCall();</script>",
    )
    result = open_page(page, chromium=chromium)
    assert not result.ok
    text = "\n".join(result.console)
    assert "deliberate-console-error" in text, result.stderr[-3000:]
    assert "violates the following Content Security Policy" in text
    assert "https://example.invalid/x.png" in text
    assert "Uncaught ReferenceError" in text
    assert len(result.errors) >= 2


def test_detector_catches_blocked_inline_script(chromium: str, tmp_path: Path) -> None:
    # Under the report's own policy an inline script is refused: that must fail too.
    head = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
    page = _page(tmp_path, "script.html", head, '<script>console.log("never runs")</script>')
    result = open_page(page, chromium=chromium)
    assert not result.ok
    assert any("Content Security Policy" in c for c in result.console)
    assert not any("never runs" in c for c in result.console)


def test_detector_catches_failed_request(chromium: str, tmp_path: Path) -> None:
    # No CSP: the missing image is requested; the detector sees the request itself.
    page = _page(tmp_path, "req.html", "", '<img src="missing.png" alt="">')
    result = open_page(page, chromium=chromium)
    assert not result.ok
    assert any(r.endswith("/missing.png") for r in result.requests), result.describe()


def test_detector_passes_a_clean_page(chromium: str, tmp_path: Path) -> None:
    head = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
    result = open_page(_page(tmp_path, "good.html", head, "<b>ok</b>"), chromium=chromium)
    assert result.ok, result.describe()
    assert "test page" in result.dom


def _open_report(chromium: str, tmp_path: Path, doc: dict, lang: str,
                 shot: str) -> ConsoleResult:
    path = tmp_path / f"report-{lang}.html"
    path.write_text("".join(render_html(doc, RenderOptions(lang=lang))), encoding="utf-8")
    return open_page(path, screenshot=ARTIFACTS / shot, chromium=chromium)


@pytest.mark.parametrize(("lang", "verdict"), [("vi", "Chưa đạt"), ("en", "Not compliant")])
def test_report_opens_without_console_errors(
    chromium: str, tmp_path: Path, lang: str, verdict: str
) -> None:
    result = _open_report(chromium, tmp_path, failing_document(), lang, f"report-{lang}.png")
    assert result.ok, result.describe()
    assert verdict in result.dom
    assert result.screenshot is not None and result.screenshot.stat().st_size > 20_000


def test_large_report_opens_without_console_errors(chromium: str, tmp_path: Path) -> None:
    doc = large_document(hosts=1000, reqs_count=12)
    result = _open_report(chromium, tmp_path, doc, "vi", "report-1000-hosts.png")
    assert result.ok, result.describe()
    assert "srv-0999" in result.dom
    # Found without a script: one anchor per host row, and a host with failures links to
    # its entry in the per-host list (every third host fails in this document).
    assert 'id="s0-h999"' in result.dom and 'href="#s0-h999-d"' in result.dom
    assert 'id="s0-h999-d"' in result.dom and 'id="s0-h998-d"' not in result.dom


def test_report_of_a_real_local_scan_opens_cleanly(chromium: str, tmp_path: Path) -> None:
    """The report of a real `attt scan` of this machine (bundled inventory, level 2)."""

    from click.testing import CliRunner

    from attt.cli import main

    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["scan", "-q", "-o", str(out)], catch_exceptions=False)
    assert result.exit_code in (0, 1, 3), result.output
    page = open_page(out / "report.html", screenshot=ARTIFACTS / "report-local-scan.png",
                     chromium=chromium)
    assert page.ok, page.describe()
    assert "TT12.KT.MC.2" in page.dom and "may-cuc-bo" in page.dom
