"""The ``collected:`` transport: collector documents read from files, verified, aged."""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))

import docbuilder

import attt.probes.windows  # noqa: F401 - registers the win_* probes
from attt.cli import main
from attt.collect import plan
from attt.errors import InputError
from attt.inventory_loader import adhoc_inventory, load_inventory
from attt.messages import render
from attt.model import Host
from attt.registry import CHECKS, PROBES
from attt.render.document import all_findings
from attt.transport import TRANSPORTS, TransportSettings
from attt.windows.document import (
    DocumentError,
    StaleDocument,
    parse_document,
    read_document,
    valid_computer_name,
)


def _write(path: Path, doc: dict[str, Any] | str) -> Path:
    path.write_text(doc if isinstance(doc, str) else docbuilder.dumps(doc), encoding="utf-8")
    return path


def _host(path: Path, name: str = "PC-KETOAN-01", **options: Any) -> Host:
    return Host(name=name, system="s", transport="collected", address=str(path),
                roles=("workstation",), options=options)


def _collect(host: Host, probes: list[str]) -> Any:
    transport = TRANSPORTS["collected"](host, TransportSettings())
    return transport.collect([PROBES[p] for p in probes])


# ------------------------------------------------------------------ document verification


def test_a_verified_document_gives_the_envelope_and_parsed_sections() -> None:
    doc = docbuilder.document()
    got = parse_document(docbuilder.dumps(doc).encode(), "x.json")
    assert "body" not in got
    assert got["host"]["name"] == "PC-KETOAN-01"
    assert got["sections"]["smb"] == {"status": "ok", "data": {"smb1_enabled": False}}


def test_a_byte_order_mark_is_accepted() -> None:
    data = b"\xef\xbb\xbf" + docbuilder.dumps(docbuilder.document()).encode()
    assert parse_document(data, "x.json")["schema"] == docbuilder.SCHEMA


@pytest.mark.parametrize(("change", "said"), [
    (lambda d: d.update(body=d["body"].replace("false", "true ")), "SHA-256 of body is"),
    (lambda d: d.update(schema="attt.windows-collector/2"), "schema is"),
    (lambda d: d.update(sha256="ABC"), "64 lower-case hex"),
    (lambda d: d.update(collected_at="30/11/2026 09:15"), "collected_at is not an ISO date"),
    (lambda d: d.update(host={"domain": "x"}), "host.name is missing"),
    (lambda d: d.pop("body"), "body is missing"),
])
def test_a_damaged_document_is_refused_naming_the_file(change: Any, said: str) -> None:
    doc = docbuilder.document()
    change(doc)
    with pytest.raises(DocumentError) as err:
        parse_document(docbuilder.dumps(doc).encode(), "/share/PC1.json")
    assert "/share/PC1.json is damaged" in str(err.value) and said in str(err.value)
    assert "tệp kết quả thu thập /share/PC1.json bị hỏng" in render(err.value.message, "vi")


def test_bad_json_a_body_that_is_not_json_and_nan_are_damaged() -> None:
    with pytest.raises(DocumentError, match="not valid JSON"):
        parse_document(b'{"schema": ', "a.json")
    doc = docbuilder.document()
    doc["body"] = "{not json"
    doc["sha256"] = __import__("hashlib").sha256(doc["body"].encode()).hexdigest()
    with pytest.raises(DocumentError, match="body: not valid JSON"):
        parse_document(docbuilder.dumps(doc).encode(), "a.json")
    with pytest.raises(DocumentError, match="not valid JSON"):
        parse_document(b'{"schema": NaN}', "a.json")


