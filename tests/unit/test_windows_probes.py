"""The Windows collector document turned into registry sections, and the win_* parsers.

Documents here are built in the test from the contract (docs/windows-collector.md); the
fixtures under tests/fixtures/windows/ are read by test_windows_fixtures.py.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from attt.library import load_all
from attt.messages import Msg, render
from attt.model import Status
from attt.probes.windows import SECTIONS, AvProduct, sections_from_document
from attt.registry import CHECKS, PROBES, Facts, MissingFact, Section

load_all()


def _tool() -> Any:
    path = Path(__file__).resolve().parents[2] / "tools" / "windows_fixture.py"
    spec = importlib.util.spec_from_file_location("windows_fixture", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _doc(sections: dict[str, Any], elevated: bool = True) -> dict[str, Any]:
    return {
        "schema": "attt.windows-collector/1", "collector_version": "1",
        "host": {"name": "PC-KETOAN-01", "domain": "", "os_build": "10.0.19045",
                 "product_type": 1, "ui_language": "vi-VN"},
        "collected_at": "2026-11-30T09:15:02.1234567+07:00", "elevated": elevated,
        "sections": sections,
    }


def test_every_win_section_has_a_registered_probe() -> None:
    from attt.probes.windows import SECTIONS

    assert all(f"win_{name}" in PROBES for name in SECTIONS)
    assert "win_host" in PROBES


def test_sections_from_document_names_states_and_host() -> None:
    secs = sections_from_document(_doc({
        "smb": {"status": "ok", "data": {"smb1_enabled": False}},
        "password_policy": {"status": "denied", "reason": "0x80070005"},
        "updates": {"status": "timeout", "reason": "wua search"},
        "av_products": {"status": "not_applicable", "reason": "server"},
        "bitlocker": {"status": "error", "reason": "cmdlet not found"},
        "unknown_thing": {"status": "ok", "data": 1},
    }))
    assert set(secs) == {"win_host", "win_smb", "win_password_policy", "win_updates",
                         "win_av_products", "win_bitlocker"}
    assert secs["win_smb"].state == "ok"
    assert secs["win_password_policy"].state == "failed"
    assert isinstance(secs["win_password_policy"].reason, Msg)
    assert "needs administrator rights" in str(secs["win_password_policy"].reason)
    assert "0x80070005" in str(secs["win_password_policy"].reason)
    assert secs["win_updates"].state == "timeout"
    assert secs["win_av_products"].state == "unavailable"
    assert secs["win_bitlocker"].state == "failed"
    facts = Facts(secs, "live")
    assert facts.get("win_smb") is False
    host = facts.get("win_host")
    assert host.name == "PC-KETOAN-01" and host.elevated and not host.server
    assert host.collected_at is not None and host.collected_at.utcoffset() is not None


def test_denied_section_is_missing_with_admin_reason_in_vietnamese() -> None:
    facts = Facts(sections_from_document(_doc(
        {"audit_policy": {"status": "denied", "reason": "UnauthorizedAccessException"}},
        elevated=False)), "live")
    with pytest.raises(MissingFact) as err:
        facts.get("win_audit_policy")
    reason = err.value.reason
    assert isinstance(reason, Msg)
    assert "cần quyền quản trị" in reason.render("vi")


def test_posix_host_parses_win_host_to_none() -> None:
    assert Facts({"win_host": Section("win_host", "")}, "live").get("win_host") is None


@pytest.mark.parametrize(("state", "enabled", "fresh", "microsoft"), [
    (397568, True, True, True),      # 0x061100 Defender on, up to date
    (393472, False, True, True),     # 0x060100 Defender off
    (266240, True, True, False),     # 0x041000 third-party on, up to date
    (266256, True, False, False),    # 0x041010 third-party on, signatures out of date
    (262144, False, True, False),    # 0x040000 third-party off
    (270336, False, True, False),    # 0x042000 snoozed
])
def test_product_state_decoding(state: int, enabled: bool, fresh: bool, microsoft: bool) -> None:
    p = AvProduct("x", state, "")
    assert (p.enabled, p.up_to_date, p.microsoft) == (enabled, fresh, microsoft)


def test_typed_parsers_reject_wrong_types() -> None:
    secs = sections_from_document(_doc({
        "defender": {"status": "ok", "data": {"am_service_enabled": "True"}},
        "audit_policy": {"status": "ok", "data": [{"guid": "{x}", "setting": 7}]},
    }))
    facts = Facts(secs, "live")
    for name in ("win_defender", "win_audit_policy"):
        with pytest.raises(MissingFact) as err:
            facts.get(name)
        assert "unparsable" in str(err.value.reason)


def test_parsers_give_typed_values() -> None:
    facts = Facts(sections_from_document(_doc({
        "audit_policy": {"status": "ok", "data": [
            {"guid": "{0cce9215-69ae-11d9-bed3-505054503030}", "setting": 3}]},
        "processes": {"status": "ok", "data": ["AVP", "klnagent"]},
        "updates": {"status": "ok", "data": {"wsus_server": "http://192.0.2.10:8530",
                                             "pending": 2, "last_installed": "2026-11-12"}},
        "local_accounts": {"status": "ok", "data": {
            "users": [{"name": "Guest", "sid": "S-1-5-21-1-2-3-501", "enabled": False}],
            "administrators": [{"name": "PC\\Administrator", "sid": "S-1-5-21-1-2-3-500"}]}},
    })), "live")
    assert facts.get("win_audit_policy") == {"{0CCE9215-69AE-11D9-BED3-505054503030}": 3}
    assert facts.get("win_processes") == frozenset({"avp", "klnagent"})
    assert facts.get("win_updates").last_installed.isoformat() == "2026-11-12"
    accounts = facts.get("win_local_accounts")
    assert accounts.users[0].guest and not accounts.administrators[0].guest


# ---------------------------------------------------------------------------- fixtures

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "windows"
STATUSES = {"ok", "denied", "timeout", "error", "not_applicable"}
ENVELOPE = {"schema", "collector_version", "host", "collected_at", "elevated", "body", "sha256"}


def _fixtures() -> list[Path]:
    return sorted(FIXTURES.glob("*.json"))


def test_at_least_six_fixtures_each_with_a_provenance_entry() -> None:
    names = [p.name for p in _fixtures()]
    assert len(names) >= 6
    provenance = (FIXTURES / "PROVENANCE.md").read_text(encoding="utf-8")
    for name in names:
        assert f"## {name}" in provenance, name


def test_fixtures_are_built_from_their_sources() -> None:
    assert _tool().main(["--check"]) == 0


@pytest.mark.parametrize("path", _fixtures(), ids=lambda p: p.stem)
def test_fixture_follows_the_contract_and_parses(path: Path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert set(doc) == ENVELOPE
    assert doc["schema"] == "attt.windows-collector/1"
    assert hashlib.sha256(doc["body"].encode("utf-8")).hexdigest() == doc["sha256"]
    sections = json.loads(doc["body"])
    assert set(sections) <= set(SECTIONS)
    for name, sec in sections.items():
        assert sec["status"] in STATUSES, name
        assert ("data" in sec) == (sec["status"] == "ok"), name
    doc["sections"] = sections
    facts = Facts(sections_from_document(doc), "live")
    for name, sec in sections.items():
        if sec["status"] == "ok":
            facts.get(f"win_{name}")  # raises MissingFact when a parser rejects the data
        else:
            assert not facts.has(f"win_{name}")
    assert facts.get("win_host").name == doc["host"]["name"]


# ---------------------------------------------------------------------------- checks


def _facts(stem: str) -> Facts:
    doc = json.loads((FIXTURES / f"{stem}.json").read_text(encoding="utf-8"))
    doc["sections"] = json.loads(doc["body"])
    return Facts(sections_from_document(doc), "live")


def _win_checks() -> list[str]:
    return sorted(c for c in CHECKS if c.startswith("win."))


def test_at_least_twenty_win_checks_with_both_languages() -> None:
    ids = _win_checks()
    assert len(ids) >= 20
    for cid in ids:
        spec = CHECKS[cid]
        assert spec.title_vi and spec.title_en and spec.remediation_vi and spec.remediation_en


def test_denied_sections_make_checks_error_in_both_languages_never_pass() -> None:
    facts = _facts("win10-nonadmin")
    denied = {"win_password_policy", "win_audit_policy", "win_bitlocker"}
    readers = [cid for cid in _win_checks() if denied & set(CHECKS[cid].probes)]
    assert len(readers) >= 8
    for cid in readers:
        result = CHECKS[cid].evaluate(facts, {})
        assert result.status is Status.ERROR, cid
        assert "needs administrator rights" in render(result.message, "en"), cid
        assert "cần quyền quản trị" in render(result.message, "vi"), cid


def test_every_win_check_is_not_applicable_on_a_posix_host() -> None:
    facts = Facts({"win_host": Section("win_host", "")}, "live")
    for cid in _win_checks():
        assert CHECKS[cid].evaluate(facts, {}).status is Status.NOT_APPLICABLE, cid


def test_vietnamese_ui_gives_the_same_verdicts_as_english_ui() -> None:
    # The collector emits language-neutral values: the UI language alone changes nothing.
    doc = json.loads((FIXTURES / "win10-vi-vn.json").read_text(encoding="utf-8"))
    doc["sections"] = json.loads(doc["body"])
    english = dict(doc, host=dict(doc["host"], ui_language="en-US"))
    vi = Facts(sections_from_document(doc), "live")
    en = Facts(sections_from_document(english), "live")
    for cid in _win_checks():
        assert CHECKS[cid].evaluate(vi, {}).status == CHECKS[cid].evaluate(en, {}).status, cid


def test_defender_nulls_from_older_platforms_parse_and_never_pass_freshness() -> None:
    # Contract: signature_age_days, signature_last_updated and running_mode may be null.
    data = {"am_service_enabled": True, "antivirus_enabled": True,
            "real_time_protection_enabled": True, "signature_age_days": None,
            "signature_last_updated": None, "running_mode": None,
            "signatures_out_of_date": False}
    facts = Facts(sections_from_document(_doc({"defender": {"status": "ok", "data": data}})),
                  "live")
    defender = facts.get("win_defender")
    assert defender.active and defender.signature_age_days is None
    fresh = CHECKS["win.av_signatures_fresh"].evaluate(facts, {})
    assert fresh.status is Status.FAIL
    assert CHECKS["win.av_realtime"].evaluate(facts, {}).status is Status.PASS
