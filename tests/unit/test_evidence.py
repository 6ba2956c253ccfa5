"""Evidence files: loading, freshness rules, approval order, hashing, template."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from attt import grading
from attt.errors import InputError
from attt.evidence import evaluate, load_evidence, template
from attt.messages import untranslated
from attt.model import EvidenceSpec, Profile, Requirement, Severity, Status, System
from attt.yamlio import load_text

TODAY = dt.date(2026, 11, 23)


def req(rid: str = "R.1", max_age: int | None = None, before: bool = False,
        layer: int = 3) -> Requirement:
    spec = EvidenceSpec("doc1", "Báo cáo đánh giá", "assessment report", max_age, before)
    return Requirement(rid, "vi", "en", "operation", layer, Severity.MEDIUM, {}, (), (spec,))


def write(tmp_path: Path, body: str, name: str = "ev.yaml") -> str:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return str(path)


def test_missing_document_is_manual_with_what_to_provide() -> None:
    (res,) = evaluate(req(), None, TODAY)
    assert res.status is Status.MANUAL
    # Each language names the document by its own title: no English in the Vietnamese text.
    assert res.message == "Provide: assessment report."
    assert res.message_vi == "Cần cung cấp: Báo cáo đánh giá."
    assert untranslated(res.text) == []


def test_fresh_and_stale_assessment(tmp_path: Path) -> None:
    (tmp_path / "bc.pdf").write_bytes(b"%PDF-1.4 report")
    ev = load_evidence(write(tmp_path, """
system: s
documents:
  - {requirement: R.1, number: "12/BC-STTTT", title: Báo cáo, issued: 2025-06-01,
     approver: Giám đốc, file: bc.pdf}
"""))
    doc = ev.documents[0]
    assert doc.sha256 is not None and len(doc.sha256) == 64
    (ok,) = evaluate(req(max_age=24), ev, TODAY)
    assert ok.status is Status.PASS and "12/BC-STTTT" in ok.message
    (stale,) = evaluate(req(max_age=12), ev, TODAY)
    assert stale.status is Status.FAIL and "at most 12" in stale.message


def test_review_date_refreshes_and_newest_document_counts(tmp_path: Path) -> None:
    ev = load_evidence(write(tmp_path, """
documents:
  - {requirement: R.1, title: old, issued: 2020-01-01}
  - {requirement: R.1, title: reviewed, issued: 2021-01-01, reviewed: 2026-09-01}
"""))
    (res,) = evaluate(req(max_age=6), ev, TODAY)
    assert res.status is Status.PASS and "reviewed" in res.message


def test_regulation_must_precede_approval(tmp_path: Path) -> None:
    body = "approval_date: 2026-03-01\ndocuments:\n  - {requirement: R.1, title: Quy chế, " \
           "issued: %s}\n"
    late = load_evidence(write(tmp_path, body % "2026-04-01", "late.yaml"))
    (res,) = evaluate(req(before=True), late, TODAY)
    assert res.status is Status.FAIL and "after the level approval" in res.message
    early = load_evidence(write(tmp_path, body % "2026-01-15", "early.yaml"))
    assert evaluate(req(before=True), early, TODAY)[0].status is Status.PASS


def test_missing_file_expired_and_future_documents_fail(tmp_path: Path) -> None:
    ev = load_evidence(write(tmp_path, """
documents:
  - {requirement: A, title: gone, issued: 2026-01-01, file: nowhere.pdf}
  - {requirement: B, title: expired, issued: 2025-01-01, valid_until: 2026-01-01}
  - {requirement: C, title: future, issued: 2027-01-01}
"""))
    for rid, needle in (("A", "not found"), ("B", "expired"), ("C", "future")):
        (res,) = evaluate(req(rid), ev, TODAY)
        assert res.status is Status.FAIL and needle in res.message


def test_unfilled_template_entries_count_as_missing(tmp_path: Path) -> None:
    text = template("s", [req("R.1", max_age=12, before=True)], "en")
    assert "R.1" in text and "within the last 12 months" in text
    assert "issued before the level approval date" in text
    vi = template("s", [req("R.1", max_age=12, before=True)])
    assert "Báo cáo đánh giá" in vi and "trong vòng 12 tháng" in vi and "assessment" not in vi
    load_text(text, "template")  # valid YAML
    ev = load_evidence(write(tmp_path, text))
    assert ev.documents == ()
    assert evaluate(req(), ev, TODAY)[0].status is Status.MANUAL


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ("documents:\n  - {requirement: R.1, title: x, issued: 31/12/2025}\n",
         "documents[0].issued"),
        ("documents:\n  - {requirement: R.1, issued: 2025-01-01}\n", "documents[0].title"),
        ("documents:\n  - {requirement: R.1, title: x, issued: 2025-01-01, colour: red}\n",
         "documents[0].colour"),
        ("documents:\n  - {title: x, issued: 2025-01-01}\n", "documents[0].requirement"),
        ("approval_date: soon\n", "approval_date"),
    ],
)
def test_bad_evidence_names_file_and_key(tmp_path: Path, body: str, key: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(InputError) as info:
        load_evidence(path)
    assert info.value.key == key and str(info.value).startswith(path)


def test_grading_uses_evidence_and_splits_layers(tmp_path: Path) -> None:
    ev = load_evidence(write(tmp_path, """
