"""Asset sources: normalisation helpers and each file format, on the sample exports."""

from __future__ import annotations

import datetime as dt

import pytest

from attt.coverage.sources import (
    from_inventory,
    load_assets,
    name_key,
    norm_mac,
    parse_time,
)
from attt.errors import InputError

from .conftest import AS_OF, sample

WINDOW = dt.timedelta(days=7)


@pytest.mark.parametrize("text", ["00-15-5D-01-00-01", "00:15:5d:01:00:01", "00155D010001",
                                  "0015.5d01.0001", " 00 15 5d 01 00 01 "])
def test_mac_notations_are_one_address(text: str) -> None:
    assert norm_mac(text) == "00:15:5d:01:00:01"


@pytest.mark.parametrize("text", ["", "00:00:00:00:00:00", "01-00-15-5d-01-00-01",
                                  "zz:15:5d:01:00:01"])
def test_not_a_mac(text: str) -> None:
    assert norm_mac(text) is None


def test_name_key_folds_case_and_unicode_form_keeps_diacritics() -> None:
    import unicodedata
    decomposed = unicodedata.normalize("NFD", "pc-kếtoán-trưởng.So-KHDT.local")
    assert name_key("PC-KẾTOÁN-TRƯỞNG") == ("pc-kếtoán-trưởng", "")
    assert name_key(decomposed) == ("pc-kếtoán-trưởng", "so-khdt.local")
    assert name_key("PC-DUC")[0] != name_key("PC-ĐỨC")[0]


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-29T08:00:00Z", dt.datetime(2026, 11, 29, 8, 0, tzinfo=dt.UTC)),
    ("2026-11-29T15:00:00+07:00", dt.datetime(2026, 11, 29, 8, 0, tzinfo=dt.UTC)),
    ("2026-11-29 15:00:00", dt.datetime(2026, 11, 29, 8, 0, tzinfo=dt.UTC)),  # local +07:00
    ("11/29/2026 3:00:00 PM", dt.datetime(2026, 11, 29, 8, 0, tzinfo=dt.UTC)),
    ("11/29/2026 12:30:00 AM", dt.datetime(2026, 11, 28, 17, 30, tzinfo=dt.UTC)),
    ("", None), ("never", None),
])
def test_parse_time(text: str, expected: dt.datetime | None) -> None:
    assert parse_time(text, "f.csv", "c") == expected


def test_parse_time_refuses_other_forms_naming_the_column() -> None:
    with pytest.raises(InputError) as err:
        parse_time("29.11.2026", "f.csv", "line 3, column LastConnected")
    assert "f.csv: line 3, column LastConnected" in str(err.value)


def test_inventory_hosts_without_network_devices() -> None:
    records = from_inventory(sample("inventory.yaml"), None)
    assert [r.names[0] for r in records] == ["srv-app01", "srv-db01"]
    assert records[0].ips == ("192.0.2.5",)


def test_inventory_unknown_system_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no system named 'khac'"):
        from_inventory(sample("inventory.yaml"), "khac")


def test_ad_csv_utf8_bom_type_line_and_disabled_accounts() -> None:
    loaded = load_assets(sample("ad-so-khdt.csv"), AS_OF, WINDOW)
    assert loaded.kind == "ad"
    assert len(loaded.records) == 50 and loaded.left_out == 1  # PC-CU-2019 disabled
    truong = [r for r in loaded.records if r.names[0] == "PC-KẾTOÁN-TRƯỞNG"]
    assert truong and truong[0].ips == ("192.0.2.70",)
    first = loaded.records[0]
    assert first.names == ("PC-KHDT-001", "pc-khdt-001.so-khdt.local")
    assert first.seen is not None and abs(first.seen - AS_OF) < dt.timedelta(days=2)


def test_ad_csv_utf16() -> None:
    loaded = load_assets(sample("ad-vp-ubnd.csv"), AS_OF, WINDOW)
    assert [r.names[-1] for r in loaded.records] == [
        "pc-ketoan-01.vp-ubnd.local", "pc-vp-01.vp-ubnd.local", "pc-vp-02.vp-ubnd.local"]


def test_windows_dhcp_csv_mac_with_dashes_and_expired_lease_left_out() -> None:
    loaded = load_assets(sample("dhcp-so-khdt.csv"), AS_OF, WINDOW)
    assert loaded.kind == "windows-dhcp"
    assert len(loaded.records) == 41 and loaded.left_out == 1  # pc-khach-01, 40 days ago
    assert loaded.records[0].macs == ("00:15:5d:01:00:01",)
    assert all("pc-khach-01" not in r.names for r in loaded.records)


