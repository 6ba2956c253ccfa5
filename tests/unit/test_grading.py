"""Grading: the published formula, verdicts, waivers, exit codes."""

from __future__ import annotations

import datetime as dt

from attt import grading
from attt.evidence import Document, EvidenceSet
from attt.messages import untranslated
from attt.model import (
    CheckRef,
    EvidenceSpec,
    Exclusion,
    Finding,
    Profile,
    Requirement,
    Severity,
    Status,
    System,
    Waiver,
)

SYSTEM = System("s", "owner", "unit", "nd85-tt12", 2, (), ())


def req(rid: str, severity: str = "medium", layer: int = 1, checks: bool = True,
        evidence: bool = False, advisory: bool = False) -> Requirement:
    return Requirement(
        rid, f"{rid} vi", f"{rid} en", "server", layer, Severity(severity), {"tt12": "x"},
        checks=(CheckRef("c." + rid, {}),) if checks else (),
        evidence=(EvidenceSpec("doc1", "tài liệu", "document"),) if evidence else (),
        advisory=advisory,
    )


def profile(*reqs: Requirement, exclusions: tuple[Exclusion, ...] = ()) -> Profile:
    return Profile("p", "nd85-tt12", 2, "vi", "en", (), reqs, (), exclusions=exclusions)


def f(rid: str, status: Status, host: str = "h1") -> Finding:
    return Finding("s", host, rid, "c." + rid, {}, status, f"{rid} {status.value}", {})


def test_requirement_takes_worst_status_over_hosts() -> None:
    prof = profile(req("A"), req("B"), req("C"))
    findings = [
        f("A", Status.PASS), f("A", Status.FAIL, "h2"),
        f("B", Status.PASS), f("B", Status.ERROR, "h2"),
        f("C", Status.PASS), f("C", Status.NOT_APPLICABLE, "h2"),
    ]
    sr = grading.grade_system(SYSTEM, prof, findings)
    assert [r.status for r in sr.requirements] == [Status.FAIL, Status.ERROR, Status.PASS]


def test_weighted_percent_and_grade_cap() -> None:
    # pass: low(1) + medium(2) + medium(2) = 5 ; fail: high(4) -> 5/9 = 55.6 %
    prof = profile(req("A", "low"), req("B"), req("C"), req("D", "high"))
    findings = [f("A", Status.PASS), f("B", Status.PASS), f("C", Status.PASS),
                f("D", Status.FAIL)]
    sr = grading.grade_system(SYSTEM, prof, findings)
    assert sr.score.percent == 55.6
    assert sr.score.grade == "D"
    assert sr.score.weighted == {"pass": 5, "fail": 4}


def test_high_failure_caps_grade_at_c_even_with_high_percent() -> None:
    reqs = [req(f"R{i}", "critical") for i in range(10)] + [req("H", "high")]
    findings = [f(f"R{i}", Status.PASS) for i in range(10)] + [f("H", Status.FAIL)]
    sr = grading.grade_system(SYSTEM, profile(*reqs), findings)
    assert sr.score.percent is not None and sr.score.percent > 90
    assert sr.score.grade == "C"
    assert grading.grade_for(95.0, [Severity.CRITICAL]) == "D"
    assert grading.grade_for(95.0, [Severity.LOW]) == "A"
    assert grading.grade_for(None, []) == "-"


def test_manual_evidence_blocks_verdict_but_not_exit_code() -> None:
    prof = profile(req("A"), req("DOC", checks=False, evidence=True))
    report = grading.grade([(SYSTEM, prof)], [f("A", Status.PASS)], [])
    sr = report.systems[0]
    assert sr.requirements[1].status is Status.MANUAL
    assert not sr.verdict_ok and sr.blocking == ("DOC",)
    assert sr.score.percent == 100.0 and sr.score.counts["manual"] == 1
    assert grading.exit_code(report) == 0


def test_verdict_ok_only_when_nothing_blocks() -> None:
    prof = profile(req("A"), req("B"))
    ok = grading.grade([(SYSTEM, prof)], [f("A", Status.PASS), f("B", Status.PASS)], [])
    assert ok.systems[0].verdict_ok and grading.exit_code(ok) == 0
    bad = grading.grade([(SYSTEM, prof)], [f("A", Status.PASS), f("B", Status.ERROR)], [])
    assert not bad.systems[0].verdict_ok and grading.exit_code(bad) == 3
    failed = grading.grade([(SYSTEM, prof)], [f("A", Status.FAIL), f("B", Status.ERROR)], [])
    assert grading.exit_code(failed) == 1
    assert grading.exit_code(grading.grade([(SYSTEM, prof)], [f("A", Status.PASS),
                                            f("B", Status.PASS)], [], host_errors=1)) == 3


