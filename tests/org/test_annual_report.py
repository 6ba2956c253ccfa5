"""attt org annual-report: rows, totals, blanks, Form 08 consistency checks, deadlines and
the roll-up, against the hand-computed expectations of tests/org/annual_fixture.py."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from attt.annual.derive import form08_checks, totals
from attt.annual.model import AnnualReport
from attt.annual.period import period
from attt.cli import main
from tests.org.annual_fixture import R1, R2, Fixture, build


@pytest.fixture(scope="module")
def fx(tmp_path_factory: pytest.TempPathFactory) -> Fixture:
    return build(tmp_path_factory.mktemp("annual"))


def run(fx: Fixture, out: Path, *args: str, today: str = "2026-12-01") -> tuple[int, str]:
    result = CliRunner().invoke(main, ["org", "annual-report", str(fx.org), "--year", "2026",
                                       "--db", str(fx.db), "-o", str(out), "--today", today,
                                       *args])
    return result.exit_code, result.output


def report(fx: Fixture, tmp: Path, *args: str) -> dict[str, Any]:
    code, out = run(fx, tmp, *args)
    assert code == 0, out
    data: dict[str, Any] = json.loads((tmp / "annual-report.json").read_text())
    return data


def rows_by_name(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in data["rows"]}


def test_rows_from_inputs_inventories_and_latest_complete_run(fx: Fixture,
                                                               tmp_path: Path) -> None:
    data = report(fx, tmp_path, "--regime", "law116-nd331")
    rows = rows_by_name(data)
    assert list(rows) == ["cong-a", "mail-a", "qlvb-b", "web-c"]
    cong, mail, qlvb, web = (rows[n] for n in rows)
    # The run of 2026-11-01 counts: not the interrupted one, not those outside the period.
    assert cong["attt_runs"] == ["2026-11-01"] and mail["attt_runs"] == ["2026-11-01"]
    assert (cong["plan"], cong["met"], cong["applicable"]) == ("partial", 1, 2)
    assert (mail["plan"], mail["met"], mail["applicable"]) == ("full", 2, 2)
    assert (qlvb["plan"], qlvb["met"], qlvb["applicable"]) == ("not_started", 0, 2)
    assert qlvb["attt_runs"] == ["2026-03-01"]
    # Approval, decision, regulation (inputs first, else the inventory's), dates.
    assert [r["approval"] for r in rows.values()] == ["approved", "submitted", "appraised", ""]
    assert cong["decision"]["number"] == "12/QĐ-UBND"
    assert cong["regulation"]["number"] == "15/QĐ-SA"
    assert qlvb["regulation"]["number"] == "07/QĐ-UBND"
    assert mail["regulation"] is None
    assert cong["expected_approval"] is None and mail["expected_approval"] == "2027-03-31"
    assert cong["plan_full_expected"] == "2027-06-30" and mail["plan_full_expected"] is None
    # The periodic check of 2025-11-01 lies before the period; attt's run counts as periodic.
    assert cong["assessment_kinds"] == ["before_go_live", "periodic"]
    assert [a[1] for a in cong["assessments"]] == ["2025-12-20"]
    assert qlvb["assessment_kinds"] == ["periodic"] and web["assessment_kinds"] == []
    # Annex: not-applicable requirements left out; the unmet one carries the inventory's plan.
    annex = {a["requirement"]: a for a in cong["annex"]}
    assert set(annex) == {R1, R2}
    assert annex[R1]["met"] and not annex[R2]["met"]
    assert annex[R2]["action"].startswith("Ban hành quy trình") \
        and annex[R2]["deadline"] == "30/06/2027"
    assert annex[R1]["title"]  # titles from the profile the run used


def test_form08_totals_and_consistency_failures(fx: Fixture, tmp_path: Path) -> None:
    data = report(fx, tmp_path, "--regime", "law116-nd331")
    assert data["totals"] == {"managed": 4, "classified": 4, "dossier": 3, "appraised": 2,
                              "approved": 1, "checked": 1}
    # web-c has no expected approval date: no date for "all approved".
    assert data["all_approved_by"] is None and data["all_approved"] is False
    failed = {(c["unit"], c["system"]) for c in data["checks"]}
    assert failed == {("huyen-b", "qlvb-b"), ("xa-c", "web-c")}


def test_form08_checks_catch_inconsistent_rows(fx: Fixture, tmp_path: Path) -> None:
    from dataclasses import replace

    from attt.annual.build import build_report, owner_scope
    from attt.annual.collect import collect, unit_party
    from attt.org.organisation import load_organisation

    org = load_organisation(str(fx.org))
    scope = owner_scope(org.owner, org.security_unit, org.name, "law116-nd331",
                        [(u.id, unit_party(u)) for u in org.units])
    r = build_report(collect(org, org.units, 2026, str(fx.db)), scope, 2026, "law116-nd331",
                     dt.date(2026, 12, 1), "en")
    rows = list(r.rows)
    good = totals(rows)
    assert len(form08_checks(rows, good, "en")) == 2
    # Totals that do not match the rows, and an approved row without its decision.
    wrong = {**good, "managed": 5, "approved": 2}
    rows[0] = replace(rows[0], decision=None, regulation=None)
    rules = [c.rule for c in form08_checks(rows, wrong, "en")]
    assert "the table has 4 rows, Part 1 says 5 systems" in rules
    assert "1 rows are approved, Part 1 says 2" in rules
    assert "approved row without column (7), the approval decision" in rules
    assert "approved row without column (8), the security regulation" in rules


def test_unit_without_run_is_blank_and_listed(fx: Fixture, tmp_path: Path) -> None:
    code, out = run(fx, tmp_path, "--unit", "xa-c", "--check")
    assert code == 1
    web = rows_by_name(json.loads((tmp_path / "annual-report.json").read_text()))["web-c"]
    assert web["plan"] == "" and web["attt_runs"] == []
    lines = [line for line in out.splitlines() if line.startswith("xa-c  web-c  ")]
    assert any("mức độ triển khai phương án" in line and "attt org scan" in line
               for line in lines), out
    assert any("systems.web-c.approval.status" in line for line in lines), out
    html = (tmp_path / "annual-report.html").read_text()
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)
    mine = [r for r in rows if "Trang thông tin điện tử xã C" in r]
    assert mine, html
    # Never "fully implemented" nor any other implementation value: the dotted blank.
    assert not any(v in r for r in mine for v in ("Đã triển khai", "Chưa triển khai"))
    assert any("<td>…………</td>" in r for r in mine)
    assert "a) Đã triển khai đầy đủ: 0 hệ thống thông tin." in html


def test_check_exit_code_follows_the_blanks(fx: Fixture, tmp_path: Path) -> None:
    # so-a lacks one thing only: mail-a's regulation.
    code, out = run(fx, tmp_path, "--unit", "so-a", "--check", "--regime", "law116-nd331")
    assert code == 1 and "systems.mail-a.regulation" in out
    assert "1 chỗ để trống và 0 lỗi nhất quán" in out
    inputs = fx.org.parent / "so-a" / "inputs-2026.yaml"
    text = inputs.read_text()
    try:
        inputs.write_text(text.replace(
            "  mail-a:\n", "  mail-a:\n    regulation: {number: 16/QĐ-SA, date: 2025-03-02}\n"))
        code, out = run(fx, tmp_path, "--unit", "so-a", "--check", "--regime", "law116-nd331")
    finally:
        inputs.write_text(text)
    assert code == 0, out
    assert "0 chỗ để trống và 0 lỗi nhất quán" in out


def owner_report(fx: Fixture) -> AnnualReport:
    """The owner's Circular 12 report of the fixture, built in process."""

    from attt.annual.build import build_report, owner_scope
    from attt.annual.collect import collect, unit_party
    from attt.org.organisation import load_organisation

    org = load_organisation(str(fx.org))
    scope = owner_scope(org.owner, org.security_unit, org.name, "nd85-tt12",
                        [(u.id, unit_party(u)) for u in org.units])
    return build_report(collect(org, org.units, 2026, str(fx.db)), scope, 2026, "nd85-tt12",
                        dt.date(2026, 12, 1))


