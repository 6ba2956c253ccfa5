"""Matching and classes: the edge cases of windows-and-scale.md A4, on records built here and
on the full sample (61 computers from five asset files, four consoles)."""

from __future__ import annotations

import datetime as dt

from attt.coverage.consoles import default_mappings, load_console, load_mapping
from attt.coverage.match import Class, Params, attach, classify, group
from attt.coverage.report import reconcile
from attt.coverage.sources import Loaded, Record, from_inventory, load_assets

from .conftest import AS_OF, ASSETS, CONSOLES, sample

DAY = dt.timedelta(days=1)


def asset(*names: str, macs: tuple[str, ...] = (), ips: tuple[str, ...] = (),
          seen: dt.datetime | None = None) -> Record:
    return Record("a.csv", "ad", "line 2", names, macs, ips, seen)


def entry(*names: str, macs: tuple[str, ...] = (), ips: tuple[str, ...] = (),
          seen: dt.datetime | None = AS_OF, bases: dt.datetime | None = AS_OF,
          rtp: bool | None = True) -> Record:
    return Record("c.csv", "ksc", "line 2", names, macs, ips, seen, True, bases, rtp)


def classes(assets: list[Record], entries: list[Record], params: Params
            ) -> tuple[list[Class], list[Record]]:
    machines = group(assets, params)
    orphans = attach(entries, machines, params)
    return [classify(m, params)[0] for m in machines], orphans


def test_same_short_name_different_domain_is_two_machines() -> None:
    p = Params(AS_OF)
    a = asset("PC-KETOAN-01", "pc-ketoan-01.so-khdt.local")
    b = asset("PC-KETOAN-01", "pc-ketoan-01.vp-ubnd.local")
    found, orphans = classes([a, b], [entry("pc-ketoan-01.so-khdt.local")], p)
    assert found == [Class.HEALTHY, Class.UNPROTECTED] and not orphans


def test_short_name_fitting_two_domains_matches_neither_by_name() -> None:
    p = Params(AS_OF)
    a = asset("pc-ketoan-01.so-khdt.local")
    b = asset("pc-ketoan-01.vp-ubnd.local")
    found, orphans = classes([a, b], [entry("PC-KETOAN-01")], p)
    assert found == [Class.UNPROTECTED, Class.UNPROTECTED] and len(orphans) == 1


def test_mac_matches_across_notations_and_names() -> None:
    p = Params(AS_OF)
    found, _ = classes([asset("laptop-tp", macs=("00:15:5d:02:00:01",))],
                       [entry("LAPTOP-TRUONGPHONG", macs=("00:15:5d:02:00:01",))], p)
    assert found == [Class.HEALTHY]


def test_ip_match_only_within_the_window() -> None:
    p = Params(AS_OF, ip_window=7 * DAY)
    near = asset(ips=("192.0.2.210",), seen=AS_OF - DAY)
    far = asset(ips=("192.0.2.211",), seen=AS_OF - DAY)
    found, orphans = classes([near, far], [
        entry("PC-LAB-01", ips=("192.0.2.210",), seen=AS_OF - 2 * DAY),
        entry("PC-LAB-02", ips=("192.0.2.211",), seen=AS_OF - 20 * DAY)], p)
    assert found == [Class.HEALTHY, Class.UNPROTECTED]
    assert [o.names for o in orphans] == [("PC-LAB-02",)]


def test_ip_match_refused_when_names_disagree() -> None:
    p = Params(AS_OF)
    found, orphans = classes([asset("pc-vanthu-02", ips=("192.0.2.77",))],
                             [entry("DESKTOP-7F3K2", ips=("192.0.2.77",))], p)
    assert found == [Class.UNPROTECTED] and len(orphans) == 1


def test_diacritics_case_and_unicode_form() -> None:
    import unicodedata
    p = Params(AS_OF)
    found, _ = classes([asset("PC-KẾTOÁN-TRƯỞNG")],
                       [entry(unicodedata.normalize("NFD", "pc-kếtoán-trưởng"))], p)
    assert found == [Class.HEALTHY]
    found, _ = classes([asset("PC-ĐỨC")], [entry("PC-DUC")], p)
    assert found == [Class.UNPROTECTED]


def test_stale_reasons_never_seen_old_bases_rtp_off() -> None:
    p = Params(AS_OF, max_bases_age=7, max_unseen=14)
    for bad in (entry("pc", seen=None), entry("pc", seen=AS_OF - 15 * DAY),
                entry("pc", bases=AS_OF - 8 * DAY), entry("pc", rtp=False)):
        assert classes([asset("pc")], [bad], p)[0] == [Class.STALE]
    # At the limits: still healthy.
    good = entry("pc", seen=AS_OF - 14 * DAY, bases=AS_OF - 7 * DAY)
    assert classes([asset("pc")], [good], p)[0] == [Class.HEALTHY]


def test_one_healthy_console_is_enough() -> None:
    p = Params(AS_OF)
    found, _ = classes([asset("pc")], [entry("pc", rtp=False), entry("pc")], p)
    assert found == [Class.HEALTHY]


def full_sample() -> dict[str, Class]:
    p = Params(AS_OF)
    maps = [load_mapping(sample("bkav-mapping.yaml")), *default_mappings()]
    assets = [Loaded("inventory.yaml", "inventory",
                     tuple(from_inventory(sample("inventory.yaml"), None)))]
    assets += [load_assets(sample(n), AS_OF, p.ip_window) for n in ASSETS]
    cov = reconcile(assets, [load_console(sample(n), maps) for n in CONSOLES], p)
    assert cov.total == 61
    assert sorted(o.names[0] for o, _ in cov.orphans) == ["PC-DA-THANH-LY", "PC-LAB-02"]
    return {m.display.lower(): c for m, c, _ in cov.machines}


def test_full_sample_each_edge_case() -> None:
    got = full_sample()
    # AD + DHCP + nmap (by MAC); KSC healthy, MDE passive.
    assert got["pc-khdt-001.so-khdt.local"] == Class.HEALTHY
    for n in (41, 42, 43, 44, 45, 47):
        assert got[f"pc-khdt-{n:03d}.so-khdt.local"] == Class.STALE, n
    assert got["pc-khdt-046.so-khdt.local"] == Class.HEALTHY  # Defender only
    assert got["pc-khdt-048.so-khdt.local"] == Class.UNPROTECTED
    assert got["pc-kếtoán-trưởng"] == Class.HEALTHY
    assert got["pc-ketoan-01.so-khdt.local"] == Class.HEALTHY
    assert got["pc-ketoan-01.vp-ubnd.local"] == Class.UNPROTECTED
    assert got["laptop-tp.so-khdt.local"] == Class.HEALTHY  # Apex by MAC only
    assert got["pc-lab-03"] == Class.HEALTHY  # dhcpd lease ended 2 days ago; BKAV
    assert got["pc-lab-04"] == Class.HEALTHY  # KSC healthy, BKAV RTP off
    assert got["srv-app01"] == Class.HEALTHY and got["srv-db01"] == Class.STALE
    assert got["192.0.2.200"] == Class.UNPROTECTED  # unknown device on the wire
    assert got["192.0.2.210"] == Class.HEALTHY  # KSC PC-LAB-01 by IP in the window
    assert got["192.0.2.211"] == Class.UNPROTECTED
    counts = {c: list(got.values()).count(c) for c in Class}
    assert counts == {Class.HEALTHY: 49, Class.STALE: 8, Class.UNPROTECTED: 4,
                      Class.CONSOLE_ONLY: 0}
