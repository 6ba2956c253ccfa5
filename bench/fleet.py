"""Fleet benchmark: N SSH hosts (throwaway sshd daemons on 127.0.1.x) scanned at level 2.

Prints wall time, hosts per second, exec channels opened per host and peak memory, then the
wall time of a local `attt scan` of the level-2 profile.  No assertions: figures only.

    python bench/fleet.py [--hosts 50] [--workers 16]

Only loopback addresses are used (127.0.1.1 ... 127.0.1.N).  Needs root (sshd, ports) and
/usr/sbin/sshd.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import sshd as sshd_helper

from attt.scan import ScanOptions, run_scan


def start_fleet(
    tmp: Path, n: int, pub: str
) -> tuple[list[sshd_helper.SshdHandle], list[tuple[str, int]]]:
    endpoints = [(f"127.0.1.{i + 1}", 22022) for i in range(n)]
    daemons = []
    for start in range(0, n, sshd_helper.MAX_LISTEN):
        chunk = endpoints[start : start + sshd_helper.MAX_LISTEN]
        daemons.append(sshd_helper.start_sshd(tmp / f"sshd{start}", chunk, pub, log_level="ERROR"))
    return daemons, endpoints


def write_inventory(
    tmp: Path, key: str, endpoints: list[tuple[str, int]], daemons: list[sshd_helper.SshdHandle]
) -> Path:
    (tmp / "known_hosts").write_text("".join(d.known_hosts_text() for d in daemons))
    lines = [
        "known_hosts: known_hosts",
        "defaults:",
        "  transport: ssh",
        "  user: root",
        f"  options: {{key_file: {key}}}",
        "systems:",
        "  - name: fleet",
        "    level: 2",
        "    hosts:",
    ]
    lines += [
        f"      - {{name: h{i:03d}, address: {a}, port: {p}}}" for i, (a, p) in enumerate(endpoints)
    ]
    inv = tmp / "inventory.yaml"
    inv.write_text("\n".join(lines) + "\n")
    return inv


def local_scan_seconds(tmp: Path, runs: int = 3) -> list[float]:
    attt = Path(sys.executable).with_name("attt")
    times = []
    for i in range(runs):
        t0 = time.perf_counter()
        subprocess.run(
            [str(attt), "scan", "-q", "--no-history", "-o", str(tmp / f"local{i}")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
            timeout=300,
        )
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hosts", type=int, default=50)
    ap.add_argument("--workers", type=int, default=16)
    args = ap.parse_args()
    n = max(1, min(args.hosts, 250))
    with tempfile.TemporaryDirectory(prefix="attt-bench-") as d:
        tmp = Path(d)
        key, pub = sshd_helper.make_client_key(tmp)
        daemons, endpoints = start_fleet(tmp, n, pub)
        try:
            inv = write_inventory(tmp, key, endpoints, daemons)
            opts = ScanOptions(
                inventory=str(inv),
                out=str(tmp / "run"),
                workers=args.workers,
                formats=("html", "json", "junit"),
                history=False,  # benchmarks leave the user's run history alone
            )
            t0 = time.perf_counter()
            result = run_scan(opts)
            wall = time.perf_counter() - t0
        finally:
            for daemon in daemons:
                daemon.stop()
        rows = [h for s in result.document["systems"] for h in s["hosts"]]
        done = [h for h in rows if h["state"] == "ok"]
        channels = [int(h["channels"]) for h in rows]
        checks = len(
            {
                f["check"]
                for s in result.document["systems"]
                for r in s["requirements"]
                for f in r["findings"]
            }
        )
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"fleet scan: {n} SSH hosts, level-2 profile, {checks} checks, workers={args.workers}"
        )
        print(f"  wall time           {wall:.2f} s")
        print(f"  hosts per second    {n / wall:.1f}")
        print(f"  hosts done          {len(done)}/{n}")
        print(f"  exec channels/host  min {min(channels)} max {max(channels)}")
        print(f"  peak memory (RSS)   {peak_mb:.0f} MiB")
        print(
            f"  report.html size    {os.path.getsize(tmp / 'run' / 'report.html') / 1024:.0f} KiB"
        )
        local = local_scan_seconds(tmp)
        print(
            "local `attt scan` (level 2, bundled inventory): "
            + ", ".join(f"{t:.2f} s" for t in local)
            + f"  (best {min(local):.2f} s)"
        )


if __name__ == "__main__":
    main()