def test_only_a_regular_file_within_the_size_limit_is_read(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(DocumentError, match=r"cannot read collector document .*pipe\.json"):
        read_document(str(fifo))  # a FIFO would block a plain open()
    big = _write(tmp_path / "big.json", docbuilder.document())
    monkeypatch.setattr("attt.windows.document.MAX_DOCUMENT_BYTES", 100)
    with pytest.raises(DocumentError, match=r"big\.json"):
        read_document(str(big))


# ------------------------------------------------------------------ the transport


def test_a_fresh_document_gives_the_win_sections_and_nothing_else(tmp_path: Path) -> None:
    path = _write(tmp_path / "pc.json", docbuilder.document())
    got = _collect(_host(path), ["win_smb", "win_password_policy", "win_bitlocker",
                                     "sshd_config_files"])
    assert got.complete
    assert got.sections["win_smb"].state == "ok"
    assert json.loads(got.sections["win_smb"].text) == {"smb1_enabled": False}
    assert got.sections["win_password_policy"].state != "ok"  # denied in the document
    # Absent from the document, or a Linux probe: unavailable, never an empty "ok".
    assert got.sections["win_bitlocker"].state == "unavailable"
    assert got.sections["sshd_config_files"].state == "unavailable"


def test_a_stale_document_is_refused_naming_its_age(tmp_path: Path) -> None:
    path = _write(tmp_path / "pc.json", docbuilder.document(age=timedelta(days=45, hours=3)))
    with pytest.raises(StaleDocument) as err:
        _collect(_host(path), ["win_smb"])
    assert "45.1 days ago" in str(err.value) and "30-day limit" in str(err.value)
    vi = render(err.value.message, "vi")
    assert "cách đây 45,1 ngày" in vi and "giới hạn 30 ngày" in vi  # decimal comma
    # The limit is the host's max_age_days option.
    assert _collect(_host(path, max_age_days=60), ["win_smb"]).complete


def test_a_document_dated_in_the_future_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "pc.json", docbuilder.document(age=-timedelta(days=3)))
    with pytest.raises(StaleDocument, match="in the future"):
        _collect(_host(path), ["win_smb"])


def test_a_document_of_another_computer_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "pc.json", docbuilder.document("PC-VANTHU-02"))
    with pytest.raises(DocumentError, match="is of computer 'PC-VANTHU-02', not 'PC-KETOAN-01'"):
        _collect(_host(path), ["win_smb"])
    assert _collect(_host(path, name="pc-vanthu-02"), ["win_smb"]).complete  # case-folded


# ------------------------------------------------------------------ targets and inventory


def test_a_folder_target_is_one_workstation_per_json_named_by_its_envelope(
        tmp_path: Path) -> None:
    _write(tmp_path / "a.json", docbuilder.document("PC-A"))
    server = docbuilder.document("SRV-B")
    server["host"]["product_type"] = 3
    _write(tmp_path / "b.json", server)
    _write(tmp_path / "copy-of-a.json", docbuilder.document("pc-a"))
    _write(tmp_path / "BROKEN.json", "{")
    (tmp_path / "notes.txt").write_text("not a document")
    (tmp_path / "sub").mkdir()
    _write(tmp_path / "sub" / "c.json", docbuilder.document("PC-C"))
    hosts = adhoc_inventory(f"collected:{tmp_path}", 3).systems[0].hosts
    assert [(h.name, os.path.basename(h.address)) for h in hosts] == [
        ("BROKEN", "BROKEN.json"), ("PC-A", "a.json"), ("SRV-B", "b.json"),
        ("pc-a~copy-of-a.json", "copy-of-a.json")]
    assert {h.transport for h in hosts} == {"collected"}
    assert [h.roles for h in hosts] == [("workstation",), ("workstation",), ("server",),
                                        ("workstation",)]
    one = adhoc_inventory(f"collected:{tmp_path / 'b.json'}", 3).systems[0].hosts
    assert [h.name for h in one] == ["SRV-B"]


def test_a_missing_or_empty_collected_target_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file or folder"):
        adhoc_inventory(f"collected:{tmp_path / 'nope'}", 3)
    with pytest.raises(InputError, match=r"no \*.json collector document"):
        adhoc_inventory(f"collected:{tmp_path}", 3)
    with pytest.raises(InputError, match="needs a file or a folder"):
        adhoc_inventory("collected:", 3)


def _inventory(tmp_path: Path, host: str) -> Path:
    inv = tmp_path / "inventory.yaml"
    inv.write_text("systems:\n  - name: s\n    level: 3\n    hosts:\n" + host)
    return inv


def test_inventory_collected_host_path_and_max_age(tmp_path: Path) -> None:
    inv = _inventory(tmp_path, "      - {name: PC-A, transport: collected, path: docs/PC-A.json,"
                               " roles: [workstation], options: {max_age_days: 7}}\n")
    host = load_inventory(str(inv)).systems[0].hosts[0]
    assert host.transport == "collected"
    assert host.address == str(tmp_path / "docs" / "PC-A.json")
    assert host.options["max_age_days"] == 7
    bad = _inventory(tmp_path, "      - {name: PC-A, transport: collected}\n")
    with pytest.raises(InputError, match="needs path"):
        load_inventory(str(bad))
    bad = _inventory(tmp_path, "      - {name: PC-A, transport: collected, path: x.json,"
                               " options: {max_age_days: -1}}\n")
    with pytest.raises(InputError, match="max_age_days"):
        load_inventory(str(bad))


