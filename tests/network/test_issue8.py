"""Inventory keys, plan and IPv6 fact of issue 8: vantage zones need networks, public
services by addresses (both families) and with ``tcp/443`` ports, zones without IPv6 by
decision, names kept for hosts and public services, ``--network-only`` and the dry-run host
list.  Nothing here scans: DNS is a server on 127.0.0.1, nmap a recorder that fails."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
import servers as S
from nethelp import PROFILE, attt

from attt.errors import InputError
from attt.inventory_loader import load_inventory
from attt.model import System
from attt.network.dnsq import Resolver
from attt.network.ipv6 import build_fact, criteria, score
from attt.network.plan import build
from attt.render.document import all_findings

BASE = """systems:
  - name: lab
    level: 3
    zones:
      - {name: users, role: internal, networks: ["127.0.0.1/32"]}
      - name: servers
        role: internal_server
        networks: ["127.0.0.16/28"]
"""


def _inv(tmp: Path, text: str) -> Path:
    path = tmp / "inventory.yaml"
    path.write_text(text)
    return path


def _system(tmp: Path, text: str) -> System:
    return load_inventory(str(_inv(tmp, text))).systems[0]


@pytest.fixture
def fake_nmap(tmp_path: Path) -> tuple[dict[str, str], Path]:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    marker = tmp_path / "nmap-was-run"
    script = bindir / "nmap"
    script.write_text(f"#!/bin/sh\necho \"$@\" >> {marker}\nexit 1\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return {"PATH": f"{bindir}:{os.environ['PATH']}"}, marker


# --- item 2: a vantage zone without networks -------------------------------------------

def test_vantage_zone_without_networks_is_refused(
    tmp_path: Path, fake_nmap: tuple[dict[str, str], Path],
) -> None:
    text = BASE + "      - {name: outside, role: external}\n" \
        "    vantage_points: [{zone: users}, {zone: outside}]\n"
    inv = _inv(tmp_path, text)
    with pytest.raises(InputError) as err:
        load_inventory(str(inv))
    assert "vantage_points[1].zone" in str(err.value)
    assert str(inv) in str(err.value)
    env, marker = fake_nmap
    proc = attt("scan", "-q", "-i", str(inv), "-p", PROFILE, "--from-zone", "outside",
                "-o", str(tmp_path / "out"), env=env)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "vantage_points[1].zone" in proc.stderr and "no networks" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not marker.exists() and not (tmp_path / "out").exists()


# --- item 3: public services -------------------------------------------------------------

def test_public_service_by_both_addresses_and_tcp_ports(tmp_path: Path) -> None:
    system = _system(tmp_path, BASE + """    public_services:
      - {name: portal, host: [127.0.0.20, "::1"], ports: ["tcp/443", 80, https]}
""")
    svc = system.public_services[0]
    assert svc.ports == (80, 443)
    assert svc.hosts == ("127.0.0.20", "::1")


@pytest.mark.parametrize(("ports", "message"), [
    ('["udp/53"]', "public_services[0].ports[0]: public service ports are TCP"),
    ('["tcp/80;id"]', "public_services[0].ports[0]: expected tcp/PORT"),
    ("[any]", "public_services[0].ports[0]: public service ports are TCP"),
    ("[]", "public_services[0].ports: expected a list"),
])
def test_public_service_bad_ports(tmp_path: Path, ports: str, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        _system(tmp_path, BASE + f"""    public_services:
      - {{name: portal, host: 127.0.0.20, ports: {ports}}}
""")


def _fact(system: System, open_by: dict[str, set[int]], scanned: set[str],
          vantage: str = "users", tcp: tuple[int, ...] = (80, 443)) -> dict[str, Any]:
    # Resolver to a closed loopback port: any lookup would be an error, none must be made.
    return build_fact(system, vantage, Resolver("127.0.0.1:9"), open_by, scanned, [], [],
                      tcp_ports=tcp)


def test_ip_only_service_is_not_told_it_lacks_an_aaaa_record(tmp_path: Path) -> None:
    system = _system(tmp_path, BASE + """    public_services:
      - {name: v4only, host: 127.0.0.20, ports: [443]}
      - {name: dual, host: [127.0.0.21, "::1"], ports: [80]}