def test_tt12_items(fx: Fixture, tmp_path: Path) -> None:
    from attt.annual.build import report_document

    r = owner_report(fx)
    assert r.checks == ()  # Form 08's rules only apply to Form 08
    doc = report_document(r, "vi")
    items = {s.number: s for s in doc.sections if s.level == 2 and s.number}
    assert sorted(items, key=int) == [str(i) for i in range(1, 12)]

    def table(n: str) -> list[tuple[str, ...]]:
        return next(list(b.rows) for b in items[n].blocks if hasattr(b, "columns"))

    def paras(n: str) -> list[str]:
        return [b.text for b in items[n].blocks if hasattr(b, "kind") and hasattr(b, "text")]

    assert [row[1] for row in table("2")] == [
        "Cổng thông tin điện tử Sở A", "Hệ thống thư điện tử Sở A",
        "Hệ thống quản lý văn bản huyện B", "Trang thông tin điện tử xã C"]
    assert "1/4 hệ thống thông tin." in paras("3")
    assert table("3")[0][3] == "Số 12/QĐ-UBND, ngày 10/05/2025, UBND tỉnh Ví Dụ"
    groups = paras("4")
    assert groups[0] == "a) Đã triển khai đầy đủ: 1 hệ thống thông tin: Hệ thống thư điện tử Sở A"
    assert groups[1].startswith("b) Đã triển khai một số hạng mục: 1 hệ thống thông tin: Cổng")
    assert groups[2].startswith("c) Chưa triển khai: 1 hệ thống thông tin: Hệ thống quản lý")
    assert [row[2] for row in table("4")] == [
        "Đã triển khai một số hạng mục", "Đã triển khai đầy đủ", "Chưa triển khai", "…………"]
    assert [row[2] for row in table("6")] == ["Có", "Không", "Có", "…………"]
    seven = [row[2] for row in table("7")]
    assert seven[0] == ("Trước khi đưa vào sử dụng ngày 20/12/2025 (Trung tâm X)\n"
                        "Dò quét, đánh giá bằng attt ngày 01/11/2026")
    assert seven[3] == "…………"
    assert [row[2] for row in table("8")] == ["1/2", "2/2", "0/2", "…………"]
    annex = [s for s in doc.sections if s.level == 3]
    assert next(s.title for s in annex) == "Cổng thông tin điện tử Sở A"
    cong = next(list(b.rows) for b in annex[0].blocks if hasattr(b, "columns"))
    assert [row[2] for row in cong] == ["Đã đáp ứng đầy đủ", "Chưa đáp ứng đầy đủ"]
    assert cong[1][3:] == ("Ban hành quy trình phê duyệt chính sách", "30/06/2027")


