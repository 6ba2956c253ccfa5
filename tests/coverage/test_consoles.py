"""Console exports: Kaspersky Security Center, Defender for Endpoint, Apex Central (shipped
mapping) and BKAV through a mapping YAML, on the sample exports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from attt.coverage.consoles import default_mappings, load_console, load_mapping
from attt.errors import InputError

from .conftest import AS_OF, sample


def maps() -> list:
    return [load_mapping(sample("bkav-mapping.yaml")), *default_mappings()]


def by_name(path: str) -> dict:
    return {r.names[0].lower(): r for r in load_console(path, maps()).records}


def test_ksc_csv_attributes() -> None:
    hosts = by_name(sample("ksc-hosts.csv"))
    ok = hosts["pc-khdt-001.so-khdt.local"]
    assert ok.ips == ("192.0.2.11",)  # KLHST_WKS_IP_LONG 3221225995
    assert ok.rtp is True and not ok.problems
    assert ok.seen == AS_OF - dt.timedelta(days=1)  # written as local time (+07:00)
    assert hosts["pc-khdt-041.so-khdt.local"].seen is None
    stopped = hosts["pc-khdt-042.so-khdt.local"]
    assert stopped.rtp is False and [str(p) for p in stopped.problems] == [
        "real-time protection stopped"]
    no_rtp = hosts["pc-khdt-045.so-khdt.local"]
    assert "real-time protection not installed" in [str(p) for p in no_rtp.problems]


def test_ksc_xml_attributes_as_elements_or_attributes(tmp_path: Path) -> None:
    path = tmp_path / "ksc.xml"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?><report><hosts>'
        '<host><KLHST_WKS_DN>PC-01</KLHST_WKS_DN><KLHST_WKS_IP_LONG>3221225995'
        '</KLHST_WKS_IP_LONG><KLHST_WKS_LAST_VISIBLE>2026-11-29T08:00:00Z'
        '</KLHST_WKS_LAST_VISIBLE><KLHST_WKS_RTP_AV_BASES_TIME>2026-11-29T08:00:00Z'
        '</KLHST_WKS_RTP_AV_BASES_TIME><KLHST_WKS_RTP_STATE>9</KLHST_WKS_RTP_STATE></host>'
        '<host KLHST_WKS_DN="PC-02" KLHST_WKS_RTP_STATE="4" '
        'KLHST_WKS_RTP_AV_BASES_TIME="2026-11-29T08:00:00Z"/></hosts></report>',
        encoding="utf-8")
    loaded = load_console(str(path), [])
    assert loaded.kind == "ksc"
    first, second = loaded.records
    assert first.names == ("PC-01",) and first.ips == ("192.0.2.11",)
    assert [str(p) for p in first.problems] == ["real-time protection failed"]
    assert second.rtp is True and second.seen is None


def test_mde_modes_and_signature_state() -> None:
    hosts = by_name(sample("mde-avhealth.json"))
    assert hosts["pc-khdt-046.so-khdt.local"].rtp is True
    assert not hosts["pc-khdt-046.so-khdt.local"].problems
    assert [str(p) for p in hosts["pc-khdt-047.so-khdt.local"].problems] == [
        "Defender in passive mode"]
    assert [str(p) for p in hosts["pc-vp-02.vp-ubnd.local"].problems] == [
        "Defender disabled", "the console reports signatures not up to date (Unknown)"]


def test_mde_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text('{"computerDnsName": "a.x", "avMode": "0", "avIsSignatureUpToDate": "True"}\n'
                    '{"computerDnsName": "b.x", "avMode": "2", "avIsSignatureUpToDate": "True",'
                    ' "lastIpAddress": "192.0.2.9"}\n', encoding="utf-8")
    records = load_console(str(path), []).records
    assert [r.names for r in records] == [("a.x",), ("b.x",)]
    assert records[1].ips == ("192.0.2.9",) and records[1].rtp is False


def test_apex_through_the_shipped_mapping_mac_with_colons() -> None:
    loaded = load_console(sample("apex-agents.csv"), maps())
    assert loaded.kind == "apex"
    (laptop,) = loaded.records
    assert laptop.macs == ("00:15:5d:02:00:01",) and laptop.rtp is None
    assert laptop.bases == AS_OF - dt.timedelta(days=1)


def test_bkav_through_a_vietnamese_column_mapping() -> None:
    loaded = load_console(sample("bkav-endpoint.csv"), maps())
    assert loaded.kind == "bkav"
    lab03, lab04 = loaded.records
    assert lab03.macs == ("00:15:5d:03:00:03",) and lab03.rtp is True
    assert lab04.rtp is False


def test_mapping_without_name_column_names_the_key(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("console: x\ncolumns: {ip: IP}\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_mapping(str(path))
    assert f"{path}: columns.name" in str(err.value)


def test_mapping_rtp_column_needs_rtp_on(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("console: x\ncolumns: {name: N, rtp: R}\n", encoding="utf-8")
    with pytest.raises(InputError, match="rtp_on"):
        load_mapping(str(path))


def test_unknown_csv_without_mapping_asks_for_one(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("Computer,Seen\nPC-1,2026-11-29\n", encoding="utf-8")
    with pytest.raises(InputError, match="give --mapping"):
        load_console(str(path), default_mappings())