def test_dhcpd_leases_expired_within_window_kept_older_left_out() -> None:
    loaded = load_assets(sample("dhcpd.leases"), AS_OF, WINDOW)
    assert loaded.kind == "dhcpd"
    assert sorted(r.names[0] for r in loaded.records) == ["PC-LAB-03", "PC-LAB-04"]
    assert loaded.left_out == 1
    lab03 = next(r for r in loaded.records if r.names == ("PC-LAB-03",))
    assert lab03.seen == AS_OF - dt.timedelta(days=2)
    # With a 1-day window the lease that ended two days ago is left out too.
    assert load_assets(sample("dhcpd.leases"), AS_OF, dt.timedelta(days=1)).left_out == 2


def test_nmap_discovery_hosts_up_only() -> None:
    loaded = load_assets(sample("nmap-discovery.xml"), AS_OF, WINDOW)
    assert loaded.kind == "nmap"
    assert [r.ips[0] for r in loaded.records] == [
        "192.0.2.11", "192.0.2.12", "192.0.2.200", "192.0.2.210", "192.0.2.211", "192.0.2.5"]
    assert loaded.records[0].macs == ("00:15:5d:01:00:01",)
    assert loaded.records[1].names == ("pc-khdt-002.so-khdt.local",)
    assert loaded.records[0].seen == AS_OF - dt.timedelta(days=1)


def test_windows_dhcp_declined_and_inactive_reservations_left_out(tmp_path) -> None:
    path = tmp_path / "dhcp.csv"
    path.write_text(
        "IPAddress,ClientId,HostName,AddressState,LeaseExpiryTime\n"
        "192.0.2.1,aa-bb-cc-00-00-01,pc1,Active,\n"
        "192.0.2.2,aa-bb-cc-00-00-02,pc2,ActiveReservation,\n"
        "192.0.2.3,aa-bb-cc-00-00-03,pc3,InactiveReservation,\n"
        "192.0.2.4,aa-bb-cc-00-00-04,,Declined,2026-11-30T01:00:00Z\n"
        "192.0.2.5,aa-bb-cc-00-00-05,pc5,Expired,2026-11-29T01:00:00Z\n", encoding="utf-8")
    loaded = load_assets(str(path), AS_OF, WINDOW)
    assert [r.names[0] for r in loaded.records] == ["pc1", "pc2", "pc5"]
    assert loaded.left_out == 2


def test_ad_accounts_not_logged_on_for_long_are_left_out(tmp_path) -> None:
    from attt.coverage.sources import FILETIME_EPOCH
    old = int((AS_OF - dt.timedelta(days=120) - FILETIME_EPOCH).total_seconds()) * 10**7
    recent = int((AS_OF - dt.timedelta(days=10) - FILETIME_EPOCH).total_seconds()) * 10**7
    path = tmp_path / "ad.csv"
    path.write_text("Name,DNSHostName,Enabled,LastLogonTimestamp\n"
                    f"PC-OLD,pc-old.x.local,True,{old}\n"
                    f"PC-NEW,pc-new.x.local,True,{recent}\n"
                    "PC-NEVER,pc-never.x.local,True,\n", encoding="utf-8")
    loaded = load_assets(str(path), AS_OF, WINDOW, max_account_age=dt.timedelta(days=90))
    assert [r.names[0] for r in loaded.records] == ["PC-NEW", "PC-NEVER"]
    assert loaded.left_out == 1
    # Without the limit every enabled account counts.
    assert len(load_assets(str(path), AS_OF, WINDOW).records) == 3


def test_dhcpd_brace_inside_a_quoted_uid(tmp_path) -> None:
    path = tmp_path / "dhcpd.leases"
    path.write_text('lease 192.0.2.7 {\n  starts 0 2026/11/29 01:00:00;\n'
                    '  ends 1 2026/11/30 13:00:00;\n  binding state active;\n'
                    '  hardware ethernet 00:15:5d:00:00:07;\n  uid "\\001\\000}{\\\\\\"x";\n'
                    '  client-hostname "PC-07";\n}\n', encoding="utf-8")
    (record,) = load_assets(str(path), AS_OF, WINDOW).records
    assert record.names == ("PC-07",) and record.macs == ("00:15:5d:00:00:07",)
