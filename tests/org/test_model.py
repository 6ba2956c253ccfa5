"""The shared data model: organisation file, unit inputs, history `unit`, data-period facts."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from attt import history
from attt.cli import main
from attt.errors import InputError
from attt.org.facts import (
    host_states,
    latest_runs,
    materialise_latest,
    report_period,
    requirement_statuses,
    unit_runs,
)
from attt.org.inputs import load_inputs
from attt.org.organisation import children, descendants, load_organisation, select_units

from .builders import inventory, organisation, results, store, tree, write_yaml


def _units(tmp: Path) -> list[dict[str, Any]]:
    inventory(tmp / "a/inventory.yaml", {"cong-a": ["../trees/a"]})
    inventory(tmp / "b/inventory.yaml", {"cong-b": ["../trees/b"], "mail-b": ["../trees/b"]})
    return [
        {"id": "so-a", "name": "Sở A", "kind": "so_ban_nganh",
         "contact": {"representative": "Nguyễn Văn A", "email": "a@example.gov.vn"},
         "inventories": ["a/inventory.yaml"], "inputs": "a/inputs.yaml"},
        {"id": "huyen-b", "name": "Huyện B", "kind": "cap_huyen",
         "inventories": ["b/inventory.yaml"]},
        {"id": "xa-c", "name": "Xã C", "kind": "cap_xa", "parent": "huyen-b"},
    ]


def _inputs(path: Path, **over: Any) -> Path:
    data: dict[str, Any] = {
        "year": 2026,
        "indicators": {
            "DTI22-P5-C10": {"value": True, "source": {"number": "12/QĐ-SKHCN",
                                                       "date": "2026-03-01", "title": "Đội"}},
            "DTI22-P5-C12": {"numerator": 40, "denominator": 45,
                             "source": {"number": "15/BC-SKHCN"}},
        },
        "systems": {"cong-a": {
            "approval": {"status": "approved",
                         "decision": {"number": "99/QĐ-UBND", "date": "2024-05-10",
                                      "approver": "UBND tỉnh Ví Dụ"}},
            "plan_full_expected": "2027-06-30",
            "regulation": {"number": "5/QĐ-SA", "date": "2025-01-02"},
            "regulation_complied": {"value": True, "source": {"number": "7/BC-SA"}},
            "assessments": [{"kind": "periodic", "date": "2026-09-15", "assessor": "Trung tâm"}],
            "ns_important": {"value": False, "grounds": ""},
        }},
    }
    data.update(over)
    return write_yaml(path, data)


def test_organisation_loads_with_paths_relative_to_the_file(tmp_path: Path) -> None:
    _inputs(tmp_path / "a/inputs.yaml")
    org = load_organisation(str(organisation(tmp_path / "org.yaml", _units(tmp_path))))
    assert org.name == "Ủy ban nhân dân tỉnh Ví Dụ" and org.regime == "nd85-tt12"
    assert org.owner.name == "UBND tỉnh Ví Dụ" and org.criteria_path is None
    assert [u.id for u in org.units] == ["so-a", "huyen-b", "xa-c"]
    a = org.unit("so-a")
    assert a.inventories == (str(tmp_path / "a/inventory.yaml"),)
    assert a.inputs == str(tmp_path / "a/inputs.yaml")
    assert a.contact["representative"] == "Nguyễn Văn A"
    assert [u.id for u in children(org, None)] == ["so-a", "huyen-b"]
    assert [u.id for u in descendants(org, "huyen-b")] == ["xa-c"]
    assert [u.id for u in select_units(org, ("xa-c",))] == ["xa-c"]
    with pytest.raises(InputError) as exc:
        select_units(org, ("nope",))
    assert exc.value.source == "--unit"


@pytest.mark.parametrize(("change", "key"), [
    (lambda u: u[1].update(id="so-a"), "units[1].id"),
    (lambda u: u[2].update(parent="nope"), "units[2].parent"),
    (lambda u: (u[1].update(parent="xa-c")), "units[1].parent"),  # huyen-b <-> xa-c
    (lambda u: u[0].update(kind="bo"), "units[0].kind"),
    (lambda u: u[0].update(id="Sở A"), "units[0].id"),
    (lambda u: u[0].update(colour="red"), "units[0].colour"),
    (lambda u: u[1].update(inventories=["missing.yaml"]), "units[1].inventories[0]"),
    (lambda u: u[0]["contact"].update(fax="1"), "units[0].contact.fax"),
])
def test_organisation_errors_name_file_and_key(tmp_path: Path, change: Any, key: str) -> None:
    _inputs(tmp_path / "a/inputs.yaml")
    units = _units(tmp_path)
    change(units)
    path = organisation(tmp_path / "org.yaml", units)
    with pytest.raises(InputError) as exc:
        load_organisation(str(path))
    assert exc.value.source == str(path) and exc.value.key == key


def test_organisation_top_level_errors(tmp_path: Path) -> None:
    units = _units(tmp_path)
    units[0].pop("inputs")
    path = organisation(tmp_path / "org.yaml", units, criteria="nowhere.yaml")
    with pytest.raises(InputError) as exc:
        load_organisation(str(path))
    assert exc.value.key == "criteria"
    write_yaml(path, {"organisation": {"name": "X", "regime": "nd13"}, "units": units})
    with pytest.raises(InputError) as exc:
        load_organisation(str(path))
    assert exc.value.key == "organisation.regime"


def test_inputs_load_with_their_sources(tmp_path: Path) -> None:
    inp = load_inputs(str(_inputs(tmp_path / "in.yaml")), {"cong-a"})
    assert inp.year == 2026
    c10, c12 = inp.indicators["DTI22-P5-C10"], inp.indicators["DTI22-P5-C12"]
    assert c10.value is True and c10.source.number == "12/QĐ-SKHCN"
    assert c10.source.date == dt.date(2026, 3, 1)
    assert (c12.numerator, c12.denominator) == (40.0, 45.0)
    s = inp.systems["cong-a"]
    assert s.approval is not None and s.approval.status == "approved"
    assert s.approval.decision is not None and s.approval.decision.number == "99/QĐ-UBND"
    assert s.plan_full_expected == dt.date(2027, 6, 30)
    assert s.regulation is not None and s.regulation.number == "5/QĐ-SA"
    assert s.regulation_complied is True and s.regulation_complied_source is not None
    assert s.assessments[0].kind == "periodic" and s.assessments[0].date == dt.date(2026, 9, 15)
    assert s.ns_important is False


@pytest.mark.parametrize(("over", "key"), [
    ({"systems": {"khac": {}}}, "systems.khac"),
    ({"systems": {"cong-a": {"approval": {"status": "done"}}}}, "systems.cong-a.approval.status"),
    ({"systems": {"cong-a": {"approval": {"status": "approved"}}}},
     "systems.cong-a.approval.decision"),
    ({"systems": {"cong-a": {"assessments": [{"kind": "periodic", "date": "2026-02-30"}]}}},
     "systems.cong-a.assessments[0].date"),
    ({"indicators": {"X": {"value": True}}}, "indicators.X.source"),
    ({"indicators": {"X": {"numerator": 5, "denominator": 4, "source": {}}}},
     "indicators.X.numerator"),
    ({"indicators": {"X": {"numerator": 5, "source": {}}}}, "indicators.X.denominator"),
    ({"year": "2026"}, "year"),
])
def test_inputs_errors_name_file_and_key(tmp_path: Path, over: dict[str, Any], key: str) -> None:
    path = _inputs(tmp_path / "in.yaml", **over)
    with pytest.raises(InputError) as exc:
        load_inputs(str(path), {"cong-a"})
    assert exc.value.source == str(path) and exc.value.key == key


def test_scan_unit_is_recorded_in_results_and_history(tmp_path: Path) -> None:
    db, out = tmp_path / "h.sqlite3", tmp_path / "r"
    res = CliRunner().invoke(main, ["scan", "-t", f"dir:{tree(tmp_path / 't')}", "-o", str(out),
                                    "-q", "--db", str(db), "-f", "json", "--unit", "so-a"])
    assert res.exit_code in (0, 1), res.output
    assert json.loads((out / "results.json").read_text())["run"]["unit"] == "so-a"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT unit FROM runs").fetchall() == [("so-a",)]
    assert history.list_runs(str(db))[0].to_json()["unit"] == "so-a"
    bad = CliRunner().invoke(main, ["scan", "-t", f"dir:{tmp_path / 't'}", "-o",
                                    str(tmp_path / "r2"), "-q", "--db", str(db), "--unit", "Sở A"])
    assert bad.exit_code == 2 and "--unit" in bad.output


def test_a_schema_2_database_gains_the_unit_column(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    store(db, results("old", "2026-01-05T10:00:00+07:00", None, {"s": {}}))
    with sqlite3.connect(db) as conn:  # what attt wrote before units existed
        conn.execute("DROP INDEX runs_unit")
        conn.execute("DROP INDEX findings_check")
        conn.execute("ALTER TABLE runs DROP COLUMN unit")
        conn.execute("PRAGMA user_version = 2")
    store(db, results("new", "2026-02-05T10:00:00+07:00", "so-a", {"s": {}}))
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == history.SCHEMA_VERSION == 3
        assert conn.execute("SELECT run_id, unit FROM runs ORDER BY id").fetchall() == [
            ("old", None), ("new", "so-a")]
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master"
                                              " WHERE type = 'index'")}
        assert {"runs_unit", "findings_check"} <= indexes


def test_period_and_the_run_that_counts(tmp_path: Path) -> None:
    p = report_period(2026)
    assert p.start.isoformat() == "2025-12-15T00:00:00+07:00"
    assert p.end.date() == dt.date(2026, 12, 14)
    assert p.contains(dt.date(2025, 12, 15)) and not p.contains(dt.date(2026, 12, 15))
    db = tmp_path / "h.sqlite3"
    sys_a = {"requirements": [("R1", "pass", "high", 1), ("R2", "fail", "critical", 2)],
             "hosts": [("h1", "ok"), ("h2", "unreachable")], "score": 70.0}
    store(db, results("before", "2025-12-14T23:59:00+07:00", "u", {"a": {"score": 10.0}}))
    # 15 Dec 00:30 Vietnam time is 14 Dec in UTC: still in the period.
    first = store(db, results("first", "2025-12-14T17:30:00+00:00", "u", {"a": {"score": 20.0}}))
    good = store(db, results("good", "2026-06-01T09:00:00+07:00", "u", {"a": sys_a}))
    store(db, results("cut", "2026-07-01T09:00:00+07:00", "u", {"a": {}}, interrupted=True))
    store(db, results("after", "2026-12-15T00:00:00+07:00", "u", {"a": {}}))
    store(db, results("other", "2026-08-01T09:00:00+07:00", "v", {"a": {}, "b": {}}))
    store(db, results("nounit", "2026-08-01T09:00:00+07:00", None, {"a": {}}))
    store(db, results("b-only", "2026-03-01T09:00:00+07:00", "u", {"b": {"score": 5.0}}))
    with history.connect(str(db)) as conn:
        runs = unit_runs(conn, "u", p)
        assert {k: v.run_id for k, v in runs.items()} == {"a": "good", "b": "b-only"}
        assert runs["a"].score == 70.0 and runs["a"].out_dir == "/runs/good"
        assert runs["a"].run == good
        assert set(latest_runs(conn, p)) == {("u", "a"), ("u", "b"), ("v", "a"), ("v", "b")}
        st = requirement_statuses(conn, good, "a")
        assert [(r.requirement, r.status, r.layer) for r in st] == [("R1", "pass", 1),
                                                                     ("R2", "fail", 2)]
        assert [(h.host, h.state) for h in host_states(conn, good, "a")] == [
            ("h1", "ok"), ("h2", "unreachable")]
        materialise_latest(conn, p)
        assert conn.execute("SELECT COUNT(*) FROM latest WHERE unit = 'u'").fetchone()[0] == 2
        # 15 Dec 00:30 Vietnam time (14 Dec in UTC) is in the period, 14 Dec 23:59 is not.
        conn.execute("DELETE FROM runs WHERE run_id IN ('good', 'cut', 'after')")
        assert unit_runs(conn, "u", p)["a"].run == first
