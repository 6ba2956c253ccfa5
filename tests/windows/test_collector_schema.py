"""schemas/attt.windows-collector-1.schema.json: the envelope, and ``$defs/body`` for the
sections inside ``body``; every collector document under tests/fixtures/windows/ validates,
its body parsed and validated too and its SHA-256 checked."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT / "schemas" / "attt.windows-collector-1.schema.json"
FIXTURES = ROOT / "tests" / "fixtures" / "windows"
CONTRACT = ROOT / "docs" / "windows-collector.md"
STATUSES = ["ok", "denied", "timeout", "error", "not_applicable"]


def _ok(data: Any) -> dict[str, Any]:
    return {"status": "ok", "reason": "", "data": data}


def _denied(reason: str) -> dict[str, Any]:
    return {"status": "denied", "reason": reason}


# A small non-administrator run written from the contract, as collector.ps1 would print it
# (reason "" on ok sections, secedit/auditpol/BitLocker "not elevated").  The fixtures under
# tests/fixtures/windows/ are the realistic documents; this one is the base the refusal tests
# below change one thing in.
_SID = "S-1-5-21-1004336348-1177238915-682003330-"
_NC = "NotConfigured"
MINIMAL_SECTIONS: dict[str, Any] = {
    "av_products": _ok([{"name": "Windows Defender", "product_state": 397568,
                         "path": "windowsdefender://"}]),
    "defender": _ok({"am_service_enabled": True, "antivirus_enabled": True,
                     "real_time_protection_enabled": True, "signature_age_days": 1,
                     "signature_last_updated": "2026-11-29T08:02:11.0000000+07:00",
                     "running_mode": "Normal", "signatures_out_of_date": False}),
    "services": _ok([{"name": "mpssvc", "state": "Running", "start_mode": "Auto"},
                     {"name": "WinDefend", "state": "Running", "start_mode": "Auto"}]),
    "processes": _ok(["explorer", "MsMpEng", "svchost"]),
    "uninstall": _ok([{"name": "Phần mềm Kế toán Hành chính", "version": "2.1",
                       "publisher": None}]),
    "firewall": _ok([{"name": n, "enabled": True, "default_inbound": _NC}
                     for n in ("Domain", "Private", "Public")]),
    "ipv6": _ok({"bindings": [{"adapter": "Ethernet", "enabled": True}],
                 "disabled_components": None,
                 "addresses": [
                     {"address": "2001:db8::5", "prefix_origin": "RouterAdvertisement",
                      "scope": "global"},
                     {"address": "fe80::1c2b:3a4d:5e6f:7a8b", "prefix_origin": "WellKnown",
                      "scope": "link"},
                     {"address": "::1", "prefix_origin": "WellKnown", "scope": "loopback"}]}),
    "smb": _denied("CimException AccessDenied"),
    "rdp": _ok({"deny_connections": 1, "nla": 1, "security_layer": 2}),
    "password_policy": _denied("not elevated"),
    "audit_policy": _denied("not elevated"),
    "updates": _ok({"wsus_server": None, "pending": None,
                    "last_installed": "2026-11-12T00:00:00.0000000", "pending_reason": "timeout"}),
    "usb_storage": _ok({"usbstor_start": 3, "deny_all": None, "deny_write": None}),
    "bitlocker": _denied("not elevated"),
    "local_accounts": _ok({
        "users": [{"name": "Administrator", "sid": _SID + "500", "enabled": False},
                  {"name": "Guest", "sid": _SID + "501", "enabled": False},
                  {"name": "ketoan", "sid": _SID + "1001", "enabled": True}],
        "administrators": [{"name": "PC-KETOAN-01\\Administrator", "sid": _SID + "500"}]}),
    "screen_lock": _ok({"inactivity_timeout_s": None, "screensaver_timeout_s": 600,
                        "screensaver_secure": 1}),
}


def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


def _body_validator() -> Draft202012Validator:
    return Draft202012Validator(_body_schema())


def _body_schema() -> dict[str, Any]:
    schema = _schema()
    return {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": "#/$defs/body"}


def _fixtures() -> list[Path]:
    return sorted(FIXTURES.glob("*.json"))


def _errors(validator: Draft202012Validator, doc: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(doc)]


def check_document(doc: Any) -> list[str]:
    """Every problem of one collector document: envelope, SHA-256, body."""

    problems = _errors(Draft202012Validator(_schema()), doc)
    if problems:
        return problems
    body = doc["body"]
    if hashlib.sha256(body.encode("utf-8")).hexdigest() != doc["sha256"]:
        return ["sha256 does not match body"]
    return _errors(_body_validator(), json.loads(body))


def _with_body(doc: dict[str, Any], sections: dict[str, Any]) -> dict[str, Any]:
    body = json.dumps(sections, separators=(",", ":"), ensure_ascii=False)
    return {**doc, "body": body, "sha256": hashlib.sha256(body.encode("utf-8")).hexdigest()}


def _minimal() -> dict[str, Any]:
    envelope = {
        "schema": "attt.windows-collector/1", "collector_version": "1",
        "host": {"name": "PC-KETOAN-01", "domain": "", "os_build": "10.0.19045",
                 "product_type": 1, "ui_language": "vi-VN"},
        "collected_at": "2026-11-30T09:15:02.1234567+07:00", "elevated": False,
    }
    return _with_body(envelope, copy.deepcopy(MINIMAL_SECTIONS))


def test_schema_is_valid_draft_2020_12() -> None:
    schema = _schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    Draft202012Validator.check_schema(_body_schema())


def test_body_schema_has_every_contract_section() -> None:
    table = CONTRACT.read_text(encoding="utf-8").split("## Sections", 1)[1].split("\n## ")[0]
    sections = re.findall(r"^\| `([a-z0-9_]+)` \|", table, re.MULTILINE)
    body = _schema()["$defs"]["body"]
    assert sorted(body["properties"]) == sorted(sections)
    assert sorted(body["required"]) == sorted(sections)


@pytest.mark.parametrize("path", _fixtures(), ids=lambda p: p.name)
def test_fixture_validates(path: Path) -> None:
    assert check_document(json.loads(path.read_text(encoding="utf-8"))) == []


def test_fixtures_are_present_and_each_has_a_provenance_entry() -> None:
    fixtures = _fixtures()
    assert len(fixtures) >= 1
    provenance = (FIXTURES / "PROVENANCE.md").read_text(encoding="utf-8")
    for path in fixtures:
        assert path.name in provenance, path.name


def test_the_minimal_document_validates() -> None:
    assert check_document(_minimal()) == []


def test_a_changed_body_fails_the_sha256_check() -> None:
    doc = _minimal()
    doc["body"] = doc["body"].replace('"denied"', '"ok"', 1)
    assert check_document(doc) == ["sha256 does not match body"]


@pytest.mark.parametrize("change, where", [
    (lambda d: d.update(schema="attt.windows-collector/2"), "schema"),
    (lambda d: d.update(sha256="ABC"), "sha256"),
    (lambda d: d["host"].update(product_type=4), "host/product_type"),
    (lambda d: d.update(collected_at="30/11/2026 09:15"), "collected_at"),
    (lambda d: d.pop("elevated"), ""),
])
def test_a_bad_envelope_is_refused(change: Any, where: str) -> None:
    doc = _minimal()
    change(doc)
    problems = check_document(doc)
    assert problems and problems[0].startswith(f"{where}:")


def _sections() -> dict[str, Any]:
    sections: dict[str, Any] = json.loads(_minimal()["body"])
    return sections


@pytest.mark.parametrize("section, entry", [
    ("smb", {"status": "denied", "reason": "CimException AccessDenied",
             "data": {"smb1_enabled": False}}),          # data only with ok
    ("smb", {"status": "ok", "reason": ""}),              # ok needs data
    ("smb", {"status": "failed", "reason": "x"}),          # unknown status
    ("smb", {"status": "error", "reason": ""}),            # a failure says why
    ("smb", {"status": "ok", "reason": "", "data": {"smb1_enabled": "False"}}),
    ("processes", {"status": "ok", "reason": "", "data": [{"name": "avp"}]}),
    ("defender", {"status": "ok", "reason": "", "data": {
        "am_service_enabled": True, "antivirus_enabled": True,
        "real_time_protection_enabled": True, "signature_age_days": 0,
        "signature_last_updated": "\\/Date(1764493200000)\\/", "running_mode": "Normal",
        "signatures_out_of_date": False}}),                # PS 5.1's default date form
    ("audit_policy", {"status": "ok", "reason": "", "data": [
        {"guid": "Logon", "setting": 3}]}),               # a localised name, not a GUID
    ("audit_policy", {"status": "ok", "reason": "", "data": [
        {"guid": "{0CCE9215-69AE-11D9-BED3-505054503030}", "setting": 4}]}),
    ("password_policy", {"status": "ok", "reason": "", "data": {"MinPwdLen": 8}}),
    ("firewall", {"status": "ok", "reason": "", "data": [
        {"name": "Domain", "enabled": True, "default_inbound": "Chặn"}]}),
])
def test_a_bad_section_is_refused(section: str, entry: dict[str, Any]) -> None:
    sections = _sections()
    sections[section] = entry
    problems = check_document(_with_body(_minimal(), sections))
    assert problems and problems[0].startswith(section), problems


def test_a_missing_section_is_refused() -> None:
    sections = _sections()
    del sections["updates"]
    assert check_document(_with_body(_minimal(), sections)) != []


def test_good_ok_sections_validate() -> None:
    sections = _sections()
    sections["audit_policy"] = {"status": "ok", "reason": "", "data": [
        {"guid": "{0CCE9215-69AE-11D9-BED3-505054503030}", "setting": 3}]}
    sections["password_policy"] = {"status": "ok", "reason": "", "data": {
        "MinimumPasswordLength": 8, "MaximumPasswordAge": -1, "LockoutBadCount": 0}}
    sections["updates"] = {"status": "ok", "reason": "", "data": {
        "wsus_server": None, "pending": None, "pending_reason": "timeout",
        "last_installed": "2026-11-12T00:00:00.0000000"}}
    sections["ipv6"] = {"status": "ok", "reason": "", "data": {
        "bindings": [{"adapter": "Ethernet", "enabled": True}], "disabled_components": None,
        "addresses": [{"address": "2001:db8::5", "prefix_origin": "RouterAdvertisement",
                       "scope": "global"}]}}
    assert check_document(_with_body(_minimal(), sections)) == []
    assert {s["status"] for s in sections.values()} <= set(STATUSES)


def test_document_keeps_non_ascii_in_body_through_json_escapes() -> None:
    sections = _sections()
    sections["uninstall"] = {"status": "ok", "reason": "", "data": [
        {"name": "Phần mềm Kế toán", "version": "1.0", "publisher": None}]}
    doc = _with_body(_minimal(), sections)
    # The collector writes the envelope in ASCII (\\uXXXX escapes); the digest is of body's
    # UTF-8 bytes after JSON decoding, so it still matches.
    ascii_doc = json.loads(json.dumps(doc, ensure_ascii=True))
    assert check_document(copy.deepcopy(ascii_doc)) == []


def test_schema_ships_beside_the_collector() -> None:
    from attt.windows import collector_schema_text

    assert collector_schema_text() == SCHEMA_PATH.read_text(encoding="utf-8")
