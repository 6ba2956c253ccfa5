"""OSCAL benchmark: ``attt report -f oscal`` of a scan of N offline (``dir:``) hosts.

Scans N ``dir:`` hosts (the debootstrap tree the tests cache, or ``--root DIR``) at level 3
with ``-f json``, then renders the results again as ``-f oscal`` and, for comparison, as
``-f json``, each as a subprocess of a fresh wrapper process; prints wall time, peak RSS
(``RUSAGE_CHILDREN`` of the wrapper) and the output size per host.  Figures only: the
OSCAL renderer streams, so its peak RSS should stay close to the JSON renderer's and grow
with the number of hosts only by 16 bytes per (check evaluation, requirement) pair.

    python bench/oscal.py [--hosts 100 1000] [--root DIR]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scale import ROOTFS, inventory

_WRAPPER = (
    "import resource, subprocess, sys\n"
    "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall time (s) and peak RSS (MiB) of ``cmd`` run under a fresh wrapper."""

    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", _WRAPPER, *cmd], capture_output=True,
                          text=True, check=True)
    _, rss_kib = proc.stdout.split()
    return time.monotonic() - started, int(rss_kib) / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hosts", type=int, nargs="+", default=[100, 1000])
    ap.add_argument("--root", type=Path, default=ROOTFS)
    args = ap.parse_args()
    attt = [sys.executable, "-m", "attt"]
    print("| hosts | render | wall time | peak RSS | file per host |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for hosts in args.hosts:
            inv, run = work / f"inv-{hosts}.yaml", work / f"run-{hosts}"
            inventory(inv, hosts, args.root)
            timed([*attt, "scan", "-i", str(inv), "--no-network", "-q", "--no-history",
                   "-f", "json", "-o", str(run)])
            for fmt, name in (("json", "results.json"),
                              ("oscal", "assessment-results.oscal.json")):
                out = work / f"{fmt}-{hosts}"
                wall, rss = timed([*attt, "report", str(run / "results.json"), "-f", fmt,
                                   "-o", str(out)])
                size = (out / name).stat().st_size / hosts / 1024
                print(f"| {hosts:,} | {fmt} | {wall:.1f} s | {rss:.0f} MiB | {size:.1f} KiB |",
                      flush=True)


if __name__ == "__main__":
    main()
