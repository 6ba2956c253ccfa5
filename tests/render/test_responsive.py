"""report.html laid out by real headless Chromium at phone (390 px) and desktop (1400 px) width.

A small script, added to a test copy of the report, measures the layout in the page itself
and writes its verdict into the DOM; Chromium's ``--dump-dom`` hands it back.  It reports
* the page wider than the viewport (``scrollWidth > innerWidth``);
* any element whose box leaves the viewport, unless it sits inside a horizontal scroll
  container (a table that scrolls sideways on a phone is fine, a cut-off one is not);
* an id (``.id``: requirement, check, parameter, host) laid out on more than one line;
* at 1400 px, a scroll container that actually scrolls (a desktop screen fits every table),
  and a requirement title column narrower than 35 % of its table;
* a word broken inside itself (``Giá m sát``): every word of at most ``WORD_MAX`` characters
  must lie on one line; a break after ``- / | = , <`` is a line-break opportunity (the report
  adds ``<wbr>`` there inside long paths and commands; Chromium breaks after ``<`` by itself).
  Evidence (``pre``) is exempt: it holds raw values that may need to wrap anywhere.

The script runs outside the report (see ``wrap``): the report keeps its policy, no script.
Every ``<details>`` is opened so that the finding tables are laid out and measured too.
The detector is first run on pages that must fail, so the test cannot pass vacuously.
"""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))

from chromium import open_page
from factory import failing_document

from attt.render.base import RenderOptions
from attt.render.html import CSP, render_html

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "responsive"
WIDTHS = (390, 1400)
SHOT_HEIGHT = 1800
WORD_MAX = 40

pytestmark = pytest.mark.timeout(300)

MEASURE = r"""
<script>
function measure(win) {
  var doc = win.document, iw = win.innerWidth, problems = [], words = 0, ids = 0, LIMIT = 25;
  function add(p) { if (problems.length < LIMIT) problems.push(p); }
  function name(el) {
    var s = el.tagName.toLowerCase();
    if (typeof el.className === 'string' && el.className.trim())
      s += '.' + el.className.trim().split(/\s+/).join('.');
    return s;
  }
  function scrolled(el) {
    for (var p = el.parentElement; p && p !== doc.documentElement; p = p.parentElement) {
      var o = win.getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll') return true;
    }
    return false;
  }
  // Rects on one line overlap vertically (fonts of a fallback run have other heights).
  function lines(rects) {
    var rows = [];
    for (var i = 0; i < rects.length; i++) {
      var r = rects[i];
      if (r.width < 0.5) continue;
      var mid = (r.top + r.bottom) / 2;
      if (rows.every(function (x) { return mid < x.top || mid > x.bottom; })) rows.push(r);
    }
    return rows.length;
  }
  var scrollers = [];
  var boxes = doc.querySelectorAll('*');
  for (var k = 0; k < boxes.length; k++) {
    var ox = win.getComputedStyle(boxes[k]).overflowX;
    if ((ox === 'auto' || ox === 'scroll') && boxes[k].scrollWidth > boxes[k].clientWidth + 1)
      scrollers.push(name(boxes[k].firstElementChild || boxes[k]));
  }
  var sw = doc.documentElement.scrollWidth;
  if (sw > iw) add('page: scrollWidth ' + sw + ' > innerWidth ' + iw);
  var all = doc.body.getElementsByTagName('*');
  for (var i = 0; i < all.length; i++) {
    var el = all[i], r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if ((r.right > iw + 0.5 || r.left < -0.5) && !scrolled(el))
      add('wide: ' + name(el) + ' [' + Math.round(r.left) + ', ' + Math.round(r.right) + '] "'
          + (el.textContent || '').trim().slice(0, 40) + '"');
  }
  var idEls = doc.querySelectorAll('.id');
  for (var j = 0; j < idEls.length; j++) {
    var rects = idEls[j].getClientRects();
    if (!rects.length) continue;
    ids++;
    if (lines(rects) > 1) add('id on ' + lines(rects) + ' lines: ' + idEls[j].textContent);
  }
  var walker = doc.createTreeWalker(doc.body, 4);  // NodeFilter.SHOW_TEXT
  var range = doc.createRange(), node, m;
  while ((node = walker.nextNode())) {
    var parent = node.parentElement;
    if (!parent || parent.closest('pre, script, style, svg')) continue;
    var text = node.data, re = /[^\s\-\/\u2013\u2014|=,<]+[\-\/\u2013\u2014|=,<]?/g;
    while ((m = re.exec(text))) {
      if (m[0].length > WORD_MAX) continue;
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      var rr = range.getClientRects();
      if (!rr.length) continue;
      words++;
      if (lines(rr) > 1) add('word broken: "' + m[0] + '" in ' + name(parent));
    }
  }
  // Share of the requirements table the title column gets (the trial saw 130 px of 1400).
  var title = doc.querySelector('td.req-title'), share = null;
  if (title) share = title.getBoundingClientRect().width
                     / title.closest('table').getBoundingClientRect().width;
  var out = document.createElement('pre');
  out.id = 'layout-verdict';
  out.textContent = JSON.stringify({width: iw, scrollWidth: sw, ids: ids, words: words,
                                    scrollers: scrollers, titleShare: share, problems: problems});
  document.body.appendChild(out);
}
var frame = document.getElementById('page');
frame.addEventListener('load', function () { measure(frame.contentWindow); });
</script>
""".replace("WORD_MAX", str(WORD_MAX))

_VERDICT = re.compile(r'<pre id="layout-verdict">(.*?)</pre>', re.S)




