"""The README's demo, exactly: `attt org scan inventory/demo-org/organisation.yaml
--no-network` then `attt org rank inventory/demo-org/organisation.yaml --year 2026`, from a
copy of the shipped folder (relative paths as in a fresh clone)."""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner

from attt.cli import main
from attt.org.organisation import UNIT_KINDS, load_organisation

DEMO = Path(__file__).resolve().parents[2] / "inventory" / "demo-org"


def test_demo_is_shipped_with_the_package() -> None:
    shipped = Path(str(resources.files("attt.inventory").joinpath("demo-org")))
    org = load_organisation(str(shipped / "organisation.yaml"))
    assert len(org.units) >= 6 and {u.kind for u in org.units} == set(UNIT_KINDS)


def test_readme_commands_on_the_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(DEMO, tmp_path / "inventory" / "demo-org")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner(env={"ATTT_DB": str(tmp_path / "history.sqlite3")})
    org = "inventory/demo-org/organisation.yaml"
    scanned = runner.invoke(main, ["org", "scan", org, "--no-network"])
    assert scanned.exit_code == 1, scanned.output  # weak units fail requirements
    assert "xa-hoa-loc" in scanned.output  # no inventory, said so
    ranked = runner.invoke(main, ["org", "rank", org, "--year", "2026"])
    assert ranked.exit_code == 0, ranked.output
    model = json.loads((tmp_path / "attt-league-2026" / "league-table.json").read_text())
    units = {u["id"]: u for u in model["units"]}
    assert len(units) == 7
    # Different hardening and declarations give different totals: a real order.
    totals = [u["total"] for u in model["units"]]
    assert totals == sorted(totals, reverse=True) and len(set(totals)) == len(totals)
    assert units["so-khcn"]["rank"] == 1
    assert units["xa-hoa-loc"]["has_run"] is False
    assert units["so-khcn"]["cells"]["DTI22-P5-C04"]["evidence"][0]["kind"] == "coverage"
    assert units["huyen-song-xanh"]["cells"]["DTI22-P5-C04"]["evidence"][0]["kind"] == "run"
    run_dirs = {e["path"] for e in units["so-y-te"]["cells"]["DTI22-P5-C07"]["evidence"]}
    assert all(Path(d, "report.html").is_file() for d in run_dirs)
    html = (tmp_path / "attt-league-2026" / "league-table.html").read_text(encoding="utf-8")
    assert "ước tính" in html and "<script" not in html
