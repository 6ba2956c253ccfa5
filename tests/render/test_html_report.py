"""The HTML report: structure per language, verdicts, escaping, self-containment, size."""

from __future__ import annotations

import re

import pytest
from factory import (
    FAILING_IDS,
    build,
    compliant_document,
    failing_document,
    large_document,
    make_findings,
    make_profile,
    make_system,
    requirements,
    run_info,
)
from htmlparse import find, parse

from attt.model import Status
from attt.render import html as html_format
from attt.render.base import FORMATS, RenderOptions
from attt.render.document import all_findings
from attt.render.html import FINDINGS_LIMIT, render_html

VI_STATUS = {
    "pass": "Đạt",
    "fail": "Không đạt",
    "error": "Lỗi",
    "not_applicable": "Không áp dụng",
    "manual": "Cần bằng chứng",
    "waived": "Được miễn trừ",
}
EN_STATUS = {
    "pass": "Pass",
    "fail": "Fail",
    "error": "Error",
    "not_applicable": "Not applicable",
    "manual": "Evidence needed",
    "waived": "Waived",
}
VI_LAYERS = {
    1: "Lực lượng tại chỗ",
    2: "Giám sát, bảo vệ chuyên nghiệp",
    3: "Kiểm tra, đánh giá độc lập",
    4: "Kết nối, chia sẻ thông tin với hệ thống giám sát quốc gia",
}
# Documented bound: a report for 1,000 hosts x 12 requirements (every third host failing,
# 2,000-character evidence) must stay under 4 MB; it measures about 1.3 MB.
MAX_BYTES_1000_HOSTS = 4 * 1024 * 1024


def render(doc: dict, lang: str = "vi", limit: int = 400) -> str:
    return "".join(render_html(doc, RenderOptions(lang=lang, evidence_limit=limit)))


@pytest.fixture(scope="module")
def failing() -> dict:
    return failing_document()


@pytest.fixture(scope="module")
def failing_vi(failing: dict) -> str:
    return render(failing, "vi")


@pytest.fixture(scope="module")
def failing_en(failing: dict) -> str:
    return render(failing, "en")


def test_registered_as_html_format() -> None:
    fmt = FORMATS["html"]
    assert fmt.filename == "report.html"
    assert fmt.render is html_format.render_html


def test_compliant_vietnamese_verdict() -> None:
    doc = compliant_document()
    assert doc["systems"][0]["verdict"]["ok"]
    els = parse(render(doc))
    verdicts = [e.text for e in find(els, attr="data-verdict")]
    assert verdicts and all(t == "Đạt cấp độ 2" for t in verdicts)
    assert not find(els, attr="data-blocking")
    assert "Chưa đạt" not in {e.text for e in find(els, cls="verdict")}


def test_compliant_english_verdict() -> None:
    els = parse(render(compliant_document(), "en"))
    verdicts = [e.text for e in find(els, attr="data-verdict")]
    assert verdicts and all(t == "Compliant with level 2" for t in verdicts)


def test_failing_verdict_lists_blocking_requirements(failing: dict, failing_vi: str) -> None:
    els = parse(failing_vi)
    verdicts = {e.text for e in find(els, attr="data-verdict")}
    assert verdicts == {"Chưa đạt"}
    blocking = [e.attrs["data-blocking"] for e in find(els, "li", attr="data-blocking")]
    assert blocking == failing["systems"][0]["verdict"]["blocking"]
    assert set(FAILING_IDS) <= set(blocking)
    # The expired waiver does not hide MC.7, the document requirement blocks as manual.
    assert "TT12.KT.MC.7" in blocking and "TT12.QL.CS.1" in blocking
    # Each blocking id links to its requirement row.
    rows = {e.attrs["data-req"]: e.attrs["id"] for e in find(els, "tr", attr="data-req")}
    hrefs = {a.attrs["href"] for a in find(els, "a") if a.attrs.get("href", "").startswith("#")}
    assert all(f"#{rows[b]}" in hrefs for b in blocking)


def test_failing_english_verdict(failing_en: str) -> None:
    els = parse(failing_en)
    assert {e.text for e in find(els, attr="data-verdict")} == {"Not compliant"}


@pytest.mark.parametrize(("lang", "labels"), [("vi", VI_STATUS), ("en", EN_STATUS)])
def test_status_badges_are_labelled_per_language(
    failing: dict, lang: str, labels: dict[str, str]
) -> None:
    els = parse(render(failing, lang))
    badges = find(els, "span", cls="badge", attr="data-status")
    seen = {b.attrs["data-status"] for b in badges}
    assert seen == set(labels), "every status appears in the failing document"
    for b in badges:
        assert b.text == labels[b.attrs["data-status"]]
    # Requirement rows carry the badge of their graded status.
    for req in failing["systems"][0]["requirements"]:
        row = next(e for e in find(els, "tr", attr="data-req") if e.attrs["data-req"] == req["id"])
        assert row.text.endswith(labels[req["status"]])


