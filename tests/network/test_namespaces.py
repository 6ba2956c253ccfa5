"""The zone topology in network namespaces (topology.py), scanned by attt running inside the
users namespace: a permitted flow, a forbidden flow the router leaks, IPv6 on the servers
zone (besides the scanner's own link) but not on the db zone.  attt must report exactly the
seeded violations."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nethelp import PROFILE, attt, findings, require, require_root_nmap
from topology import Topology, topology


@pytest.fixture(scope="module")
def topo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    require_root_nmap()
    require(shutil.which("nft") is not None, "nftables (nft) is not installed")
    with topology(tmp_path_factory.mktemp("topology")) as t:
        yield t


@pytest.fixture(scope="module")
def zone_scan(topo: Topology) -> dict[str, Any]:
    inv = topo.inventory()
    out = topo.folder / "out"
    started = time.monotonic()
    # --network-only: db01 is in the inventory (its name must appear in the messages), but
    # the router drops ssh to it, so collecting it would only wait for a timeout.
    proc = attt("scan", "-q", "--network-only", "-i", str(inv), "-p", PROFILE,
                "--from-zone", "users", "-o", str(out), "-f", "json", ns=topo.scanner_ns)
    seconds = time.monotonic() - started
    assert proc.returncode == 1, proc.stdout + proc.stderr
    return {"by_check": {f["check"]: f for f in findings(out)}, "seconds": seconds,
            "out": out, "inv": inv}


def test_scan_time_is_modest(zone_scan: dict[str, Any]) -> None:
    assert zone_scan["seconds"] < 90


def test_exactly_the_leaked_flows_are_violations(zone_scan: dict[str, Any]) -> None:
    f = zone_scan["by_check"]["net.rules_internal"]
    assert f["status"] == "fail", f["message"]
    got = sorted((v["source_zone"], v["zone"], v["address"], v["proto"], v["port"], v["state"])
                 for v in f["evidence"]["observed"])
    # 5432 answers; 1521 has no listener but the db host's reset proves the router lets the
    # denied flow through.  3306 (listener, dropped by the router) is not reported.
    assert got == [("users", "db", "198.18.3.10", "tcp", 1521, "closed"),
                   ("users", "db", "198.18.3.10", "tcp", 5432, "open")]
    for v in f["evidence"]["observed"]:
        assert v["rule"].startswith("rule 2: deny users -> db")
    assert "db01 (198.18.3.10) tcp/5432 open" in f["message"]
    assert "db01 (198.18.3.10) tcp/1521 reachable (closed)" in f["message"]
    assert "allowed" not in f["message"]


def test_network_only_contacts_no_host(zone_scan: dict[str, Any]) -> None:
    lines = (zone_scan["out"] / "findings.jsonl").read_text().splitlines()
    units = [json.loads(x)["name"] for x in lines if '"type": "host"' in x]
    assert units == ["net:users"]


def test_permitted_flows_are_seen_and_not_reported(zone_scan: dict[str, Any]) -> None:
    f = zone_scan["by_check"]["net.rules_internal"]
    assert "servers" not in f["message"]
    assert {v["zone"] for v in f["evidence"]["observed"]} == {"db"}
    ipv6 = zone_scan["by_check"]["net.ipv6_readiness"]["evidence"]["observed"]
    portal = ipv6["services"][0]
    assert portal["v4_open"] == [80, 8080]  # the permitted flows answered


def test_insecure_services_exactly_the_db_port(zone_scan: dict[str, Any]) -> None:
    f = zone_scan["by_check"]["net.insecure_services"]
    assert f["status"] == "fail"
    got = [(v["address"], v["port"], v["problem"]) for v in f["evidence"]["observed"]]
    assert got == [("198.18.3.10", 5432,
                    "database port tcp/5432 reachable from user zone users")]
    assert "db01 (198.18.3.10) tcp/5432" in f["message"]


def test_ipv6_on_one_scanned_zone_and_parity_gap(zone_scan: dict[str, Any]) -> None:
    f = zone_scan["by_check"]["net.ipv6_readiness"]
    obs = f["evidence"]["observed"]
    zones = {z["name"]: z["observed"] for z in obs["zones"]}
    assert zones == {"users": True, "servers": True, "db": False, "mgmt": False}
    portal = obs["services"][0]
    assert portal["aaaa"] == ["2001:2:0:2::10"]
    assert portal["v6_open"] == [80]  # the router forwards only port 80 over IPv6
    missing = sorted(m.split(" (")[0] for m in obs["missing"])
    assert missing == ["portal: same ports over IPv6 as IPv4",
                       "zone db: IPv6 addressing", "zone mgmt: IPv6 addressing"]
    assert f["status"] == "fail"


def test_zone_plan_from_inventory(zone_scan: dict[str, Any]) -> None:
    by = zone_scan["by_check"]
    for check in ("net.zone_internal", "net.zone_internal_server", "net.zone_db_server",
                  "net.zone_management"):
        assert by[check]["status"] == "pass", by[check]["message"]


def test_no_tls_service_is_not_applicable(zone_scan: dict[str, Any]) -> None:
    assert zone_scan["by_check"]["net.tls_healthy"]["status"] == "not_applicable"


def test_scan_outside_the_zone_is_refused(topo: Topology, zone_scan: dict[str, Any]) -> None:
    # The db namespace has no address in the users zone: the scan would be meaningless.
    proc = attt("scan", "-q", "-i", str(zone_scan["inv"]), "-p", PROFILE, "--from-zone",
                "users", "-o", str(topo.folder / "refused"), ns=topo.ns["db"])
    assert proc.returncode == 2
    assert "has no address in zone 'users'" in proc.stderr
    assert not Path(topo.folder / "refused").exists()
