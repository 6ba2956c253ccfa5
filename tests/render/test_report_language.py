"""report.html in the report language (issue 10): messages, reasons, clause labels, parameter
sources, the top of the report (check progress, blocking requirements by title, incomplete
scans) and the layer scorecard's labels."""

from __future__ import annotations

import copy
import html
import re
from typing import Any

import pytest
from factory import (
    as_v1,
    build,
    failing_document,
    make_findings,
    make_profile,
    make_system,
    requirements,
)
from htmlparse import find, parse

from attt.model import Status
from attt.render.base import RenderOptions
from attt.render.document import all_findings
from attt.render.html import breakable, render_html


def render(doc: dict[str, Any], lang: str = "vi") -> str:
    return "".join(render_html(doc, RenderOptions(lang=lang)))


def visible(page: str) -> str:
    """The page's text as a reader sees it: tags (<wbr> too) removed, entities decoded."""

    body = page.split("<body>", 1)[1]
    return html.unescape(re.sub(r"<[^>]+>", "", body))


def _findings(doc: dict[str, Any]) -> list[dict[str, Any]]:
    if doc.get("schema") == "attt.results/1":  # editable: the findings inside requirements
        return [f for s in doc["systems"] for r in s["requirements"] for f in r["findings"]]
    return list(all_findings(doc))


@pytest.fixture(scope="module")
def bilingual() -> dict[str, Any]:
    """The failing document with a Vietnamese text beside every English one a reader sees:
    finding messages, a requirement reason, a document result and a host message."""

    doc = as_v1(failing_document())
    for i, f in enumerate(_findings(doc)):
        f["message"] = f"English finding message number {i} on {f['host']}"
        f["message_vi"] = f"Thông điệp kết quả số {i} trên máy {f['host']}"
    system = doc["systems"][0]
    req = next(r for r in system["requirements"] if r["id"] == "TT12.QL.CS.1")
    req["reason"] = "Provide: the signed information-security regulation."
    req["reason_vi"] = "Cần cung cấp: quy chế bảo đảm an toàn thông tin đã ký ban hành."
    req["documents"] = [{
        "key": "regulation", "title_vi": "Quy chế ATTT", "title_en": "IS regulation",
        "status": "fail", "document": {"number": "12/QĐ-STTTT", "issued": "2022-01-10"},
        "message": "The regulation was issued 47 months ago; the level requires at most 12.",
        "message_vi": "Quy chế ban hành cách đây 47 tháng; cấp độ yêu cầu tối đa 12 tháng.",
    }]
    down = next(h for h in system["hosts"] if h["state"] != "ok")
    down["message"] = "connection refused by the host"
    down["message_vi"] = "máy chủ từ chối kết nối"
    return doc


def test_vietnamese_report_has_no_english_message_where_a_translation_exists(
    bilingual: dict[str, Any]
) -> None:
    text = visible(render(bilingual, "vi"))
    shown = [f for f in _findings(bilingual) if f["status"] in ("fail", "error", "waived")]
    assert shown
    for f in shown:
        assert f["message_vi"] in text
    for f in _findings(bilingual):
        assert f["message"] not in text
    req = next(r for r in bilingual["systems"][0]["requirements"] if r["id"] == "TT12.QL.CS.1")
    assert req["reason_vi"] in text and req["reason"] not in text
    doc_result = req["documents"][0]
    assert doc_result["message_vi"] in text and doc_result["message"] not in text
    assert "máy chủ từ chối kết nối" in text and "connection refused by the host" not in text


def test_english_report_keeps_the_english_messages(bilingual: dict[str, Any]) -> None:
    text = visible(render(bilingual, "en"))
    for f in _findings(bilingual):
        assert f["message_vi"] not in text
    assert "English finding message number 0" in text
    assert "The regulation was issued 47 months ago" in text


def test_results_without_translations_fall_back_to_english(bilingual: dict[str, Any]) -> None:
    # results.json written before messages were translated has no message_vi.
    old = copy.deepcopy(bilingual)
    for f in _findings(old):
        del f["message_vi"]
    text = visible(render(old, "vi"))
    assert "English finding message number 0" in text


def test_top_shows_check_progress_beside_the_requirement_score() -> None:
    doc = failing_document()
    findings = _findings(doc)
    passed = sum(1 for f in findings if f["status"] == "pass")
    total = sum(1 for f in findings if f["status"] != "not_applicable")
    assert 0 < passed < total
    els = parse(render(doc, "vi"))
    cards = find(els, cls="card")
    progress = find(els, "span", attr="data-checks")
    assert progress and all(e.attrs["data-checks"] == f"{passed}/{total}" for e in progress)
    assert f"{passed}/{total} kiểm tra đạt" in " ".join(c.text for c in cards)
    assert f"{passed}/{total} checks passed" in visible(render(doc, "en"))


def test_top_names_the_blocking_requirements_failures_first() -> None:
    doc = failing_document()
    system = doc["systems"][0]
    titles = {r["id"]: (r["title_vi"], r["status"]) for r in system["requirements"]}
    els = parse(render(doc, "vi"))
    top = find(els, "li", attr="data-top-blocking-id")
    ids = [e.attrs["data-top-blocking-id"] for e in top]
    assert set(ids) == set(system["verdict"]["blocking"])
    for e in top:
        assert titles[e.attrs["data-top-blocking-id"]][0] in e.text
    statuses = [titles[i][1] for i in ids]
    assert statuses[0] == "fail" and statuses.index("manual") > statuses.index("fail")


