"""Network benchmark: the zone topology of tests/network/topology.py (network namespaces)
scanned by attt from the users namespace, then by the plain nmap commands attt plans
(``attt scan --dry-run``), run the same way (side by side).  Prints both wall times and the
ratio (target: attt within 10% of plain nmap).  No assertions: figures only.

    python bench/network.py [--runs 3]

Needs root (namespaces, SYN/UDP scans), nmap and nft.  Only addresses inside the namespaces
this script creates are contacted (198.18.0.0/15, 2001:2::/48), with the scanners running in
the users namespace; the namespaces are removed at the end, also on failure.
"""

from __future__ import annotations

import argparse
import shlex
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "network"))

from topology import topology  # noqa: E402  (tests/network/topology.py)

PROFILE = str(ROOT / "tests" / "network" / "profile-net.yaml")
TIMEOUT = 300


def in_ns(ns: str, argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["ip", "netns", "exec", ns, *argv], capture_output=True, text=True,
                          timeout=TIMEOUT, check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs = max(1, min(args.runs, 10))
    attt = [sys.executable, "-c", "import sys; from attt.cli import main; sys.exit(main())"]
    with tempfile.TemporaryDirectory() as tmp, topology(Path(tmp)) as topo:
        inv = str(topo.inventory())
        ns = topo.scanner_ns
        plan = in_ns(ns, [*attt, "scan", "--dry-run", "-i", inv, "-p", PROFILE,
                          "--from-zone", "users"])
        commands = [shlex.split(x) for x in plan.stdout.splitlines() if x.startswith("nmap ")]
        if plan.returncode != 0 or not commands:
            sys.exit(f"dry run failed: {plan.stderr}")
        print("planned nmap commands:")
        for c in commands:
            print("  " + shlex.join(c))
        attt_times, nmap_times = [], []
        for i in range(runs):
            t0 = time.perf_counter()
            proc = in_ns(ns, [*attt, "scan", "-q", "-i", inv, "-p", PROFILE, "--from-zone",
                              "users", "-o", f"{tmp}/run{i}", "-f", "json", "--no-history"])
            attt_times.append(time.perf_counter() - t0)
            if proc.returncode not in (0, 1):
                sys.exit(f"attt scan failed: {proc.stderr}")
            t0 = time.perf_counter()
            # The same commands, side by side as attt runs them, output to /dev/null.
            with ThreadPoolExecutor(max_workers=len(commands)) as pool:
                done = list(pool.map(lambda c: in_ns(ns, ["nmap", *c[1:]]), commands))
            nmap_times.append(time.perf_counter() - t0)
            if any(d.returncode != 0 for d in done):
                sys.exit("plain nmap failed: " + " ".join(d.stderr for d in done))
            print(f"run {i + 1}: attt {attt_times[-1]:.2f} s, plain nmap {nmap_times[-1]:.2f} s")
    a, n = min(attt_times), min(nmap_times)
    print(f"best of {runs}: attt {a:.2f} s, plain nmap {n:.2f} s, ratio {a / n:.3f} "
          f"(attt {100 * (a / n - 1):+.1f}%; target within +10%)")


if __name__ == "__main__":
    main()
