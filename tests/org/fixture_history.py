"""A small organisation and history whose indicator values are computed by hand (see the
expectations in test_indicators.py).

u1 (sở): systems s1, s2; inputs (s1 approved, s2 submitted with an assessment); a coverage
    result (49/61); run A 2026-03-01 (s1: layers 1-4 all pass; s2: R1 pass, R2 critical
    fail, R3 manual); an older run B 2026-01-01 (s1 all fail, superseded); a run in the 2025
    period (s1: R1 pass).
u2, u4 (huyện): same shape, systems t1-t3; run 2026-04-01 of t1 only (layers 1-2 pass;
    hosts g1 AV not managed, g2 AV managed; national monitoring agent fails on g1): a tie.
u3 (xã): system x1, no run, no inputs.
u5 (xã): system y1; run 2026-05-01, R1 fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from attt.cli import main
from attt.org.criteria_file import bundled_criteria

from .builders import inventory, organisation, results, store, tree, write_yaml

ALL_PASS = [("R1", "pass", "high", 1), ("R2", "pass", "high", 2), ("R3", "pass", "medium", 3),
            ("R4", "pass", "medium", 4), ("R5", "not_applicable", "low", 1)]


def coverage_file(path: Path) -> Path:
    """A real `attt coverage` result on the sample exports: 49 of 61 healthy, 2026-11-30."""

    from tests.coverage.conftest import full_args

    res = CliRunner().invoke(main, [*full_args(), "-o", str(path.parent)])
    assert res.exit_code == 1, res.output
    return path.parent / "coverage.json"


def criteria_file(path: Path, points: float = 10.0) -> Path:
    """The bundled criteria with 10 points per scored indicator (easy sums)."""

    data = yaml.safe_load(Path(bundled_criteria()).read_text(encoding="utf-8"))
    for ind in data["indicators"]:
        if ind["default_points"] is not None:
            ind["default_points"] = points
    return write_yaml(path, data)


def build(tmp: Path) -> tuple[Path, Path]:
    """(organisation file, database)."""

    t = tree(tmp / "trees/t")
    inventory(tmp / "u1/inv.yaml", {"s1": [t], "s2": [t]})
    for u in ("u2", "u4"):
        inventory(tmp / f"{u}/inv.yaml", {"t1": [t], "t2": [t], "t3": [t]})
    inventory(tmp / "u3/inv.yaml", {"x1": [t]})
    inventory(tmp / "u5/inv.yaml", {"y1": [t]})
    write_yaml(tmp / "u1/inputs-2026.yaml", {
        "year": 2026,
        "indicators": {
            "DTI22-P5-C09": {"count": 1, "source": {"number": "3/BC-NCSC"}},
            "DTI22-P5-C10": {"value": True, "source": {"number": "12/QĐ-SA",
                                                       "date": "2026-03-01"}},
            "DTI22-P5-C12": {"numerator": 40, "denominator": 50,
                             "source": {"number": "20/BC-SA"}},
        },
        "systems": {
            "s1": {"approval": {"status": "approved",
                                "decision": {"number": "99/QĐ-UBND", "date": "2024-05-10"}}},
            "s2": {"approval": {"status": "submitted"},
                   "assessments": [{"kind": "periodic", "date": "2026-03-01"}]},
        },
    })
    cov = coverage_file(tmp / "u1/cov/coverage.json")
    units: list[dict[str, Any]] = [
        {"id": "u1", "name": "Sở Một", "kind": "so_ban_nganh", "inventories": ["u1/inv.yaml"],
         "inputs": "u1/inputs-{year}.yaml", "coverage": [str(cov)]},
        {"id": "u2", "name": "Huyện Hai", "kind": "cap_huyen", "inventories": ["u2/inv.yaml"]},
        {"id": "u3", "name": "Xã Ba", "kind": "cap_xa", "inventories": ["u3/inv.yaml"],
         "parent": "u2"},
        {"id": "u4", "name": "Huyện Bốn", "kind": "cap_huyen", "inventories": ["u4/inv.yaml"]},
        {"id": "u5", "name": "Xã Năm", "kind": "cap_xa", "inventories": ["u5/inv.yaml"],
         "parent": "u4"},
    ]
    org = organisation(tmp / "org.yaml", units,
                       criteria=str(criteria_file(tmp / "criteria.yaml")))
    db = tmp / "h.sqlite3"
    store(db, results("B", "2026-01-01T09:00:00+07:00", "u1", {
        "s1": {"requirements": [(r, "fail", s, layer) for r, _, s, layer in ALL_PASS]}}))
    store(db, results("A", "2026-03-01T09:00:00+07:00", "u1", {
        "s1": {"requirements": ALL_PASS, "hosts": [("h1", "ok"), ("h2", "ok")],
               "findings": [("h1", "R1", "antivirus.running", "pass"),
                            ("h1", "R1", "antimalware.centrally_managed", "pass"),
                            ("h2", "R1", "antivirus.running", "fail"),
                            ("h1", "R4", "monitoring.national_agent", "pass")]},
        "s2": {"requirements": [("R1", "pass", "high", 1), ("R2", "fail", "critical", 1),
                                ("R3", "manual", "medium", 2)],
               "findings": [("h3", "R2", "ssh.root_login_disabled", "fail"),
                            ("h3", "R1", "ssh.password_auth_disabled", "pass")]},
    }))
    store(db, results("P", "2025-06-01T09:00:00+07:00", "u1", {
        "s1": {"requirements": [("R1", "pass", "high", 1)]}}))
    for u in ("u2", "u4"):
        store(db, results(f"C-{u}", "2026-04-01T09:00:00+07:00", u, {
            "t1": {"requirements": [("R1", "pass", "high", 1), ("R2", "pass", "high", 2)],
                   "hosts": [("g1", "ok"), ("g2", "ok")],
                   "findings": [("g1", "R1", "antivirus.running", "pass"),
                                ("g1", "R1", "antimalware.centrally_managed", "fail"),
                                ("g2", "R1", "antivirus.running", "pass"),
                                ("g2", "R1", "antimalware.centrally_managed", "pass"),
                                ("g1", "R2", "monitoring.national_agent", "fail")]}}))
    store(db, results("E", "2026-05-01T09:00:00+07:00", "u5", {
        "y1": {"requirements": [("R1", "fail", "high", 1)],
               # anti-malware running, central management never checked (its level)
               "findings": [("k1", "R1", "antivirus.running", "pass")]}}))
    return org, db