def test_inventory_shell_powershell(tmp_path: Path) -> None:
    inv = _inventory(tmp_path, "      - {name: w1, address: 192.0.2.5, shell: powershell}\n")
    assert load_inventory(str(inv)).systems[0].hosts[0].options["shell"] == "powershell"
    bad = _inventory(tmp_path, "      - {name: w1, address: 192.0.2.5, shell: cmd}\n")
    with pytest.raises(InputError, match="shell"):
        load_inventory(str(bad))


# ------------------------------------------------------------------ a whole scan


def _scan(target: str, out: Path) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["scan", "-t", target, "--level", "3", "--no-network",
                                       "-o", str(out), "-q", "-f", "json"],
                                catch_exceptions=False)
    assert result.exit_code in (0, 1, 3), result.output
    doc: dict[str, Any] = json.loads((out / "results.json").read_text())
    return doc


def test_scan_of_a_folder_stale_and_damaged_hosts_are_errors_the_rest_is_graded(
        tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    _write(docs / "fresh.json", docbuilder.document("PC-FRESH"))
    _write(docs / "old.json", docbuilder.document("PC-OLD", age=timedelta(days=40)))
    damaged = docbuilder.document("PC-BAD")
    damaged["sha256"] = "0" * 64
    _write(docs / "bad.json", damaged)
    doc = _scan(f"collected:{docs}", tmp_path / "out")
    by_host: dict[str, list[dict[str, Any]]] = {}
    for f in all_findings(doc):
        by_host.setdefault(f["host"], []).append(f)
    # "coverage": the system-level anti-malware coverage check (no coverage file: manual).
    assert set(by_host) == {"PC-FRESH", "PC-OLD", "PC-BAD", "coverage"}
    assert {f["status"] for f in by_host.pop("coverage")} == {"manual"}
    old = by_host["PC-OLD"]
    assert old and {f["status"] for f in old} == {"error"}
    assert all("40.0 days ago" in f["message"] for f in old)
    bad = by_host["PC-BAD"]
    assert {f["status"] for f in bad} == {"error"}
    assert all(f"{docs / 'bad.json'} is damaged" in f["message"] for f in bad)
    fresh = by_host["PC-FRESH"]  # read and graded, never refused
    assert fresh and not any("damaged" in f["message"] or "days ago" in f["message"]
                             for f in fresh)
    records = [json.loads(line) for line in
               (tmp_path / "out" / "findings.jsonl").read_text().splitlines()]
    states = {r["name"]: r["state"] for r in records if r["type"] == "host"}
    assert states == {"PC-FRESH": "ok", "PC-OLD": "error", "PC-BAD": "error"}


def test_planned_windows_probes_come_from_the_document(tmp_path: Path) -> None:
    win = [cid for cid in CHECKS if cid.startswith("win.")]
    if not win:
        pytest.skip("no win.* check registered yet (checks/win.py)")
    probes = plan(win)
    path = _write(tmp_path / "pc.json", docbuilder.document())
    got = TRANSPORTS["collected"](_host(path), TransportSettings()).collect(probes)
    assert {p.name for p in probes} == set(got.sections)
    assert any(s.state == "ok" for s in got.sections.values())


def test_the_document_time_is_read_with_its_offset() -> None:
    # 09:15 at +07:00 is 02:15 UTC: 30 days later at 02:16 UTC it is just over the limit.
    from attt.windows.document import check_age
    doc = {"collected_at": "2026-10-31T09:15:02.1234567+07:00"}
    check_age(doc, "f", 30, now=datetime(2026, 11, 30, 2, 14, tzinfo=UTC))
    with pytest.raises(StaleDocument):
        check_age(doc, "f", 30, now=datetime(2026, 11, 30, 2, 16, tzinfo=UTC))


def test_every_committed_fixture_document_verifies() -> None:
    fixtures = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "windows").glob(
        "*.json"))
    assert len(fixtures) >= 6
    for path in fixtures:
        doc = read_document(str(path))
        assert valid_computer_name(doc["host"]["name"]), path
        assert doc["sections"] and all(
            isinstance(s, dict) and "status" in s for s in doc["sections"].values()), path