def test_layer_table_has_four_named_rows(failing: dict, failing_vi: str) -> None:
    els = parse(failing_vi)
    rows = find(els, "tr", attr="data-layer")
    assert [r.attrs["data-layer"] for r in rows] == ["1", "2", "3", "4"]
    layers = failing["systems"][0]["layers"]
    for r in rows:
        n = int(r.attrs["data-layer"])
        assert VI_LAYERS[n] in r.text
        pct = layers[str(n)]["percent"]
        shown = "không tính điểm" if pct is None else f"{pct:.1f}".replace(".", ",") + "%"
        assert shown in r.text
    # One bar per layer, its label and value in HTML (readable at any width).
    bars = find(els, "div", attr="data-chart-layer")
    assert [b.attrs["data-chart-layer"] for b in bars] == ["1", "2", "3", "4"]
    assert VI_LAYERS[1] in bars[0].text
    assert len(find(els, "svg", cls="c-svg")) == 4
    assert len(find(els, "rect", cls="c-track")) == 4


def test_counts_beside_every_score(failing: dict, failing_vi: str) -> None:
    els = parse(failing_vi)
    beside = find(els, "span", cls="beside")
    assert len(beside) >= 2  # overall summary and the system verdict
    score = failing["summary"]["score"]
    expect = (
        f"Được miễn trừ: {score['waived']} Không áp dụng: {score['not_applicable']} "
        f"Cần bằng chứng: {score['manual']}"
    )
    assert beside[0].text == expect


def test_titles_and_remediation_follow_language(failing: dict, failing_vi: str,
                                                failing_en: str) -> None:
    req = failing["systems"][0]["requirements"][0]
    finding = next(f for f in all_findings(failing) if f["requirement"] == req["id"])
    assert req["title_vi"] in failing_vi and req["title_en"] not in failing_vi
    assert req["title_en"] in failing_en and req["title_vi"] not in failing_en
    assert finding["remediation_vi"] in failing_vi
    assert finding["remediation_en"] in failing_en
    assert finding["check_title_vi"] in failing_vi


def test_banners_for_expired_waivers_and_notes(failing: dict, failing_vi: str) -> None:
    els = parse(failing_vi)
    banner = next(e for e in els if e.attrs.get("id") == "expired-waivers")
    assert banner.attrs.get("role") == "alert"
    assert "1 miễn trừ đã hết hạn" in banner.text
    assert "TT12.KT.MC.7" in banner.text and "2025-10-01" in banner.text
    notes = next(e for e in els if e.attrs.get("id") == "notes")
    assert failing["notes"][0] in notes.text


def test_header_and_profile(failing: dict, failing_vi: str) -> None:
    els = parse(failing_vi)
    head = find(els, "header")[0].text
    for text in ("attt", "20251120T081500-3f9a", "20/11/2025 08:15 (GMT+7)",
                 "inventory/so-tttt.yaml"):
        assert text in head
    body = " ".join(e.text for e in find(els, "main"))
    system = failing["systems"][0]
    for text in (system["owner"], system["operating_unit"], system["profile"]["caveat_vi"],
                 *system["profile"]["instruments"]):
        assert text in body


def test_weakened_parameter_is_marked(failing_vi: str) -> None:
    els = parse(failing_vi)
    marks = find(els, "span", attr="data-weakened")
    assert len(marks) == 1
    row = find(els, "tr", cls="weakened")
    assert len(row) == 1 and "tệp quy chế của đơn vị quyche-attt.yaml" in row[0].text


def test_hosts_table_shows_state(failing_vi: str) -> None:
    els = parse(failing_vi)
    table = find(els, "table", cls="hosts")[0]
    assert "Không kết nối được" in table.text and "connection refused" in table.text
    assert len(find(els, "tr", cls="host-down")) == 1


def test_grading_formula_published(failing_vi: str) -> None:
    els = parse(failing_vi)
    section = next(e for e in els if e.attrs.get("id") == "grading")
    for text in ("Cao = 4", "Nghiêm trọng = 8", "A ≥ 90,0%", "xếp loại tối đa là C",
                 "Không đạt > Lỗi > Cần bằng chứng > Đạt"):
        assert text in section.text


def test_self_contained_with_strict_csp(failing_vi: str, failing_en: str) -> None:
    for page in (failing_vi, failing_en):
        els = parse(page)
        csp = [
            e for e in find(els, "meta")
            if e.attrs.get("http-equiv") == "Content-Security-Policy"
        ]
        assert len(csp) == 1
        policy = csp[0].attrs["content"]
        assert "default-src 'none'" in policy and "style-src 'unsafe-inline'" in policy
        assert "img-src data:" in policy and "script-src" not in policy
        for e in els:
            for name in ("src", "href", "xlink:href", "action", "srcset", "poster", "data"):
                value = e.attrs.get(name, "")
                assert not re.match(r"\s*(https?:)?//", value), (e.tag, name, value)
        assert not find(els, "script") and not find(els, "link") and not find(els, "img")
        assert "http://" not in page and "https://" not in page
        assert "url(" not in page and "@import" not in page