@pytest.mark.parametrize(("today", "unit_state", "owner_state"), [
    ("2026-12-18", "open", "open"),
    ("2026-12-19", "due", "open"),
    ("2026-12-24", "overdue", "due"),
    ("2026-12-26", "overdue", "overdue"),
])
def test_deadline_states(today: str, unit_state: str, owner_state: str) -> None:
    day = dt.date.fromisoformat(today)
    assert period(2026, "unit").state(day) == unit_state
    assert period(2026, "owner").state(day) == owner_state
    assert period(2026, "unit").deadline == dt.date(2026, 12, 20)
    assert period(2026, "owner").deadline == dt.date(2026, 12, 25)
    assert (period(2026, "owner").start, period(2026, "owner").end) == (
        dt.date(2025, 12, 15), dt.date(2026, 12, 14))


@pytest.mark.parametrize(("today", "unit_arg", "warned", "word"), [
    ("2026-12-19", ("--unit", "so-a"), True, "chậm nhất trong ngày hôm nay (19/12/2026)"),
    ("2026-12-19", (), False, ""),
    ("2026-12-24", (), True, "chậm nhất trong ngày hôm nay (24/12/2026)"),
    ("2026-12-24", ("--unit", "so-a"), True, "quá hạn"),
    ("2026-12-26", (), True, "quá hạn: hạn gửi là trước ngày 25/12/2026 (chậm 2 ngày)"),
])
def test_deadline_warning_on_the_command_line_and_in_the_html(
        fx: Fixture, tmp_path: Path, today: str, unit_arg: tuple[str, ...], warned: bool,
        word: str) -> None:
    code, out = run(fx, tmp_path, *unit_arg, today=today)
    assert code == 0, out
    html = (tmp_path / "annual-report.html").read_text()
    deadline = "20/12/2026" if unit_arg else "25/12/2026"
    assert f"trước ngày {deadline}" in html  # the deadline on the cover, always
    assert ("CẢNH BÁO" in out) == warned, out
    assert ('role="alert"' in html) == warned
    if warned:
        assert word in out and word in html


