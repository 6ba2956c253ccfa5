"""nmap for real against listeners on 127.0.0.x and ::1: TLS certificates made with
cryptography (good, expired, RSA-1024, wrong name, chain incomplete, self-signed, TLS 1.0),
a telnet-like banner, an HTTP admin page; names served by a DNS server on 127.0.0.1."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import servers as S
from nethelp import PROFILE, attt, findings, require_root_nmap

TLS_KINDS: dict[str, dict[str, Any]] = {
    "good": {}, "expired": {"expired": True}, "weak": {"rsa_bits": 1024}, "wrong": {},
    "incomplete": {"send_chain": False}, "selfsigned": {"self_signed": True}, "old": {},
}
SERVICES = "127.0.0.20"  # telnet banner + HTTP admin page


def _address(i: int) -> str:
    return f"127.0.0.{21 + i}"


@pytest.fixture(scope="module")
def loopback_scan(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    require_root_nmap()
    tmp = tmp_path_factory.mktemp("loopback")
    pki = S.make_pki()
    (tmp / "root.pem").write_bytes(pki.root_pem)
    spec: list[dict[str, Any]] = []
    records: dict[str, list[str]] = {}
    for i, (kind, opts) in enumerate(TLS_KINDS.items()):
        cn = "other.test" if kind == "wrong" else f"www.{kind}.test"
        cert, key = S.leaf(pki, tmp, kind, cn, **opts)
        spec.append({"kind": "tls", "host": _address(i), "port": 4443, "cert": cert,
                     "key": key, "old": kind == "old"})
        records[f"www.{kind}.test A"] = [_address(i)]
    spec.append({"kind": "tls", "host": "::1", "port": 4443, "cert": str(tmp / "good.crt"),
                 "key": str(tmp / "good.key")})
    records["www.good.test AAAA"] = ["::1"]
    spec += [{"kind": "banner", "host": SERVICES, "port": 23},
             {"kind": "http", "host": SERVICES, "port": 8080, "title": "Router admin login"}]
    dns_port = S.free_udp_port()
    spec.append({"kind": "dns", "host": "127.0.0.1", "port": dns_port, "records": records})
    services = "\n".join(
        f"      - {{name: {k}, host: www.{k}.test, ports: [4443], ca_file: root.pem}}"
        for k in TLS_KINDS)
    inv = tmp / "inventory.yaml"
    inv.write_text(f"""systems:
  - name: lab
    level: 3
    zones:
      - {{name: users, role: internal, networks: [127.0.0.1/32]}}
      - {{name: servers, role: internal_server, networks: [127.0.0.16/28, "::1/128"]}}
    rules:
      default: deny
      flows:
        - {{from: users, to: servers, action: allow, services: [tcp/4443], reason: web apps}}
    vantage_points:
      - {{zone: users, resolver: "127.0.0.1:{dns_port}", host_timeout: 90}}
    public_services:
{services}
""")
    servers = S.start(spec)
    try:
        dry = attt("scan", "--dry-run", "-i", str(inv), "-p", PROFILE, "--from-zone", "users")
        started = time.monotonic()
        proc = attt("scan", "-q", "-i", str(inv), "-p", PROFILE, "--from-zone", "users",
                    "-o", str(tmp / "out"), "-f", "json")
        seconds = time.monotonic() - started
    finally:
        for s in servers:
            s.shutdown()
            s.server_close()
    assert proc.returncode == 1, proc.stderr
    by_check = {f["check"]: f for f in findings(tmp / "out")}
    return {"by_check": by_check, "out": tmp / "out", "seconds": seconds, "inv": inv,
            "dry": dry}


def test_runs_in_modest_time(loopback_scan: dict[str, Any]) -> None:
    assert loopback_scan["seconds"] < 90


def test_forbidden_flows_found_with_evidence(loopback_scan: dict[str, Any]) -> None:
    f = loopback_scan["by_check"]["net.rules_internal"]
    assert f["status"] == "fail"
    assert f["host"] == "net:users"
    seen = {(v["address"], v["proto"], v["port"]) for v in f["evidence"]["observed"]
            if v["state"] == "open"}
    assert seen == {(SERVICES, "tcp", 23), (SERVICES, "tcp", 8080)}
    # No firewall on loopback: every scanned port of the servers zone answers with a reset,
    # which proves the denied flow reaches the host; tcp/4443 (allowed) is not reported.
    closed = {(v["address"], v["port"]) for v in f["evidence"]["observed"]
              if v["state"] == "closed"}
    assert (SERVICES, 22) in closed and ("127.0.0.30", 3306) in closed
    assert not any(port == 4443 for _, port in closed)
    assert "reachable (closed)" in f["message"]
    v = next(v for v in f["evidence"]["observed"] if v["port"] == 23)
    assert v["source_zone"] == "users" and v["zone"] == "servers"
    assert v["rule"] == "default deny"
    assert "login" in v["banner"] or v["service"] == "telnet"


def test_insecure_services(loopback_scan: dict[str, Any]) -> None:
    f = loopback_scan["by_check"]["net.insecure_services"]
    assert f["status"] == "fail"
    got = {(v["port"], v["problem"].split(" (")[0]) for v in f["evidence"]["observed"]}
    assert got == {(23, "telnet"), (8080, "HTTP admin interface without TLS")}


def test_tls_problems_exactly_the_seeded_ones(loopback_scan: dict[str, Any]) -> None:
    f = loopback_scan["by_check"]["net.tls_healthy"]
    assert f["status"] == "fail"
    problems = {b["target"]: " | ".join(b["problems"]) for b in f["evidence"]["observed"]}
    assert set(problems) == {f"www.{k}.test" for k in TLS_KINDS if k != "good"}, problems
    assert "certificate not valid now" in problems["www.expired.test"]
    assert "weak key RSA-1024" in problems["www.weak.test"]
    assert "name www.wrong.test not in the certificate (other.test)" in problems["www.wrong.test"]
    assert "chain incomplete" in problems["www.incomplete.test"]
    assert "chain self-signed" in problems["www.selfsigned.test"]
    assert "old protocols offered: TLSv1.0, TLSv1.1" in problems["www.old.test"]
    for kind in ("expired", "weak", "wrong", "incomplete", "selfsigned"):
        assert "old protocols" not in problems[f"www.{kind}.test"]
    assert "chain" not in problems["www.expired.test"]  # expiry is not a chain problem
    cert = next(b["cert"] for b in f["evidence"]["observed"] if b["target"] == "www.weak.test")
    assert cert["key_type"] == "RSA" and cert["key_bits"] == 1024


def test_ipv6_readiness(loopback_scan: dict[str, Any]) -> None:
    f = loopback_scan["by_check"]["net.ipv6_readiness"]
    obs = f["evidence"]["observed"]
    good = next(s for s in obs["services"] if s["name"] == "good")
    assert good["aaaa"] == ["::1"] and good["v4_open"] == good["v6_open"] == [4443]
    assert good["https_v6"]["ok"] is True
    missing = " ".join(obs["missing"])
    assert "good:" not in missing
    assert "expired: AAAA record" in missing
    assert f["status"] == "fail" and f"{obs['score_percent']:.0f}%" in f["message"]


def test_host_record_carries_the_ipv6_score(loopback_scan: dict[str, Any]) -> None:
    lines = (loopback_scan["out"] / "findings.jsonl").read_text().splitlines()
    rec = [json.loads(x) for x in lines if '"type": "host"' in x]
    assert [r["name"] for r in rec] == ["net:users"]
    assert rec[0]["state"] == "ok" and "IPv6 readiness" in rec[0]["message"]


def test_resume_skips_the_finished_network_unit(loopback_scan: dict[str, Any]) -> None:
    # Nothing listens any more: a rescan would change the findings, a resume must not.
    out: Path = loopback_scan["out"]
    before = (out / "findings.jsonl").read_text()
    proc = attt("scan", "-q", "--resume", str(out))
    assert proc.returncode == 1, proc.stderr
    assert (out / "findings.jsonl").read_text() == before


def test_dry_run_prints_planned_commands(loopback_scan: dict[str, Any]) -> None:
    proc = loopback_scan["dry"]
    assert proc.returncode == 0, proc.stderr
    cmds = [x for x in proc.stdout.splitlines() if x.startswith("nmap ")]
    assert len(cmds) == 4  # IPv4 TCP, IPv4 UDP, IPv6 TCP, IPv6 UDP
    assert cmds[0].startswith("nmap -oX - 127.0.0.16/28 -n -Pn ")
    assert "127.0.0.21 " not in cmds[0]  # inside the swept network: scanned once
    assert " -sU " in cmds[1] and " -sV " not in cmds[1]
    assert cmds[2].startswith("nmap -oX - ::1/128 -6 ")
