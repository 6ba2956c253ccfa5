"""Coverage on a real discovery: three network namespaces on one bridged segment (created and
removed here; addresses 198.18.7.0/29 exist only inside them), ``nmap -sn -oX`` run inside
the scanner's namespace, its XML reconciled with a console export.  nmap sees the two other
hosts' MACs by ARP; the console names one of them by MAC (other notation), the scanner by IP.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from attt.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "network"))
from nethelp import require, require_root_nmap

NET = "198.18.7.0/29"
HOSTS = {  # role: (address, MAC)
    "scan": ("198.18.7.1", "02:00:5e:10:07:01"),
    "pc1": ("198.18.7.2", "02:00:5e:10:07:02"),
    "pc2": ("198.18.7.3", "02:00:5e:10:07:03"),
}


def sh(*args: str, ns: str = "") -> None:
    cmd = ["ip", "netns", "exec", ns, *args] if ns else list(args)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {proc.stderr.strip()}")


@pytest.fixture(scope="module")
def segment() -> Iterator[dict[str, str]]:
    require_root_nmap()
    require(shutil.which("ip") is not None, "iproute2 (ip) is not installed")
    tok = f"{os.getpid() % 10000:04d}{secrets.token_hex(1)}"
    names = {role: f"attt-cov{role[-1]}-{tok}" for role in ("switch", *HOSTS)}
    created: list[str] = []
    try:
        for ns in names.values():
            sh("ip", "netns", "add", ns)
            created.append(ns)
            sh("ip", "link", "set", "lo", "up", ns=ns)
        sw = names["switch"]
        sh("ip", "link", "add", "br0", "type", "bridge", ns=sw)
        sh("ip", "link", "set", "br0", "up", ns=sw)
        for role, (address, mac) in HOSTS.items():
            port, nic = f"p{role}{tok}"[:15], f"n{role}{tok}"[:15]
            sh("ip", "link", "add", port, "netns", sw, "type", "veth", "peer", "name", nic,
               "netns", names[role])
            sh("ip", "link", "set", port, "master", "br0", ns=sw)
            sh("ip", "link", "set", port, "up", ns=sw)
            sh("ip", "link", "set", nic, "address", mac, ns=names[role])
            sh("ip", "addr", "add", f"{address}/29", "dev", nic, ns=names[role])
            sh("ip", "link", "set", nic, "up", ns=names[role])
        yield names
    finally:
        for ns in reversed(created):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=30,
                           check=False)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(
                Path(f"/run/netns/{ns}").exists() for ns in created):
            time.sleep(0.1)


def test_discovery_on_the_segment_reconciled(segment: dict[str, str], tmp_path: Path) -> None:
    xml = tmp_path / "discovery.xml"
    proc = subprocess.run(
        ["ip", "netns", "exec", segment["scan"], "nmap", "-sn", "-n", "--max-retries", "2",
         "--host-timeout", "20s", "-oX", str(xml), NET],
        capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    console = tmp_path / "bkav.csv"
    pc1_mac = HOSTS["pc1"][1].upper().replace(":", "-")
    console.write_text(
        "Tên máy,Địa chỉ IP,Địa chỉ MAC,Lần kết nối cuối,Ngày cập nhật mẫu,Bảo vệ\n"
        f"PC-01,,{pc1_mac},{now.isoformat()},{now.isoformat()},Bật\n"
        f"MAY-QUET,{HOSTS['scan'][0]},,{now.isoformat()},{now.isoformat()},Bật\n",
        encoding="utf-8")
    mapping = tmp_path / "bkav.yaml"
    mapping.write_text("console: bkav\ncolumns: {name: Tên máy, ip: Địa chỉ IP, mac: Địa chỉ "
                       "MAC, last_seen: Lần kết nối cuối, bases_time: Ngày cập nhật mẫu, rtp: "
                       "Bảo vệ}\nrtp_on: [Bật]\n", encoding="utf-8")
    result = CliRunner(env={"ATTT_LANG": "en"}).invoke(main, [
        "coverage", "--assets", str(xml), "--console", str(console), "--mapping",
        str(mapping), "--json"], catch_exceptions=False)
    assert result.exit_code == 1, result.output
    doc = json.loads(result.output)
    by_ip = {m["ips"][0]: m for m in doc["machines"]}
    # nmap saw both hosts on the wire, with their MACs (ARP).
    assert by_ip[HOSTS["pc1"][0]]["macs"] == [HOSTS["pc1"][1]]
    assert by_ip[HOSTS["pc1"][0]]["class"] == "protected-healthy"  # by MAC, other notation
    assert by_ip[HOSTS["pc2"][0]]["macs"] == [HOSTS["pc2"][1]]
    assert by_ip[HOSTS["pc2"][0]]["class"] == "unprotected"
    # nmap lists the scanning host itself (no MAC of its own): matched by IP in the window.
    assert set(by_ip) == {h[0] for h in HOSTS.values()}
    assert by_ip[HOSTS["scan"][0]]["macs"] == []
    assert by_ip[HOSTS["scan"][0]]["class"] == "protected-healthy"
    assert doc["summary"]["line"]["en"] == "Protected computers: 2/3 (66.7 %)"