def test_advisory_requirement_never_blocks() -> None:
    prof = profile(req("A"), req("IPV6", "low", advisory=True))
    report = grading.grade([(SYSTEM, prof)], [f("A", Status.PASS), f("IPV6", Status.FAIL)], [])
    assert report.systems[0].verdict_ok
    assert grading.exit_code(report) == 0
    assert report.systems[0].requirements[1].status is Status.FAIL


def test_valid_waiver_waives_and_expired_one_fails_loudly() -> None:
    prof = profile(req("A"), req("B"))
    findings = [f("A", Status.FAIL), f("B", Status.FAIL)]
    today = dt.date(2026, 11, 23)
    waivers = [
        Waiver("A", "s/*", "vendor fix pending", "Giám đốc Sở", "2026-12-31", "w.yaml"),
        Waiver("c.B", "h1", "old", "Giám đốc Sở", "2026-11-22", "w.yaml"),
    ]
    report = grading.grade([(SYSTEM, prof)], findings, waivers, today=today)
    a, b = report.systems[0].requirements
    assert a.status is Status.WAIVED
    assert a.findings[0].waiver and a.findings[0].waiver["approver"] == "Giám đốc Sở"
    assert b.status is Status.FAIL
    assert [w.target for w in report.expired_waivers] == ["c.B"]
    assert report.systems[0].score.counts == {"waived": 1, "fail": 1}


def test_waiver_does_not_touch_errors_or_other_hosts() -> None:
    prof = profile(req("A"))
    findings = [f("A", Status.ERROR), f("A", Status.FAIL, "h2")]
    w = [Waiver("A", "s/h1", "r", "a", "2099-01-01", "w.yaml")]
    report = grading.grade([(SYSTEM, prof)], findings, w)
    statuses = sorted(x.status.value for x in report.systems[0].requirements[0].findings)
    assert statuses == ["error", "fail"]


def test_exclusion_and_no_host_in_scope_are_not_applicable() -> None:
    prof = profile(req("A"), req("B"), exclusions=(Exclusion("A", "no e-mail system"),))
    sr = grading.grade_system(SYSTEM, prof, [f("A", Status.FAIL)])
    assert sr.requirements[0].status is Status.NOT_APPLICABLE
    assert sr.requirements[0].reason == "no e-mail system"
    assert sr.requirements[1].status is Status.NOT_APPLICABLE
    assert sr.score.percent is None and sr.verdict_ok


def test_layer_scorecard_groups_by_layer() -> None:
    prof = profile(req("A", layer=1), req("B", layer=2), req("C", layer=2))
    sr = grading.grade_system(SYSTEM, prof, [f("A", Status.PASS), f("B", Status.PASS),
                                             f("C", Status.FAIL)])
    assert sr.layers[1].percent == 100.0
    assert sr.layers[2].percent == 50.0
    assert sr.layers[3].percent is None


# -- network-scope requirements of a system that declared no zones (issue 8) ----------

def _net_req(rid: str, *check_ids: str) -> Requirement:
    return Requirement(rid, rid, rid, "network", 2, Severity.MEDIUM, {"tt12": "x"},
                       checks=tuple(CheckRef(c, {}) for c in check_ids))


def test_network_requirement_without_zone_plan_is_manual_not_na() -> None:
    from attt.library import load_all

    load_all()
    prof = profile(_net_req("VUNG", "net.zone_internal"), req("A"))
    sr = grading.grade_system(SYSTEM, prof, [f("A", Status.PASS)])
    vung = sr.requirements[0]
    assert vung.status is Status.MANUAL
    assert "declare the system's network zones" in vung.reason
    assert "khai báo phân vùng mạng" in vung.reason_vi
    assert "declare" not in vung.reason_vi  # one language per text
    assert not sr.verdict_ok and "VUNG" in sr.blocking  # never a pass by saying nothing


def test_mixed_requirement_missing_its_network_part_is_not_a_pass() -> None:
    from attt.library import load_all

    load_all()
    prof = profile(_net_req("IPV6", "c.IPV6", "net.ipv6_readiness"))
    sr = grading.grade_system(SYSTEM, prof, [f("IPV6", Status.PASS)])
    assert sr.requirements[0].status is Status.MANUAL


def test_host_requirement_without_host_stays_not_applicable() -> None:
    sr = grading.grade_system(SYSTEM, profile(req("A")), [])
    assert sr.requirements[0].status is Status.NOT_APPLICABLE
    assert sr.requirements[0].reason == "no host in scope"
    assert sr.requirements[0].reason_vi == "không có máy chủ nào trong phạm vi"


