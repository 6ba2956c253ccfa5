"""A zone worker inside a network namespace of the topology (tests/network/topology.py): the
network unit of the users vantage zone runs there, so its nmap scan sees what that zone sees;
a second worker on this machine scans the loopback sshd hosts of another system.

The namespace has its own loopback, so the worker reaches the broker through a socat relay
over a Unix socket (a file both sides see); nothing but 127.0.0.1 and the test's namespaces
is contacted."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import Fleet, WorkerKeys, Workers, admin_env, attt
from .rabbit import Rabbit
from .test_routing import host_records, lines

NETWORK_TESTS = Path(__file__).resolve().parents[1] / "network"
sys.path.insert(0, str(NETWORK_TESTS))

from nethelp import require, require_root_nmap  # noqa: E402
from topology import Topology, topology  # noqa: E402

SSH_REQUIREMENTS = """
  - {id: T.SSH.1, title_vi: Cấm root qua SSH, title_en: No root SSH login, group: server,
     layer: 1, severity: high, checks: [{id: ssh.root_login_disabled}]}
"""


@pytest.fixture(scope="module")
def topo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Topology]:
    require_root_nmap()
    require(shutil.which("nft") is not None, "nftables (nft) is not installed")
    require(shutil.which("socat") is not None, "socat is not installed")
    with topology(tmp_path_factory.mktemp("topology")) as t:
        yield t


def relay(rabbit: Rabbit, ns: str, folder: Path) -> list[subprocess.Popen[bytes]]:
    """127.0.0.1:<broker port> inside ``ns`` -> Unix socket -> the broker on this machine."""

    sock = folder / "broker.sock"
    procs = [subprocess.Popen(
        ["socat", f"UNIX-LISTEN:{sock},fork,unlink-early", f"TCP:127.0.0.1:{rabbit.port}"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)]
    deadline = time.monotonic() + 10
    while not sock.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    procs.append(subprocess.Popen(
        ["ip", "netns", "exec", ns, "socat",
         f"TCP-LISTEN:{rabbit.port},bind=127.0.0.1,fork,reuseaddr", f"UNIX-CONNECT:{sock}"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        probe = subprocess.run(["ip", "netns", "exec", ns, "sh", "-c",
                                f"exec 3<>/dev/tcp/127.0.0.1/{rabbit.port}"],
                               capture_output=True, timeout=10, check=False)
        if probe.returncode == 0:
            break
        time.sleep(0.1)
    return procs


def inventory(topo: Topology, fleet: Fleet, keys: WorkerKeys, folder: Path) -> Path:
    _, pub_u = keys.pair("wu")
    _, pub_a = keys.pair("wa")
    text = topo.inventory().read_text().replace(
        '{name: users, role: internal, networks: ["198.18.1.8/29", "2001:2:0:1::/64"]}',
        '{name: users, role: internal, networks: ["198.18.1.8/29", "2001:2:0:1::/64"], '
        f'workers: [{{id: wu, public_key: {pub_u}}}]}}')
    assert "workers:" in text
    text = f"known_hosts: {fleet.known_hosts}\n" + text + f"""  - name: lo
    level: 2
    zones:
      - {{name: a, role: internal_server, workers: [{{id: wa, public_key: {pub_a}}}]}}
    hosts:
      - {{name: a1, address: 127.0.1.1, port: {fleet.port}, zone: a, user: root,
         options: {{key_file: {fleet.client_key}}}}}
"""
    inv = folder / "inventory.yaml"
    inv.write_text(text)
    profile = folder / "profile.yaml"
    profile.write_text((NETWORK_TESTS / "profile-net.yaml").read_text().rstrip() + "\n"
                       + SSH_REQUIREMENTS)
    return inv


def by_check(run: Path, unit: str) -> dict[str, dict[str, Any]]:
    return {f["check"]: f for f in lines(run) if f["type"] == "finding" and f["host"] == unit}


def test_the_vantage_zone_worker_inside_its_namespace_runs_the_network_unit(
    rabbit: Rabbit, fleet: Fleet, workers: Workers, worker_keys: WorkerKeys, topo: Topology,
    tmp_path: Path,
) -> None:
    inv = inventory(topo, fleet, worker_keys, tmp_path)
    procs = relay(rabbit, topo.scanner_ns, tmp_path)
    try:
        wu = workers.start("users", "wu", netns=topo.scanner_ns)
        wa = workers.start("a", "wa")
        # db01 (lab, zone db) is left out: the router drops ssh to it.
        r = attt("scan", "-i", str(inv), "-p", str(tmp_path / "profile.yaml"), "--hosts",
                 "lo/*", "--no-history", "-q", "-o", str(tmp_path / "run"), "--deadline",
                 "180", env=admin_env(rabbit), timeout=300)
    finally:
        for p in procs:
            p.kill()
            p.wait(timeout=10)
    assert r.returncode in (0, 1), r.stderr
    records = {rec["key"]: rec for rec in host_records(tmp_path / "run")}
    net = records["lab/net:users"]
    assert net["worker"] == "wu" and net["state"] == "ok", net
    assert "from zone users" in net["message"]
    assert records["lo/a1"]["worker"] == "wa" and records["lo/a1"]["state"] == "ok"
    assert "unit started: lab/net:users" in wu.log_text()
    assert "unit started: lab/net:users" not in wa.log_text()
    assert "unit started: lo/a1" not in wu.log_text()
    # What only the users zone sees: the router leaks users -> db on 5432 and 1521.
    f = by_check(tmp_path / "run", "net:users")["net.rules_internal"]
    assert f["status"] == "fail", f["message"]
    got = sorted((v["zone"], v["address"], v["port"], v["state"])
                 for v in f["evidence"]["observed"])
    assert got == [("db", "198.18.3.10", 1521, "closed"), ("db", "198.18.3.10", 5432, "open")]
    doc = json.loads((tmp_path / "run" / "results.json").read_text())
    assert doc["run"]["hosts_scanned"] == doc["run"]["hosts_total"] == 3


def test_a_vantage_worker_outside_its_zone_reports_an_error_not_a_scan(
    rabbit: Rabbit, fleet: Fleet, workers: Workers, worker_keys: WorkerKeys, topo: Topology,
    tmp_path: Path,
) -> None:
    inv = inventory(topo, fleet, worker_keys, tmp_path)
    # The users worker runs on this machine, which has no address in the users zone.
    wu = workers.start("users", "wu")
    r = attt("scan", "-i", str(inv), "-p", str(tmp_path / "profile.yaml"), "--network-only",
             "--system", "lab", "--no-history", "-q", "-o", str(tmp_path / "run"),
             "--deadline", "120", env=admin_env(rabbit), timeout=300)
    assert r.returncode == 3, r.stderr
    (net,) = host_records(tmp_path / "run")
    assert net["key"] == "lab/net:users" and net["worker"] == "wu"
    assert net["state"] == "error" and "no address in zone 'users'" in net["message"], net
    assert "unit started: lab/net:users" in wu.log_text()
    f = by_check(tmp_path / "run", "net:users")["net.rules_internal"]
    assert f["status"] == "error"
