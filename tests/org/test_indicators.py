"""Every formula against hand-computed values on the fixture history (fixture_history.py),
points, totals, ties, a unit with no run, missing inputs, and the change since last year."""

from __future__ import annotations

from pathlib import Path

import pytest

from attt import history
from attt.org.criteria_file import load_criteria
from attt.org.indicators import INPUT_NEEDED, MISSING, OK
from attt.org.league import League, build_league
from attt.org.organisation import load_organisation

from .fixture_history import build


@pytest.fixture(scope="module")
def league(tmp_path_factory: pytest.TempPathFactory) -> League:
    org_path, db = build(tmp_path_factory.mktemp("org"))
    org = load_organisation(str(org_path))
    with history.connect(str(db)) as conn:
        return build_league(conn, org, load_criteria(org.criteria_path or ""), 2026, str(db))


def cell(league: League, unit: str, indicator: str) -> tuple[str, object, float | None]:
    row = next(r for r in league.rows if r.unit.id == unit)
    c = row.cells[indicator]
    return c.value.status, c.value.value, c.score


def ratio(league: League, unit: str, indicator: str) -> tuple[float | None, float | None]:
    row = next(r for r in league.rows if r.unit.id == unit)
    v = row.cells[indicator].value
    return v.numerator, v.denominator


C = "DTI22-P5-C"


def test_approved_share(league: League) -> None:
    assert cell(league, "u1", C + "01") == (OK, 0.5, 5.0)
    assert ratio(league, "u1", C + "01") == (1, 2)
    assert cell(league, "u2", C + "01")[0] == INPUT_NEEDED  # no inputs: never zero


def test_plan_full_share(league: League) -> None:
    assert cell(league, "u1", C + "02") == (OK, 0.5, 5.0)  # s1 full, s2 partial
    assert ratio(league, "u2", C + "02") == (1, 3)  # t1 full; t2, t3 without a run
    assert cell(league, "u5", C + "02") == (OK, 0.0, 0.0)  # y1: nothing met
    assert cell(league, "u3", C + "02") == (MISSING, None, None)


def test_four_layer_share(league: League) -> None:
    assert cell(league, "u1", C + "03") == (OK, 0.5, 5.0)  # only s1 covers layers 1-4
    assert cell(league, "u2", C + "03") == (OK, 0.0, 0.0)  # layers 3-4 not covered


def test_antimalware_share_from_coverage_then_from_host_checks(league: League) -> None:
    status, value, score = cell(league, "u1", C + "04")
    assert status == OK and value == pytest.approx(49 / 61) and score == pytest.approx(490 / 61)
    row = next(r for r in league.rows if r.unit.id == "u1")
    assert row.cells[C + "04"].value.evidence[0].kind == "coverage"
    assert cell(league, "u2", C + "04") == (OK, 0.5, 5.0)  # g2 managed, g1 not
    row2 = next(r for r in league.rows if r.unit.id == "u2")
    assert row2.cells[C + "04"].value.evidence[0].kind == "run"
    # Running anti-malware but central management never checked: unknown, not 0 of 1.
    assert cell(league, "u5", C + "04")[0] == MISSING


def test_monitoring_connected(league: League) -> None:
    assert cell(league, "u1", C + "05") == (OK, True, 10.0)
    assert cell(league, "u2", C + "05") == (OK, False, 0.0)  # the agent check failed
    assert cell(league, "u5", C + "05")[0] == INPUT_NEEDED  # no check, nothing declared


def test_assessed_share(league: League) -> None:
    assert cell(league, "u1", C + "07") == (OK, 1.0, 10.0)
    assert ratio(league, "u2", C + "07") == (1, 3)
    assert cell(league, "u3", C + "07")[0] == MISSING  # no run, no inputs


def test_declared_inputs(league: League) -> None:
    assert cell(league, "u1", C + "10") == (OK, True, 10.0)
    assert cell(league, "u1", C + "12") == (OK, 0.8, 8.0)
    assert cell(league, "u1", C + "09") == (OK, 1.0, 5.0)  # one incident: the half tier
    assert cell(league, "u1", C + "06")[0] == INPUT_NEEDED
    row = next(r for r in league.rows if r.unit.id == "u1")
    ev = row.cells[C + "10"].value.evidence[0]
    assert ev.kind == "inputs" and ev.path.endswith("inputs-2026.yaml")
    assert "12/QĐ-SA" in ev.detail and "01/03/2026" in ev.detail


def test_open_critical_is_a_count_never_scored(league: League) -> None:
    assert cell(league, "u1", "ATTT-X01") == (OK, 1.0, None)
    assert cell(league, "u2", "ATTT-X01") == (OK, 0.0, None)
    assert cell(league, "u3", "ATTT-X01")[0] == MISSING


def test_totals_ranks_ties_and_no_run(league: League) -> None:
    got = {r.unit.id: (r.rank, None if r.total is None else round(r.total, 4), r.has_run)
           for r in league.rows}
    assert got == {
        "u1": (1, round(5 + 5 + 5 + 490 / 61 + 10 + 10 + 5 + 10 + 8, 4), True),
        "u2": (2, round(10 / 3 + 5 + 10 / 3, 4), True),
        "u4": (2, round(10 / 3 + 5 + 10 / 3, 4), True),
        "u5": (4, 10.0, True),
        "u3": (None, None, False),
    }
    assert [r.unit.id for r in league.rows] == ["u1", "u2", "u4", "u5", "u3"]
    u3 = next(r for r in league.rows if r.unit.id == "u3")
    assert u3.missing == len(u3.cells)


def test_change_since_last_year(league: League) -> None:
    u1 = next(r for r in league.rows if r.unit.id == "u1")
    # 2025: s1 full (1 of 2) and assessed (1 of 2); nothing else known.
    assert u1.previous_total == pytest.approx(10.0)
    assert u1.change == pytest.approx(u1.total - 10.0)  # type: ignore[operator]
    u2 = next(r for r in league.rows if r.unit.id == "u2")
    assert u2.previous_total is None and u2.change is None


def test_estimated_everywhere(league: League) -> None:
    assert league.estimated
    assert all(c.indicator.estimated for c in league.rows[0].cells.values())


def test_an_inputs_file_of_another_year_is_not_used(tmp_path: Path) -> None:
    from attt.org.criteria_file import load_criteria as criteria

    from .builders import inventory, organisation, tree, write_yaml

    inventory(tmp_path / "a/inv.yaml", {"s": [tree(tmp_path / "t")]})
    write_yaml(tmp_path / "a/inputs.yaml", {"year": 2026, "indicators": {
        "DTI22-P5-C10": {"value": True, "source": {"number": "1/QĐ"}}}})
    org = load_organisation(str(organisation(tmp_path / "org.yaml", [
        {"id": "a", "name": "A", "kind": "cap_xa", "inventories": ["a/inv.yaml"],
         "inputs": "a/inputs.yaml"}])))
    with history.connect(str(tmp_path / "h.sqlite3")) as conn:
        used = build_league(conn, org, criteria(), 2026)
        other = build_league(conn, org, criteria(), 2027)
    assert used.rows[0].cells[C + "10"].value.status == OK
    row = other.rows[0]
    assert row.cells[C + "10"].value.status == INPUT_NEEDED
    assert any("2026" in n.render("en") and "not used" in n.render("en") for n in row.notes)