""")
    fact = _fact(system, {"127.0.0.20": {443}, "127.0.0.21": {80}, "::1": {80}},
                 {"127.0.0.20", "127.0.0.21", "::1"})
    assert not fact["dns_errors"]  # no lookup was made
    crit = {str(c): ok for c, ok in criteria(fact)}  # criteria are messages: English text
    text = json.dumps(fact) + " ".join(crit)
    assert "AAAA" not in text
    assert crit["v4only: IPv6 address"] is False
    assert fact["services"][0]["https_v6"]["detail"] == "no IPv6 address declared"
    assert crit["dual: IPv6 address"] is True
    assert crit["dual: same ports over IPv6 as IPv4 (v4 [80], v6 [80])"] is True


# --- item 3: zones -------------------------------------------------------------------------

ZONES6 = """systems:
  - name: lab
    level: 3
    zones:
      - {name: users, role: internal, networks: ["127.0.0.1/32", "::1/128"]}
      - name: servers
        role: internal_server
        networks: ["127.0.0.16/28", "fd00:1::/64"]
      - name: db
        role: db_server
        networks: ["127.0.0.32/28", "fd00:2::/64"]
      - name: mgmt
        role: management
        networks: ["127.0.0.48/28"]
MGMT
    rules:
      flows:
        - {from: users, to: servers, action: allow, services: [http], reason: portal}
        - {from: users, to: db, action: deny, services: [any], reason: never}
"""


def test_zone_blocked_by_rules_is_not_without_ipv6(tmp_path: Path) -> None:
    system = _system(tmp_path, ZONES6.replace("MGMT\n", ""))
    scanned = {"fd00:1::10", "fd00:2::10"}
    fact = _fact(system, {}, scanned)
    zones = {z["name"]: z for z in fact["zones"]}
    # users -> db is denied for every scanned port: silence proves nothing about IPv6.
    assert zones["db"]["observed"] is None
    assert "LAN rules" in zones["db"]["detail"]
    # users -> servers allows http: silence over IPv6 is a finding.
    assert zones["servers"]["observed"] is False
    crit = {str(c).split(" (")[0]: ok for c, ok in criteria(fact)}
    assert crit["zone db: IPv6 addressing"] is True
    assert crit["zone servers: IPv6 addressing"] is False


def test_a_closed_port_over_ipv6_proves_the_zone_is_addressed(tmp_path: Path) -> None:
    system = _system(tmp_path, ZONES6.replace("MGMT\n", ""))
    fact = build_fact(system, "users", Resolver("127.0.0.1:9"), {}, {"fd00:1::10"}, [], [],
                      tcp_ports=(80,), answered={"fd00:1::10"})
    zones = {z["name"]: z for z in fact["zones"]}
    assert zones["servers"]["observed"] is True


def test_zone_without_ipv6_by_decision_is_shown_not_scored(tmp_path: Path) -> None:
    decided = "        ipv6: false\n        ipv6_reason: \"legacy controllers, IPv4 only\"\n"
    system = _system(tmp_path, ZONES6.replace("MGMT\n", decided))
    fact = _fact(system, {}, set())
    mgmt = next(z for z in fact["zones"] if z["name"] == "mgmt")
    assert mgmt["ipv6_exempt"] == "legacy controllers, IPv4 only"
    assert "mgmt" not in " ".join(str(c) for c, _ in criteria(fact))
    # Without the decision the same zone is missing IPv6.
    plain = _fact(_system(tmp_path, ZONES6.replace("MGMT\n", "")), {}, set())
    assert ("zone mgmt: IPv6 addressing (no IPv6 network declared)", False) in [
        (str(c), ok) for c, ok in criteria(plain)]
    assert score(fact)[1] == score(plain)[1] - 1


@pytest.mark.parametrize(("extra", "message"), [
    ("        ipv6: false\n", "zones[3].ipv6_reason: required when ipv6 is false"),
    ("        ipv6_reason: x\n", "zones[3].ipv6_reason: only with ipv6: false"),
    ("        ipv6: maybe\n        ipv6_reason: x\n", "zones[3].ipv6: expected true or false"),
])
def test_zone_ipv6_keys_validated(tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        _system(tmp_path, ZONES6.replace("MGMT\n", extra))


def test_zone_ipv6_false_with_an_ipv6_network_is_an_error(tmp_path: Path) -> None:
    text = ZONES6.replace("MGMT\n", "").replace(
        '["127.0.0.32/28", "fd00:2::/64"]',
        '["127.0.0.32/28", "fd00:2::/64"]\n        ipv6: false\n        ipv6_reason: x')
    with pytest.raises(InputError, match=r"zones\[2\].ipv6: .*fd00:2::/64"):
        _system(tmp_path, text)


# --- items 3 and 5: names kept in the plan ---------------------------------------------------

def test_plan_keeps_public_service_and_host_names(tmp_path: Path) -> None:
    port = S.free_udp_port()
    dns = S.start([{"kind": "dns", "host": "127.0.0.1", "port": port,
                    "records": {"portal.lab.test A": ["127.0.0.20"]}}])
    try:
        system = _system(tmp_path, BASE.replace('networks: ["127.0.0.16/28"]',
                                                'networks: ["127.0.0.16/28"]\n'
                                                '        targets: [127.0.0.20]') + f"""
    vantage_points: [{{zone: users, resolver: "127.0.0.1:{port}"}}]
    public_services:
      - {{name: portal, host: portal.lab.test, ports: [443]}}
    hosts:
      - {{name: web01, address: 127.0.0.21, zone: servers}}