documents:
  - {requirement: R.1, title: Báo cáo, issued: 2026-06-01}
"""))
    prof = Profile("p", "nd85-tt12", 3, "vi", "en", (),
                   (req("R.1", max_age=24), req("R.2", layer=3)), ())
    system = System("s", "", "", "nd85-tt12", 3, (), ())
    sr = grading.grade_system(system, prof, [], ev, TODAY)
    assert [r.status for r in sr.requirements] == [Status.PASS, Status.MANUAL]
    detail = sr.layer_detail[3]
    assert detail.documents == {"attested": 1, "failed": 0, "missing": 1}
    assert detail.missing == (("R.2", "Báo cáo đánh giá", "assessment report"),)
    assert sr.blocking == ("R.2",)


def _verdicts_in_both_languages(tmp_path: Path) -> list[tuple[str, str, str]]:
    (tmp_path / "bc.pdf").write_bytes(b"%PDF-1.4 report")
    (tmp_path / "sub").mkdir()
    ev = load_evidence(write(tmp_path, """
approval_date: 2026-03-01
documents:
  - {requirement: OK, number: "12/BC-STTTT", title: Báo cáo, issued: 2026-06-01, file: bc.pdf}
  - {requirement: OLD, title: Báo cáo cũ, issued: 2023-01-10}
  - {requirement: GONE, title: Quyết định, issued: 2026-01-01, file: nowhere.pdf}
  - {requirement: DIR, title: Thư mục, issued: 2026-01-01, file: sub}
  - {requirement: EXP, title: Giấy phép, issued: 2025-01-01, valid_until: 2026-01-01}
  - {requirement: NEW, title: Kế hoạch, issued: 2027-01-01}
  - {requirement: LATE, title: Quy chế, issued: 2026-04-01}
"""))
    out = []
    for rid, rule in (("OK", {}), ("OLD", {"max_age": 12}), ("GONE", {}), ("DIR", {}),
                      ("EXP", {}), ("NEW", {}), ("LATE", {"before": True})):
        (res,) = evaluate(req(rid, **rule), ev, TODAY)  # type: ignore[arg-type]
        assert untranslated(res.text) == [], (rid, untranslated(res.text))
        out.append((res.status.value, res.message, res.message_vi))
    return out


def test_every_document_verdict_is_written_in_vietnamese_and_english(tmp_path: Path) -> None:
    got = _verdicts_in_both_languages(tmp_path)
    expected_vi = ["Đã chứng minh bởi '12/BC-STTTT Báo cáo' (01/06/2026).",
                   "cách đây 46 tháng; cấp độ yêu cầu không quá 12 tháng.",
                   "không tìm thấy tệp", "không phải tệp thông thường",
                   "đã hết hiệu lực từ ngày 01/01/2026.", "trong tương lai (01/01/2027).",
                   "sau ngày phê duyệt cấp độ 01/03/2026"]
    expected_en = ["Attested by '12/BC-STTTT Báo cáo' (2026-06-01).", "46 months ago",
                   "not found", "not a regular file", "expired on 2026-01-01.",
                   "dated in the future", "after the level approval of 2026-03-01"]
    for (status, en, vi), want_vi, want_en in zip(got, expected_vi, expected_en, strict=True):
        assert want_vi in vi and want_en in en, (status, en, vi)
        assert vi != en


def test_document_verdict_json_carries_both_languages(tmp_path: Path) -> None:
    (res,) = evaluate(req(), None, TODAY)
    doc = res.to_json()
    assert doc["message"] == "Provide: assessment report."
    assert doc["message_vi"] == "Cần cung cấp: Báo cáo đánh giá."
