"""`attt org scan`: every unit's inventories, one run each, recorded with the unit."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from attt.cli import main

from .builders import SSH_BAD, inventory, organisation, tree, write_yaml


def _org(tmp: Path) -> Path:
    tree(tmp / "trees/good")
    tree(tmp / "trees/bad", SSH_BAD)
    inventory(tmp / "so-a/inventory.yaml", {"cong-a": ["../trees/good"]})
    inventory(tmp / "so-a/noi-bo.yaml", {"noi-bo-a": ["../trees/bad"]})
    inventory(tmp / "huyen-b/inventory.yaml", {"cong-b": ["../trees/bad"]})
    write_yaml(tmp / "xa-c/inventory.yaml", {"systems": [{"name": "x", "colour": "red"}]})
    return organisation(tmp / "org.yaml", [
        {"id": "so-a", "name": "Sở A", "kind": "so_ban_nganh",
         "inventories": ["so-a/inventory.yaml", "so-a/noi-bo.yaml"]},
        {"id": "xa-c", "name": "Xã C", "kind": "cap_xa", "inventories": ["xa-c/inventory.yaml"]},
        {"id": "huyen-b", "name": "Huyện B", "kind": "cap_huyen",
         "inventories": ["huyen-b/inventory.yaml"]},
        {"id": "xa-d", "name": "Xã D", "kind": "cap_xa", "parent": "huyen-b"},
    ])


def test_org_scan_runs_every_inventory_and_a_failing_unit_stops_nothing(tmp_path: Path) -> None:
    org, db, out = _org(tmp_path), tmp_path / "h.sqlite3", tmp_path / "out"
    res = CliRunner().invoke(main, ["org", "scan", str(org), "-o", str(out), "--db", str(db),
                                    "--no-network", "-f", "json"])
    # xa-c's inventory is invalid (exit 2): the worst code, and the units after it still ran.
    assert res.exit_code == 2, res.output
    for unit, stem in (("so-a", "inventory"), ("so-a", "noi-bo"), ("huyen-b", "inventory")):
        doc = json.loads((out / unit / stem / "results.json").read_text())
        assert doc["run"]["unit"] == unit
    assert not (out / "xa-c" / "inventory" / "results.json").exists()
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT r.unit, s.system FROM runs r JOIN run_systems s"
                            " ON s.run = r.id ORDER BY r.id").fetchall()
    assert rows == [("so-a", "cong-a"), ("so-a", "noi-bo-a"), ("huyen-b", "cong-b")]
    assert "xa-c" in res.output and "colour" in res.output  # the failing unit, named
    assert "xa-d" in res.output  # a unit without an inventory is said, not skipped silently
    assert "exit code 2" in res.output  # the closing line in English too


def test_org_scan_selected_units_and_unknown_unit(tmp_path: Path) -> None:
    org, db, out = _org(tmp_path), tmp_path / "h.sqlite3", tmp_path / "out"
    res = CliRunner().invoke(main, ["org", "scan", str(org), "-o", str(out), "--db", str(db),
                                    "--no-network", "-f", "json", "--unit", "huyen-b"])
    assert res.exit_code == 1, res.output  # the bad tree fails requirements
    assert [p.name for p in out.iterdir()] == ["huyen-b"]
    bad = CliRunner().invoke(main, ["org", "scan", str(org), "--unit", "nope", "--db", str(db)])
    assert bad.exit_code == 2 and "nope" in bad.output


def test_org_scan_bad_organisation_file(tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "org.yaml", {"organisation": {"name": "X"},
                                              "units": [{"id": "a", "name": "A", "kind": "bo"}]})
    res = CliRunner().invoke(main, ["org", "scan", str(path)])
    assert res.exit_code == 2
    assert str(path) in res.output and "units[0].kind" in res.output


def test_org_scan_signs_each_run_folder(tmp_path: Path) -> None:
    org, db, out = _org(tmp_path), tmp_path / "h.sqlite3", tmp_path / "out"
    env = {"ATTT_KEY_PASSPHRASE": "correct horse battery"}
    assert CliRunner(env=env).invoke(main, ["keys", "generate", "--out",
                                            str(tmp_path / "k")]).exit_code == 0
    res = CliRunner(env=env).invoke(main, [
        "org", "scan", str(org), "-o", str(out), "--db", str(db), "--no-network", "-f", "json",
        "--unit", "so-a", "--sign", str(tmp_path / "k/attt-signing.key")])
    assert res.exit_code == 1, res.output
    for stem in ("inventory", "noi-bo"):
        verified = CliRunner().invoke(main, ["verify", str(out / "so-a" / stem), "--key",
                                             str(tmp_path / "k/attt-signing.pub")])
        assert verified.exit_code == 0, verified.output