""")
        plan = build(system, "users", root=True)
    finally:
        for s in dns:
            s.shutdown()
            s.server_close()
    assert plan.name_of("127.0.0.20") == "portal.lab.test"  # the zone target came first
    assert plan.host_of("127.0.0.21") == "web01"
    assert plan.host_of("127.0.0.20") == ""


# --- items 4 and 5: --network-only and the dry-run host list ----------------------------------

HOST_PROFILE = Path(PROFILE).read_text() + """  - {id: TT12.KT.DV.9, title_vi: Telnet,
     title_en: Telnet, group: host, layer: 3, severity: high, clause: {tt12: "x"},
     checks: [{id: services.telnet_absent}]}
"""

WITH_HOST = BASE + """    vantage_points: [{zone: users}]
    hosts:
      - {name: web01, address: 127.0.0.21, port: 2, zone: servers}
"""


def test_dry_run_lists_the_hosts_it_would_collect(
    tmp_path: Path, fake_nmap: tuple[dict[str, str], Path],
) -> None:
    env, marker = fake_nmap
    proc = attt("scan", "--dry-run", "-i", str(_inv(tmp_path, WITH_HOST)), "-p", PROFILE,
                "--from-zone", "users", env=env)
    assert proc.returncode == 0, proc.stderr
    line = next(x for x in proc.stdout.splitlines() if "web01" in x)
    assert "lab/web01" in line and "127.0.0.21" in line and "ssh" in line
    assert any(x.startswith("nmap ") for x in proc.stdout.splitlines())
    assert not marker.exists()
    proc = attt("scan", "--dry-run", "--network-only", "-i", str(_inv(tmp_path, WITH_HOST)),
                "-p", PROFILE, "--from-zone", "users", env=env)
    assert proc.returncode == 0, proc.stderr
    assert "web01" not in proc.stdout and "không thu thập dữ liệu máy chủ nào" in proc.stdout


def test_network_only_collects_no_host(tmp_path: Path) -> None:
    profile = tmp_path / "profile.yaml"
    profile.write_text(HOST_PROFILE)
    inv = _inv(tmp_path, WITH_HOST)
    out = tmp_path / "out"
    proc = attt("scan", "-q", "--network-only", "-i", str(inv), "-p", str(profile),
                "-o", str(out), "-f", "json", "--no-history")
    assert proc.returncode == 1, proc.stdout + proc.stderr  # the zone plan fails (level 3)
    doc = json.loads((out / "results.json").read_text())
    reqs = {r["id"]: r for s in doc["systems"] for r in s["requirements"]}
    telnet = reqs["TT12.KT.DV.9"]
    assert telnet["status"] == "not_applicable"
    assert "--network-only" in json.dumps(telnet)
    hosts = {f["host"] for f in all_findings(doc)}
    assert hosts == {"net:plan"}
    units = [json.loads(x)["name"] for x in (out / "findings.jsonl").read_text().splitlines()
             if '"type": "host"' in x]
    assert units == ["net:plan"]
    assert "--network-only" in json.dumps(doc.get("notes", doc))
    # Without --network-only the host is contacted (and here refused: port 2).
    proc = attt("scan", "-q", "-i", str(inv), "-p", str(profile), "-o", str(tmp_path / "b"),
                "-f", "json", "--no-history")
    units = [json.loads(x)["name"] for x in
             (tmp_path / "b" / "findings.jsonl").read_text().splitlines()
             if '"type": "host"' in x]
    assert sorted(units) == ["net:plan", "web01"]


def test_network_only_conflicts(tmp_path: Path) -> None:
    inv = _inv(tmp_path, WITH_HOST)
    proc = attt("scan", "-q", "--network-only", "--no-network", "-i", str(inv), "-p", PROFILE,
                "-o", str(tmp_path / "out"))
    assert proc.returncode == 2 and "--network-only" in proc.stderr
    assert not (tmp_path / "out").exists()
