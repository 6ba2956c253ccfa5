"""The README's annual-report demo on a copy of the shipped demo organisation (relative
paths as in a fresh clone): `attt org scan ... --no-network`, then
`attt org annual-report inventory/demo-org/organisation.yaml --year 2026`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from attt.cli import main
from attt.dossier.context import vn_today

# The scans below are recorded now: the report is that of the data period they fall in
# (15 December starts the next year's), so the test holds whatever the date it runs.
TODAY = vn_today()
YEAR = TODAY.year + (1 if (TODAY.month, TODAY.day) >= (12, 15) else 0)

DEMO = Path(__file__).resolve().parents[2] / "inventory" / "demo-org"


def test_readme_annual_report_on_the_demo(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(DEMO, tmp_path / "inventory" / "demo-org")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner(env={"ATTT_DB": str(tmp_path / "history.sqlite3")})
    org = "inventory/demo-org/organisation.yaml"
    before = runner.invoke(main, ["org", "annual-report", org, "--year", str(YEAR), "-o",
                                  "none"])
    assert before.exit_code == 0, before.output
    unscanned = json.loads((tmp_path / "none" / "annual-report.json").read_text())
    assert {r["plan"] for r in unscanned["rows"]} == {""}  # no history: nothing claimed
    assert runner.invoke(main, ["org", "scan", org, "--no-network"]).exit_code == 1
    # The README's command, with the year the scans fall in.
    result = runner.invoke(main, ["org", "annual-report", org, "--year", str(YEAR)])
    assert result.exit_code == 0, result.output
    out = tmp_path / f"attt-annual-report-{YEAR}"
    assert {p.name for p in out.iterdir()} == {
        "annual-report.docx", "annual-report.html", "annual-report.json"}
    data = json.loads((out / "annual-report.json").read_text())
    assert data["regime"] == "nd85-tt12" and data["deadline"] == f"{YEAR}-12-25"
    units = {r["unit"] for r in data["rows"]}
    assert "xa-hoa-loc" not in units and len(units) == 6  # the unit without inventory
    assert all(r["attt_runs"] and r["plan"] for r in data["rows"])
    assert [r["name"] for r in data["rows"]] == [r["name"] for r in unscanned["rows"]]
    html = (out / "annual-report.html").read_text(encoding="utf-8")
    assert f"Kỳ số liệu: từ ngày 15/12/{YEAR - 1} đến ngày 14/12/{YEAR}" in html
    assert "<script" not in html