def test_evidence_truncated_with_note() -> None:
    reqs = requirements(2)
    system = make_system(1)
    long = "A" * 300 + "TAIL-MARKER"
    doc = build(system, make_profile(reqs),
                make_findings(system, reqs, lambda i, r: Status.FAIL, observed=long,
                              message=lambda h, r, st: "root login allowed"))
    page = render(doc, "vi", limit=50)
    assert "A" * 50 + "…" in page and "A" * 51 not in page
    assert "TAIL-MARKER" not in page
    assert "bằng chứng đầy đủ trong results.json" in page
    assert "complete evidence in results.json" in render(doc, "en", limit=50)


HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}",
    "{% raw %}",
    "%(num)d %s",
    "javascript:alert(1)",
]


def test_hostile_strings_are_escaped() -> None:
    reqs = requirements(3)
    names = ["h-" + HOSTILE[0], "h-" + HOSTILE[1], "h-{{ 7*7 }}"]
    system = make_system(3, host_names=names, name='sys"><script>x</script>')

    def message(host, req, st):  # type: ignore[no-untyped-def]
        return " | ".join(HOSTILE)

    findings = make_findings(system, reqs, lambda i, r: Status.FAIL, message=message,
                             observed={"k": HOSTILE[1], "v": HOSTILE[0]})
    doc = build(system, make_profile(reqs), findings, notes=HOSTILE)
    doc["run"]["inventory"] = HOSTILE[1]
    for lang in ("vi", "en"):
        page = render(doc, lang)
        for payload in HOSTILE[:2]:
            assert payload not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
        assert "{{ 7*7 }}" in page and "49" not in page.replace("0.49", "")
        els = parse(page)
        assert not find(els, "script") and not find(els, "img")
        assert not [e for e in els if any(k.startswith("on") for k in e.attrs)]


def test_large_inventory_is_bounded() -> None:
    doc = large_document(hosts=1000, reqs_count=12)
    page = render(doc, "vi")
    size = len(page.encode("utf-8"))
    print(f"1,000 hosts x 12 requirements: {size} bytes")
    assert size < MAX_BYTES_1000_HOSTS
    els = parse(page)
    host_rows = find(els, "table", cls="hosts")
    assert len(host_rows) == 1
    hosts_tbody_rows = page.split('<table class="grid hosts stack">', 1)[1].split("</table>", 1)[0]
    assert hosts_tbody_rows.count("<tr") == 1000 + 1  # every host plus the header row
    # Per requirement at most FINDINGS_LIMIT finding rows, then the notice.
    req = doc["systems"][0]["requirements"][0]
    attention = req["counts"].get("fail", 0) + req["counts"].get("error", 0)
    more = attention - FINDINGS_LIMIT
    assert more > 0
    assert f"… và {more} kết quả khác; xem results.json" in page
    assert len(find(els, "p", cls="more")) == 12
    finding_tables = find(els, "table", cls="findings")
    assert len(finding_tables) == 12
    assert page.count('<td class="evidence">') == 12 * FINDINGS_LIMIT


def test_two_systems_each_get_a_verdict() -> None:
    reqs = requirements(4)
    good = make_system(2, level=2, name="mot-cua")
    bad = make_system(2, level=3, name="thu-dien-tu")
    findings = make_findings(good, reqs) + make_findings(
        bad, reqs, lambda i, r: Status.FAIL if r.id == "TT12.KT.MC.2" else Status.PASS
    )
    doc = build([(good, make_profile(reqs, 2)), (bad, make_profile(reqs, 3))], None, findings)
    els = parse(render(doc))
    table = find(els, "table", cls="systems-table")
    assert len(table) == 1
    assert "mot-cua" in table[0].text and "Đạt cấp độ 2" in table[0].text
    assert "thu-dien-tu" in table[0].text and "Chưa đạt" in table[0].text
    sections = find(els, "section", cls="system")
    assert [s.attrs["id"] for s in sections] == ["s0", "s1"]
    assert "Đạt cấp độ 2" in sections[0].text and "Chưa đạt" in sections[1].text
    assert [b.attrs["data-blocking"] for b in find(els, "li", attr="data-blocking")] == [
        "TT12.KT.MC.2"
    ]
    # Requirement anchors are unique across systems.
    ids = [e.attrs["id"] for e in els if "id" in e.attrs]
    assert len(ids) == len(set(ids))


def test_interrupted_run_is_announced() -> None:
    reqs = requirements(2)
    system = make_system(1)
    doc = build(system, make_profile(reqs), make_findings(system, reqs),
                run=run_info(interrupted=True))
    assert "Lần quét đã bị gián đoạn" in render(doc)
    assert "The scan was interrupted" in render(doc, "en")


def test_unknown_language_rejected(failing: dict) -> None:
    with pytest.raises(ValueError):
        render(failing, "fr")