def _unscanned_document() -> dict[str, Any]:
    """Everything scanned passes, but one host of two could not be reached."""

    reqs = requirements(4)
    system = make_system(2)
    findings = make_findings(system, reqs, lambda i, r: Status.PASS if i == 0 else Status.ERROR)
    return build(system, make_profile(reqs), findings, states={"srv-0001": "unreachable"})


def test_incomplete_scan_shows_no_grade_letter() -> None:
    doc = _unscanned_document()
    assert doc["summary"]["verdict"] == "incomplete"
    els = parse(render(doc, "vi"))
    grades = find(els, "span", cls="grade")
    incomplete = [g for g in grades if "data-incomplete" in g.attrs]
    assert incomplete and all(g.text == "Chưa hoàn tất" for g in incomplete)
    # No letter anywhere for this system: cards, verdict box, layers.
    assert not [g for g in grades if "data-incomplete" not in g.attrs and g.text in "ABCDF"]
    card = find(els, "a", cls="verdict-card")[0]
    assert "Chưa hoàn tất" in card.text
    verdicts = {e.text for e in find(els, attr="data-verdict")}
    assert verdicts == {"Chưa hoàn tất"}
    # One word for it on the page: the run verdict says the same.
    assert "Kết quả quét: Chưa hoàn tất" in visible(render(doc, "vi"))
    en = parse(render(doc, "en"))
    assert {e.text for e in find(en, attr="data-verdict")} == {"Scan incomplete"}


def test_complete_scan_keeps_its_grade_letter() -> None:
    els = parse(render(failing_document_without_down_host(), "vi"))
    assert not find(els, attr="data-incomplete")
    assert {e.text for e in find(els, attr="data-verdict")} == {"Chưa đạt"}


def failing_document_without_down_host() -> dict[str, Any]:
    reqs = requirements(4)
    system = make_system(2)
    findings = make_findings(system, reqs, lambda i, r: Status.FAIL if i == 0 else Status.PASS)
    return build(system, make_profile(reqs), findings)


def test_clause_labels_in_words_not_profile_keys() -> None:
    doc = failing_document()
    vi = parse(render(doc, "vi"))
    cells = find(vi, "td", cls="clauses")
    assert cells
    for c in cells:
        assert "tt12:" not in c.text and "tcvn11930:" not in c.text
        assert "Thông tư 12/2022/TT-BTTTT: Phụ lục II, mục " in c.text
    en = " ".join(c.text for c in find(parse(render(doc, "en")), "td", cls="clauses"))
    assert "Circular 12/2022: Annex II, point II.2/1.2.1" in en


def test_parameter_sources_are_translated() -> None:
    doc = copy.deepcopy(failing_document())
    doc["systems"][0]["params"].append({
        "requirement": "TT12.KT.MC.3", "check": "demo.audit_log_enabled", "name": "rules",
        "value": [], "source": "check default", "weakened": False,
    })
    vi = visible(render(doc, "vi"))
    assert "mặc định của nội dung kiểm tra" in vi and "check default" not in vi
    assert "bộ tiêu chí nd85-tt12-2" in vi and "profile nd85-tt12-2" not in vi
    en = visible(render(doc, "en"))
    assert "check default" in en and "requirement profile nd85-tt12-2" in en


def test_unscored_layer_gives_its_reason_and_both_layer_figures_are_labelled() -> None:
    reqs = requirements(2, documents=1)  # layers 1 and 2 automated, the document in layer 2
    system = make_system(1)
    doc = build(system, make_profile(reqs), make_findings(system, reqs))
    doc = copy.deepcopy(doc)
    doc["systems"][0]["requirements"] = [
        r for r in doc["systems"][0]["requirements"] if r["layer"] != 3
    ]
    els = parse(render(doc, "vi"))
    rows = {e.attrs["data-chart-layer"]: e.text for e in find(els, attr="data-chart-layer")}
    assert "không tính điểm" in rows["3"]
    assert "Cấp độ này không có yêu cầu nào thuộc lớp này." in rows["3"]
    page = visible(render(doc, "vi"))
    assert "Mức tuân thủ (kiểm tra và hồ sơ)" in page and "Riêng kiểm tra tự động" in page


def test_documents_only_layer_reason() -> None:
    reqs = requirements(0, documents=2)
    system = make_system(1)
    doc = build(system, make_profile(reqs), make_findings(system, reqs))
    els = parse(render(doc, "vi"))
    row = next(e for e in find(els, attr="data-chart-layer") if e.attrs["data-chart-layer"] == "2")
    assert "Chỉ có yêu cầu hồ sơ, chưa có kiểm tra tự động" in row.text


def test_breakable_adds_break_opportunities_inside_long_tokens_only() -> None:
    path = "'/opt/kaspersky/klnagent64/lib/bin/setup/postinstall.pl'"
    out = str(breakable(f"Run {path} <now>"))
    assert out.startswith("Run &#39;/<wbr>opt/<wbr>kaspersky/<wbr>")
    assert out.endswith(" &lt;now&gt;")
    assert str(breakable("Giám sát, bảo vệ chuyên nghiệp")) == "Giám sát, bảo vệ chuyên nghiệp"
    hostile = str(breakable('"><script>alert(1)</script>/aaaaaaaaaaaaaaaaaaaaaaaa'))
    assert "<script" not in hostile and "&lt;script&gt;" in hostile


def test_article_citations_are_kept_on_one_line() -> None:
    # Chromium may break "9(5)(a)" before "("; the report joins the parts (U+2060).
    doc = copy.deepcopy(failing_document())
    doc["systems"][0]["requirements"][0]["clauses"] = {"tt12": "Art. 9.5.a"}
    assert "Article 9\u2060(5)\u2060(a)" in render(doc, "en")
