"""A zone topology in network namespaces, for the network tests and bench/network.py.

    router  -- veth --  users    198.18.1.8/29   2001:2:0:1::/64  (the scanner: .10)
            -- veth --  servers  198.18.2.8/29   2001:2:0:2::/64  (web: .10, ::10)
            -- veth --  db       198.18.3.8/29   (IPv4 only)      (postgres-like: .10)

Addresses come from the benchmarking ranges (198.18.0.0/15, 2001:2::/48) and exist only
inside these namespaces.  The router forwards with an nftables ruleset (policy drop):
users -> servers tcp 80 and 8080 over IPv4 but only 80 over IPv6 (the parity gap), and
users -> db tcp 5432, which the LAN rules forbid (the leak), and users -> db tcp 1521 where
nothing listens (the db host answers with a reset: a leak although the port is closed).
Listeners that the router blocks (servers 22, db 3306) must stay invisible, and so must the
router's own addresses in the other zones (its input chain drops them from users).
Everything is removed on exit, also after a failure.
"""

from __future__ import annotations

import json
import os
import secrets
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ZONES = {  # name: (v4 router, v4 host, v4 net, v6 router, v6 host, v6 net)
    "users": ("198.18.1.9", "198.18.1.10", "198.18.1.8/29",
              "2001:2:0:1::1", "2001:2:0:1::10", "2001:2:0:1::/64"),
    "servers": ("198.18.2.9", "198.18.2.10", "198.18.2.8/29",
                "2001:2:0:2::1", "2001:2:0:2::10", "2001:2:0:2::/64"),
    "db": ("198.18.3.9", "198.18.3.10", "198.18.3.8/29", "", "", ""),
}
DNS_PORT = 5353

NFT = """
table inet attt_fw {{
  chain forward {{
    type filter hook forward priority 0; policy drop;
    ct state established,related accept
    iifname "{u}" oifname "{s}" meta nfproto ipv4 tcp dport {{ 80, 8080 }} accept
    iifname "{u}" oifname "{s}" meta nfproto ipv6 tcp dport 80 accept
    iifname "{u}" oifname "{d}" tcp dport {{ 5432, 1521 }} accept
  }}
  chain input {{
    type filter hook input priority 0; policy accept;
    iifname "{u}" ip daddr != 198.18.1.9 drop
    iifname "{u}" ip6 daddr != {{ 2001:2:0:1::1, fe80::/10, ff00::/8 }} drop
  }}
}}
"""


def sh(*args: str, ns: str = "") -> None:
    cmd = ["ip", "netns", "exec", ns, *args] if ns else list(args)
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {proc.stderr.strip()}")


@dataclass
class Topology:
    ns: dict[str, str]  # zone (and "router") -> namespace name
    folder: Path
    procs: list[subprocess.Popen[str]] = field(default_factory=list)

    @property
    def scanner_ns(self) -> str:
        return self.ns["users"]

    def inventory(self, profile_level: int = 3) -> Path:
        path = self.folder / "inventory.yaml"
        path.write_text(f"""systems:
  - name: lab
    level: {profile_level}
    zones:
      - {{name: users, role: internal, networks: ["198.18.1.8/29", "2001:2:0:1::/64"]}}
      - name: servers
        role: internal_server
        networks: ["198.18.2.8/29", "2001:2:0:2::/64"]
        targets: ["2001:2:0:2::10"]
      - {{name: db, role: db_server, networks: ["198.18.3.8/29"]}}
      - {{name: mgmt, role: management, networks: ["198.18.4.0/22"]}}
    rules:
      default: deny
      flows:
        - {{from: users, to: servers, action: allow, services: [http, tcp/8080],
           reason: "intranet portal"}}
        - {{from: users, to: db, action: deny, services: [any],
           reason: "users never reach the database"}}
    vantage_points:
      - {{zone: users, via: local, resolver: "127.0.0.1:{DNS_PORT}", host_timeout: 60,
         max_rate: 1000}}
    public_services:
      - {{name: portal, host: portal.lab.test, ports: [80, 8080]}}
    hosts:
      - {{name: db01, address: 198.18.3.10, zone: db}}
""")
        return path


