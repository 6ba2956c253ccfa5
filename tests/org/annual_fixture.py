"""A small organisation for the annual-report tests: three units of three kinds, their
inventories and inputs, and a history database of hand-made runs recorded with the store's
own ``record()``.

Expected facts (hand-computed, data period 15/12/2025 - 14/12/2026):

========  =======  ==========  =============================  ==============  ==========
unit      system   approval    latest complete run in period  plan            checks
========  =======  ==========  =============================  ==============  ==========
so-a      cong-a   approved    2026-11-01: pass, fail, n/a    partial         before+per
so-a      mail-a   submitted   2026-11-01: pass, pass         full            periodic
huyen-b   qlvb-b   appraised   2026-03-01: fail, manual       not_started     periodic
xa-c      web-c    (none)      (none)                         (unknown)       (none)
========  =======  ==========  =============================  ==============  ==========

Runs that must not count: so-a interrupted on 2026-12-01, so-a on 2026-12-20 (after the
period), so-a on 2025-12-10 (before it), and an older so-a run on 2026-06-01.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.org.builders import organisation, results, store, tree, write_yaml

R1, R2, R3 = "TT12.QL.CS.1", "TT12.QL.CS.2", "TT12.QL.CS.3"
PARTY = {"mandate": "Quyết định số 02/QĐ-UBND", "representative": "Trần Văn B",
         "position": "Chủ tịch", "address": "Số 2 đường B", "phone": "0200 000 002",
         "email": "ubnd@vidu.gov.vn"}


def _inventory(path: Path, systems: list[dict[str, Any]]) -> None:
    tree(path.parent / "host")
    write_yaml(path, {"systems": [
        {"level": 2, "owner": "UBND tỉnh Ví Dụ",
         "hosts": [{"name": "h0", "transport": "dir", "path": "host"}], **s}
        for s in systems]})


def _run(db: Path, run_id: str, started: str, unit: str,
         statuses: dict[str, list[tuple[str, str]]], interrupted: bool = False) -> None:
    doc = results(run_id, started, unit, {
        name: {"requirements": [(rid, st, "high", 1) for rid, st in reqs]}
        for name, reqs in statuses.items()}, interrupted=interrupted)
    for s in doc["systems"]:
        s["profile"] = {"id": "nd85-tt12-2"}
    store(db, doc)


@dataclass(frozen=True)
class Fixture:
    """Paths of the fixture organisation."""

    org: Path
    db: Path


def build(root: Path) -> Fixture:
    """Write the organisation under ``root`` and record its history."""

    _inventory(root / "so-a" / "inventory.yaml", [
        {"name": "cong-a", "title": "Cổng thông tin điện tử Sở A",
         "operating_unit": {"name": "Sở A", "mandate": "Quyết định số 01/QĐ-UBND"},
         "solutions": {R2: {"text": "Đang xây dựng", "action": "Ban hành quy trình phê "
                            "duyệt chính sách", "deadline": "30/06/2027"}}},
        {"name": "mail-a", "title": "Hệ thống thư điện tử Sở A", "operating_unit": "Sở A"},
    ])
    _inventory(root / "huyen-b" / "inventory.yaml", [
        {"name": "qlvb-b", "title": "Hệ thống quản lý văn bản huyện B",
         "operating_unit": "UBND huyện B",
         "regulation": {"number": "07/QĐ-UBND", "date": "2025-02-01",
                        "issuer": "UBND huyện B"}},
    ])
    _inventory(root / "xa-c" / "inventory.yaml", [
        {"name": "web-c", "title": "Trang thông tin điện tử xã C", "operating_unit": "UBND xã C"},
    ])
    write_yaml(root / "so-a" / "inputs-2026.yaml", {"year": 2026, "other": [
        {"kind": "drill", "date": "2026-09-20", "summary": "Diễn tập thực chiến cấp tỉnh",
         "source": {"number": "45/KH-SA", "date": "2026-08-01", "approver": "Sở A"}},
        {"kind": "incident", "date": "2026-04-02",
         "summary": "Mã độc trên 2 máy trạm, đã xử lý trong ngày"},
    ], "systems": {
        "cong-a": {
            "approval": {"status": "approved", "decision": {
                "number": "12/QĐ-UBND", "date": "2025-05-10", "approver": "UBND tỉnh Ví Dụ"}},
            "regulation": {"number": "15/QĐ-SA", "date": "2025-03-01", "approver": "Sở A"},
            "plan_full_expected": "2027-06-30",
            "regulation_complied": {"value": True},
            "assessments": [
                {"kind": "before_go_live", "date": "2025-12-20", "assessor": "Trung tâm X"},
                {"kind": "periodic", "date": "2025-11-01", "assessor": "Trung tâm X"}],
            "ns_important": {"value": True, "grounds": "Điều 9 khoản 2 Luật 116"}},
        "mail-a": {
            "approval": {"status": "submitted", "expected_date": "2027-03-31"},
            "regulation_complied": {"value": False},
            "ns_important": {"value": False}},
    }})
    write_yaml(root / "huyen-b" / "inputs-2026.yaml", {"year": 2026, "systems": {
        "qlvb-b": {
            "approval": {"status": "appraised", "expected_date": "2027-01-15"},
            "regulation_complied": {"value": True},
            "ns_important": {"value": False}},
    }})
    organisation(root / "organisation.yaml", [
        {"id": "so-a", "name": "Sở A", "kind": "so_ban_nganh",
         "contact": {"representative": "Nguyễn Văn A", "position": "Giám đốc",
                     "phone": "0200 000 001", "address": "Số 1 đường A",
                     "email": "soa@vidu.gov.vn"},
         "inventories": ["so-a/inventory.yaml"], "inputs": "so-a/inputs-2026.yaml"},
        {"id": "huyen-b", "name": "UBND huyện B", "kind": "cap_huyen",
         "inventories": ["huyen-b/inventory.yaml"], "inputs": "huyen-b/inputs-2026.yaml"},
        {"id": "xa-c", "name": "UBND xã C", "kind": "cap_xa", "parent": "huyen-b",
         "inventories": ["xa-c/inventory.yaml"]},
    ], organisation={"name": "Ủy ban nhân dân tỉnh Ví Dụ", "regime": "nd85-tt12",
                     "owner": {**PARTY, "name": "UBND tỉnh Ví Dụ"},
                     "security_unit": {**PARTY, "name": "Sở Khoa học và Công nghệ"}})
    db = root / "history.sqlite3"
    both_pass = {"cong-a": [(R1, "pass"), (R2, "pass"), (R3, "pass")],
                 "mail-a": [(R1, "pass"), (R2, "pass")]}
    _run(db, "r-before", "2025-12-10T09:00:00+07:00", "so-a", both_pass)
    _run(db, "r-june", "2026-06-01T09:00:00+07:00", "so-a", both_pass)
    _run(db, "r-nov", "2026-11-01T09:00:00+07:00", "so-a", {
        "cong-a": [(R1, "pass"), (R2, "fail"), (R3, "not_applicable")],
        "mail-a": [(R1, "pass"), (R2, "pass")]})
    _run(db, "r-stopped", "2026-12-01T09:00:00+07:00", "so-a", {
        "cong-a": [(R1, "fail"), (R2, "fail"), (R3, "fail")]}, interrupted=True)
    _run(db, "r-after", "2026-12-20T09:00:00+07:00", "so-a", both_pass)
    _run(db, "r-b", "2026-03-01T09:00:00+07:00", "huyen-b", {
        "qlvb-b": [(R1, "fail"), (R2, "manual")]})
    return Fixture(root / "organisation.yaml", db)