def test_owner_report_is_the_union_of_the_unit_reports(fx: Fixture, tmp_path: Path) -> None:
    owner = report(fx, tmp_path / "owner", "--regime", "law116-nd331")
    units = [report(fx, tmp_path / u, "--regime", "law116-nd331", "--unit", u)
             for u in ("so-a", "huyen-b", "xa-c")]
    assert owner["rows"] == [row for u in units for row in u["rows"]]
    assert sorted(map(json.dumps, owner["gaps"])) == sorted(
        json.dumps(g) for u in units for g in u["gaps"])
    # Headers: the unit reports to the owner (before 20 Dec), the owner to the ministry.
    assert units[0]["issuer"] == "Sở A" and units[0]["addressee"] == "UBND tỉnh Ví Dụ"
    assert units[0]["deadline"] == "2026-12-20" and owner["deadline"] == "2026-12-25"
    assert owner["addressee"].startswith("Bộ Công an")
    # Signed by the head of each: the owner's representative, the unit's.
    assert (owner["signer"], owner["signer_position"]) == ("Trần Văn B", "Chủ tịch")
    assert (units[0]["signer"], units[0]["signer_position"]) == ("Nguyễn Văn A", "Giám đốc")
    assert units[1]["signer"] == ""  # huyen-b declares no contact
    html = (tmp_path / "owner" / "annual-report.html").read_text()
    assert "<b>CHỦ TỊCH</b>" in html and "<b>Trần Văn B</b>" in html
    html = (tmp_path / "huyen-b" / "annual-report.html").read_text()
    assert "<b>THỦ TRƯỞNG CƠ QUAN</b>" in html


def test_owner_pairs_repeat_per_owner(fx: Fixture, tmp_path: Path) -> None:
    inv = fx.org.parent / "xa-c" / "inventory.yaml"
    text = inv.read_text()
    try:
        inv.write_text(text.replace("owner: UBND tỉnh Ví Dụ", "owner: UBND xã C"))
        data = report(fx, tmp_path, "--regime", "law116-nd331")
        code, out = run(fx, tmp_path / "check", "--regime", "law116-nd331", "--check")
    finally:
        inv.write_text(text)
    # The second owner's details are blanks the inventory can fill: listed.
    assert code == 1
    assert ("xa-c  -  chủ quản hệ thống thông tin UBND xã C: người đại diện: điền "
            "owner.representative của hệ thống web-c trong tệp khai báo inventory.yaml") in out
    assert [o["owner"]["name"] for o in data["owners"]] == ["UBND tỉnh Ví Dụ", "UBND xã C"]
    html = (tmp_path / "annual-report.html").read_text()
    assert html.count("a) Thông tin về chủ quản hệ thống thông tin:") == 2


def test_inputs_of_another_year_are_refused(fx: Fixture, tmp_path: Path) -> None:
    code, _out = run(fx, tmp_path, "--unit", "so-a")
    assert code == 0
    result = CliRunner().invoke(main, ["org", "annual-report", str(fx.org), "--year", "2025",
                                       "--db", str(fx.db), "-o", str(tmp_path / "y")])
    assert result.exit_code == 2
    assert "inputs-2026.yaml" in result.output and "year" in result.output