DOC_EN, DOC_VI = "signed IS policy document", "quy chế bảo đảm an toàn thông tin đã ký"


def _document_requirement(rid: str = "D") -> Requirement:
    return Requirement(rid, f"{rid} vi", f"{rid} en", "policy", 3, Severity.MEDIUM, {},
                       evidence=(EvidenceSpec("doc1", DOC_VI, DOC_EN, 12),
                                 EvidenceSpec("doc2", "danh sách đầu mối", "contact list")))


def _evidence(*entries: str) -> EvidenceSet:
    docs = tuple(
        Document(requirement="D", key=key, number="01/QĐ", title="Quy chế",
                 issued=dt.date.fromisoformat(issued), reviewed=None, approver="Giám đốc",
                 review_months=None, valid_until=None, file="", sha256=None)
        for key, issued in (e.split("@") for e in entries)
    )
    return EvidenceSet("ev.yaml", "s", None, docs)


def test_document_requirement_reason_in_both_languages_never_mixed() -> None:
    today = dt.date(2026, 11, 30)
    sr = grading.grade_system(SYSTEM, profile(_document_requirement()), [],
                              _evidence("doc1@2023-01-10"), today)
    (r,) = sr.requirements
    assert r.status is Status.FAIL
    # The stale document and the missing one, each in the reader's language.
    assert r.reason.startswith("'01/QĐ Quy chế' was last issued or reviewed on 2023-01-10")
    assert "Provide: contact list." in r.reason
    assert r.reason_vi.startswith("'01/QĐ Quy chế' được ban hành hoặc rà soát lần gần nhất")
    assert "cách đây 47 tháng; cấp độ yêu cầu không quá 12 tháng" in r.reason_vi
    assert "Cần cung cấp: danh sách đầu mối." in r.reason_vi
    for english in ("Provide", "months ago", "contact list", "requires"):
        assert english not in r.reason_vi
    for d in r.documents:
        assert untranslated(d.text) == []


def test_attested_document_requirement_says_by_what_not_no_result() -> None:
    """Trial problem 25: an attested document requirement has a reason naming its
    documents, not an empty one that the report fills with "no host findings"."""

    today = dt.date(2026, 11, 30)
    sr = grading.grade_system(SYSTEM, profile(_document_requirement()), [],
                              _evidence("doc1@2026-06-01", "doc2@2026-07-01"), today)
    (r,) = sr.requirements
    assert r.status is Status.PASS
    assert r.reason == ("Attested by '01/QĐ Quy chế' (2026-06-01). "
                        "Attested by '01/QĐ Quy chế' (2026-07-01).")
    assert r.reason_vi.startswith("Đã chứng minh bởi '01/QĐ Quy chế' (01/06/2026).")


def test_not_applicable_reason_joins_finding_texts_per_language() -> None:
    na = Finding("s", "h1", "A", "c.A", {}, Status.NOT_APPLICABLE, "No SSH server.", {},
                 message_vi="Không có máy chủ SSH.")
    old = Finding("s", "h2", "A", "c.A", {}, Status.NOT_APPLICABLE, "Legacy text.", {})
    sr = grading.grade_system(SYSTEM, profile(req("A")), [na, old])
    (r,) = sr.requirements
    assert r.status is Status.NOT_APPLICABLE
    assert r.reason == "Legacy text. No SSH server."
    # A finding written before translations has only English: shown as it is.
    assert r.reason_vi == "Legacy text. Không có máy chủ SSH."


def test_a_waived_finding_keeps_its_vietnamese_text() -> None:
    failing = Finding("s", "h1", "A", "c.A", {}, Status.FAIL, "Telnet is enabled.", {},
                      message_vi="Telnet đang được bật.")
    waiver = Waiver("A", "*", "legacy device, replacement ordered", "Giám đốc", "2099-01-01",
                    "w.yaml")
    (waived,), _ = grading.apply_waivers([failing], [waiver], dt.date(2026, 11, 30))
    assert waived.status is Status.WAIVED
    assert (waived.message, waived.message_vi) == ("Telnet is enabled.", "Telnet đang được bật.")


def test_a_long_reason_is_cut_between_words() -> None:
    text = "Cần cung cấp: " + "biên-bản; " * 80
    cut = grading.clip(text, 100)
    assert len(cut) <= 100 and cut.endswith(" biên-bản…")
    assert grading.clip("ngắn", 100) == "ngắn"
