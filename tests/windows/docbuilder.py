"""Collector documents (docs/windows-collector.md) built in tests and in bench/windows.py.

These are made-up documents for the transport and its scale test: the section values are
typical values of the contract, not a capture from Windows.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

SCHEMA = "attt.windows-collector/1"


def sample_sections() -> dict[str, Any]:
    """A workstation with Defender on and the firewall on (values per the contract)."""

    return {
        "defender": {"status": "ok", "data": {
            "am_service_enabled": True, "antivirus_enabled": True,
            "real_time_protection_enabled": True, "signature_age_days": 1,
            "signature_last_updated": "2026-11-29T08:00:00.0000000+07:00",
            "running_mode": "Normal", "signatures_out_of_date": False}},
        "firewall": {"status": "ok", "data": [
            {"name": n, "enabled": True, "default_inbound": "Block"}
            for n in ("Domain", "Private", "Public")]},
        "smb": {"status": "ok", "data": {"smb1_enabled": False}},
        "password_policy": {"status": "denied", "reason": "0x80070005"},
        "processes": {"status": "ok", "data": ["explorer", "MsMpEng", "svchost"]},
    }


ICT = timezone(timedelta(hours=7))  # Vietnam: what (Get-Date).ToString('o') shows there


def _round_trip(when: datetime) -> str:
    """``(Get-Date).ToString('o')``: seven fraction digits and the local offset."""

    local = when.astimezone(ICT)
    return local.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0+07:00"


def document(name: str = "PC-KETOAN-01", *, age: timedelta = timedelta(hours=2),
             sections: dict[str, Any] | None = None, now: datetime | None = None) -> dict[str, Any]:
    """An envelope whose body and sha256 agree, collected ``age`` ago."""

    when = (now or datetime.now(UTC)) - age
    body = json.dumps(sample_sections() if sections is None else sections,
                      separators=(",", ":"), ensure_ascii=False)
    return {
        "schema": SCHEMA,
        "collector_version": "1",
        "host": {"name": name, "domain": "sotttt.local", "os_build": "10.0.19045",
                 "product_type": 1, "ui_language": "vi-VN"},
        "collected_at": _round_trip(when),
        "elevated": True,
        "body": body,
        "sha256": hashlib.sha256(body.encode("utf-8")).hexdigest(),
    }


def dumps(doc: dict[str, Any]) -> str:
    """The document as PowerShell's ConvertTo-Json -Compress would print it (one line)."""

    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)