def test_unknown_unit_is_a_usage_error(fx: Fixture, tmp_path: Path) -> None:
    code, out = run(fx, tmp_path, "--unit", "nope")
    assert code == 2 and "nope" in out and "so-a" in out


def test_party_blanks_are_listed_and_filled_from_inventories(fx: Fixture,
                                                             tmp_path: Path) -> None:
    code, out = run(fx, tmp_path, "--check")
    assert code == 1
    # huyen-b declares no contact: each field is a blank naming its key.
    assert "huyen-b  -  đơn vị vận hành UBND huyện B: địa chỉ liên lạc: điền " \
           "units[id=huyen-b].contact.address trong tệp organisation.yaml" in out, out
    assert "units[id=huyen-b].contact.email" in out
    # so-a's contact is complete and its mandate comes from its inventory's operating_unit.
    assert "units[id=so-a]" not in out and "đơn vị vận hành Sở A" not in out
    assert "organisation.owner." not in out and "organisation.security_unit." not in out
    html = (tmp_path / "annual-report.html").read_text()
    assert "Quyết định số 01/QĐ-UBND" in html and "Số 1 đường A" in html


def test_inputs_file_per_year(tmp_path: Path) -> None:
    from tests.org.builders import inventory, organisation, tree, write_yaml

    tree(tmp_path / "u" / "t")
    inventory(tmp_path / "u" / "inventory.yaml", {"web-u": ["t"]})
    org = organisation(tmp_path / "organisation.yaml", [
        {"id": "u", "name": "Sở U", "kind": "so_ban_nganh",
         "inventories": ["u/inventory.yaml"], "inputs": "u/inputs-{year}.yaml"}])
    write_yaml(tmp_path / "u" / "inputs-2025.yaml", {"year": 2025, "systems": {
        "web-u": {"approval": {"status": "drafting"}}}})

    def check(year: str) -> tuple[int, str]:
        r = CliRunner().invoke(main, ["org", "annual-report", str(org), "--year", year,
                                      "--db", str(tmp_path / "none.sqlite3"), "--check"])
        return r.exit_code, r.output

    code, out = check("2026")  # no file for 2026 yet: say which file to create
    assert code == 1
    assert "tạo tệp inputs-2026.yaml của đơn vị rồi điền systems.web-u.approval.status" in out
    code, out = check("2025")  # the 2025 file is read
    assert code == 1 and "systems.web-u.approval.status" not in out
    assert "systems.web-u.approval.expected_date trong tệp inputs-2025.yaml" in out


def test_other_information_from_the_units_inputs(fx: Fixture, tmp_path: Path) -> None:
    from attt.annual.build import report_document

    r = owner_report(fx)
    # Sorted by date; xa-c has no inputs file, so "none" cannot be said for it.
    assert [(u, o.kind, o.date.isoformat()) for u, o in r.other] == [
        ("Sở A", "incident", "2026-04-02"), ("Sở A", "drill", "2026-09-20")]
    assert r.other_known is False
    assert any(g.unit == "xa-c" and g.system == "" and "thông tin khác" in g.field
               for g in r.gaps)
    doc = report_document(r, "vi")
    eleven = next(s for s in doc.sections if s.number == "11")
    rows = next(list(b.rows) for b in eleven.blocks if hasattr(b, "columns"))
    assert rows[0][1:] == ("Sở A", "Sự cố", "02/04/2026",
                           "Mã độc trên 2 máy trạm, đã xử lý trong ngày", "…………")
    assert rows[1][2:4] == ("Diễn tập", "20/09/2026")
    assert rows[1][5] == "Số 45/KH-SA, ngày 01/08/2026, Sở A"
    code, out = run(fx, tmp_path, "--check")
    assert code == 1
    assert "xa-c" in out and "other:" in out


def test_a_bad_kind_of_other_information_names_the_key(tmp_path: Path) -> None:
    from attt.errors import InputError
    from attt.org.inputs import load_inputs

    path = tmp_path / "inputs-2026.yaml"
    path.write_text("year: 2026\nother:\n  - {kind: party, date: 2026-01-01, summary: x}\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_inputs(str(path))
    assert err.value.key == "other[0].kind"