def _listen(topo: Topology, zone: str, spec: list[dict[str, object]]) -> None:
    spec_file = topo.folder / f"{zone}.json"
    spec_file.write_text(json.dumps(spec))
    proc = subprocess.Popen(
        ["ip", "netns", "exec", topo.ns[zone], sys.executable, str(HERE / "servers.py"),
         str(spec_file), "600"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    topo.procs.append(proc)
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], 20)
    line = proc.stdout.readline() if ready else ""
    if line.strip() != "ready":
        proc.kill()
        raise RuntimeError(f"listeners in {zone} did not start: {line!r} "
                           f"{proc.stderr.read() if proc.stderr else ''}")


@contextmanager
def topology(folder: Path) -> Iterator[Topology]:
    tok = f"{os.getpid() % 10000:04d}{secrets.token_hex(1)}"
    names = {z: f"attt-{z[0]}-{tok}" for z in ZONES} | {"router": f"attt-r-{tok}"}
    topo = Topology(names, folder)
    created: list[str] = []
    try:
        for ns in names.values():
            sh("ip", "netns", "add", ns)
            created.append(ns)
            sh("ip", "link", "set", "lo", "up", ns=ns)
        r = names["router"]
        ifs = {}
        for zone, (r4, h4, net4, r6, h6, _net6) in ZONES.items():
            rif, hif = f"r{zone[0]}{tok}", f"h{zone[0]}{tok}"
            ifs[zone] = rif
            sh("ip", "link", "add", rif, "netns", r, "type", "veth", "peer", "name", hif,
               "netns", names[zone])
            plen = net4.split("/")[1]
            sh("ip", "addr", "add", f"{r4}/{plen}", "dev", rif, ns=r)
            sh("ip", "addr", "add", f"{h4}/{plen}", "dev", hif, ns=names[zone])
            if r6:
                sh("ip", "-6", "addr", "add", f"{r6}/64", "dev", rif, "nodad", ns=r)
                sh("ip", "-6", "addr", "add", f"{h6}/64", "dev", hif, "nodad", ns=names[zone])
            else:
                sh("sysctl", "-qw", f"net.ipv6.conf.{hif}.disable_ipv6=1", ns=names[zone])
            sh("ip", "link", "set", rif, "up", ns=r)
            sh("ip", "link", "set", hif, "up", ns=names[zone])
            sh("ip", "route", "add", "default", "via", r4, ns=names[zone])
            if r6:
                sh("ip", "-6", "route", "add", "default", "via", r6, ns=names[zone])
        sh("sysctl", "-qw", "net.ipv4.ip_forward=1", ns=r)
        sh("sysctl", "-qw", "net.ipv6.conf.all.forwarding=1", ns=r)
        rules = folder / "router.nft"
        rules.write_text(NFT.format(u=ifs["users"], s=ifs["servers"], d=ifs["db"]))
        sh("nft", "-f", str(rules), ns=r)
        _listen(topo, "servers", [
            {"kind": "http", "host": h, "port": p, "title": "Intranet portal"}
            for h in ("198.18.2.10", "2001:2:0:2::10") for p in (80, 8080)
        ] + [{"kind": "banner", "host": "198.18.2.10", "port": 22}])
        _listen(topo, "db", [{"kind": "http", "host": "198.18.3.10", "port": 5432,
                              "title": "Welcome"},
                             {"kind": "http", "host": "198.18.3.10", "port": 3306,
                              "title": "Welcome"}])
        _listen(topo, "users", [{"kind": "dns", "host": "127.0.0.1", "port": DNS_PORT,
                                 "records": {"portal.lab.test A": ["198.18.2.10"],
                                             "portal.lab.test AAAA": ["2001:2:0:2::10"]}}])
        yield topo
    finally:
        for p in topo.procs:
            p.kill()
            with suppress(subprocess.TimeoutExpired):
                p.wait(timeout=10)
        for ns in reversed(created):
            # Deleting a namespace removes its veth ends (and the peers with them).
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=30,
                           check=False)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(
            Path(f"/run/netns/{ns}").exists() for ns in created
        ):
            time.sleep(0.1)