def wrap(page: str, width: int, height: int) -> str:
    """A test page holding the report in a ``width`` px frame, and the measuring script.

    Headless Chromium will not make a window narrower than 500 px, so the phone viewport is
    an iframe; ``srcdoc`` gives it the page's origin, so the script outside can measure it
    while the report keeps its own policy (no script runs inside the report).
    """

    page = re.sub(r"<details(?![^>]*\bopen\b)", "<details open", page)
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>measure</title>'
        "<style>body { margin: 0 } iframe { border: 0; display: block }</style></head><body>"
        f'<iframe id="page" width="{width}" height="{height}" '
        f'srcdoc="{html.escape(page, quote=True)}"></iframe>{MEASURE}</body></html>'
    )


def measure(chromium: str, page: str, path: Path, width: int,
            shot: Path | None = None) -> dict[str, Any]:
    path.write_text(wrap(page, width, SHOT_HEIGHT), encoding="utf-8")
    window = (max(width, 500), SHOT_HEIGHT)
    result = open_page(path, screenshot=shot, window=window, chromium=chromium)
    found = _VERDICT.search(result.dom)
    assert found, result.describe()
    verdict: dict[str, Any] = json.loads(html.unescape(found.group(1)))
    assert verdict["width"] == width, verdict
    return verdict


def _bare(body: str, style: str = "") -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            f"<style>{style}</style></head><body>{body}</body></html>")


def test_detector_catches_wide_element_wrapped_id_and_broken_word(
    chromium: str, tmp_path: Path
) -> None:
    page = _bare(
        '<div style="width:600px">wide block</div>'
        '<p style="width:60px"><code class="id">TT12.KT.MC.1 TT12.KT.MC.2</code></p>'
        '<p style="width:40px;overflow-wrap:anywhere">Giámsát</p>'
    )
    verdict = measure(chromium, page, tmp_path / "bad.html", 390)
    text = "\n".join(verdict["problems"])
    assert "page: scrollWidth" in text and "wide: div" in text
    assert "id on 2 lines: TT12.KT.MC.1 TT12.KT.MC.2" in text
    assert 'word broken: "Giámsát"' in text


def test_detector_accepts_scroll_container_and_hyphen_break(
    chromium: str, tmp_path: Path
) -> None:
    page = _bare(
        '<div style="overflow-x:auto"><table><tr><td style="white-space:nowrap">'
        + "wide cell " * 60 + "</td></tr></table></div>"
        '<p style="width:70px">PL-III Nghị-định</p><pre>' + "x" * 900 + "</pre>",
        "pre { white-space: pre-wrap; overflow-wrap: anywhere; }",
    )
    verdict = measure(chromium, page, tmp_path / "good.html", 390)
    assert verdict["problems"] == [] and verdict["words"] >= 4


@pytest.fixture(scope="module")
def real_scan(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """results.json of a real ``attt scan`` at level 3 of a ``dir:`` tree with failures."""

    from click.testing import CliRunner

    from attt.cli import main

    base = tmp_path_factory.mktemp("responsive-scan")
    root = base / "tree"
    (root / "etc/ssh/sshd_config.d").mkdir(parents=True)
    (root / "etc/ssh/sshd_config").write_text(
        "Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication yes\n")
    (root / "etc/ssh/sshd_config.d/10-root.conf").write_text("PermitRootLogin yes\n")
    (root / "etc/login.defs").write_text("PASS_MAX_DAYS 99999\nPASS_MIN_LEN 5\n")
    out = base / "run"
    res = CliRunner().invoke(main, ["scan", "-t", f"dir:{root}", "--level", "3", "-o", str(out),
                                    "-q", "-f", "json"], catch_exceptions=False)
    assert res.exit_code == 1, res.output
    doc: dict[str, Any] = json.loads((out / "results.json").read_text(encoding="utf-8"))
    return doc


@pytest.mark.parametrize(("lang", "width"), [
    ("vi", 390), ("vi", 1400), ("en", 390), ("en", 1400),
    ("vi", 360), ("vi", 1920),  # the ends of the range issue 10 names
])
def test_real_scan_report_fits_the_viewport(
    chromium: str, tmp_path: Path, real_scan: dict[str, Any], lang: str, width: int
) -> None:
    page = "".join(render_html(real_scan, RenderOptions(lang=lang)))
    shot = ARTIFACTS / f"scan-{lang}-{width}.png"
    verdict = measure(chromium, page, tmp_path / f"scan-{lang}.html", width, shot)
    assert verdict["problems"] == [], "\n".join(verdict["problems"])
    if width >= 1400:
        # On a desktop screen every table fits: nothing needs scrolling sideways, and the
        # requirement title is the widest column.
        assert verdict["scrollers"] == [], verdict["scrollers"]
        assert verdict["titleShare"] >= 0.35, verdict
    # The measure ran over the whole open report: its ids and its words.
    assert verdict["ids"] >= 100 and verdict["words"] >= 2000, verdict


@pytest.mark.parametrize("width", WIDTHS)
def test_failing_factory_report_fits_the_viewport(
    chromium: str, tmp_path: Path, width: int
) -> None:
    page = "".join(render_html(failing_document(), RenderOptions(lang="vi")))
    verdict = measure(chromium, page, tmp_path / "failing.html", width,
                      ARTIFACTS / f"failing-vi-{width}.png")
    assert verdict["problems"] == [], "\n".join(verdict["problems"])
    assert verdict["ids"] >= 20, verdict
    if width >= 1400:
        assert verdict["scrollers"] == [], verdict["scrollers"]
