"""findings.jsonl: each host line reaches the kernel whole at once, the disk within
SYNC_SECONDS and at close (not one fsync per host), and lines this process wrote are not
checked again when it reads the file back, while a line anyone else added still is."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from attt import findings_log
from attt.errors import InputError
from attt.findings_log import FindingsLog, host_line
from attt.model import Finding, Status


def finding(host: str) -> Finding:
    return Finding(system="s", host=host, requirement_id="R.1", check_id="ssh.root_login",
                   status=Status.PASS, message="ok", params={}, evidence={})


def record(host: str) -> dict[str, Any]:
    return {"type": "host", "system": "s", "name": host, "key": f"s/{host}",
            "address": "/srv/root", "transport": "dir", "roles": ["server"], "zone": "",
            "state": "ok", "message": "", "message_vi": "", "channels": 0, "duration": 0.1,
            "recorded_key": None, "counts": {"pass": 1}}


def fill(log: FindingsLog, count: int) -> None:
    for i in range(count):
        log.append_line(host_line(record(f"h{i}"), [finding(f"h{i}")]))


def test_lines_are_synced_in_groups_and_at_close(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []
    real = os.fsync
    monkeypatch.setattr(findings_log.os, "fsync", lambda fd: (synced.append(fd), real(fd)))
    log = FindingsLog(str(tmp_path))
    fill(log, 50)
    # Written whole already (a killed attt loses nothing), though not yet synced.
    assert len((tmp_path / "findings.jsonl").read_text().splitlines()) == 50
    assert len(synced) < 50
    before = len(synced)
    log.close()
    assert len(synced) == before + 1
    log.close()  # nothing left to sync
    assert len(synced) == before + 1


def test_a_slow_scan_is_synced_as_it_goes(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []
    monkeypatch.setattr(findings_log.os, "fsync", synced.append)
    monkeypatch.setattr(findings_log, "SYNC_SECONDS", 0.0)
    log = FindingsLog(str(tmp_path))
    fill(log, 3)
    assert len(synced) == 3
    log.close()


def test_own_lines_are_not_checked_again(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    log = FindingsLog(str(tmp_path))
    assert log.read() == {}
    (tmp_path / "findings.jsonl").touch()
    fill(log, 5)
    checked: list[int] = []
    real = findings_log.check_record

    def counting(data: Any, path: str, number: int) -> dict[str, Any]:
        checked.append(number)
        return real(data, path, number)

    monkeypatch.setattr(findings_log, "check_record", counting)
    assert len(log.read()) == 5
    assert checked == []
    assert len(list(log.findings())) == 5


def test_a_line_added_by_someone_else_is_checked(tmp_path: Path) -> None:
    log = FindingsLog(str(tmp_path))
    (tmp_path / "findings.jsonl").touch()
    fill(log, 2)
    log.close()
    bad = {**record("x"), "format": 2, "results": [], "channels": "many"}
    with open(tmp_path / "findings.jsonl", "a", encoding="utf-8") as fh:
        fh.write(json.dumps(bad) + "\n")
    with pytest.raises(InputError) as err:
        log.read()
    assert "line 3" in str(err.value)
