"""Scale benchmark: N offline (``dir:``) hosts at level 3, one inventory, one scan.

Every host is the same Debian 12 root filesystem (the debootstrap image the tests cache under
/var/cache/attt-tests, or ``--root DIR``), so the figures measure attt itself: grading,
findings.jsonl, results.json, report.html and junit.xml for N hosts.  Each size runs
``attt scan -i INVENTORY --no-network -f html,json,junit`` as a subprocess of a fresh wrapper
process and prints wall time, the scan's peak RSS (``RUSAGE_CHILDREN`` of the wrapper, so one
size never hides another's: the largest single process, the scan or one of its worker
processes), the peak of the whole process tree's summed RSS (sampled from /proc every 0.1 s:
the scan and its worker processes together), and the size of each output file per host.
No assertions: figures only (targets, issue 12: 1,000 hosts <= 25 s; peak RSS at 10,000
<= 1.5x at 1,000; results.json <= 25 KB per host; report.html at 10,000 hosts <= 20 MB).

    python bench/scale.py [--hosts 1000 10000] [--workers 8] [--root DIR] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOTFS = Path("/var/cache/attt-tests/rootfs-bookworm-v1")
TIMEOUT_SECONDS = 3600  # one size, at most
_WRAPPER = (
    "import resource, subprocess, sys\n"
    "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def tree_rss_kib(root: int) -> int:
    """The summed VmRSS of ``root`` and every process under it, now (KiB)."""

    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                    # The command name may hold spaces: the parent is after its ")".
                    parents[int(entry)] = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue  # ended meanwhile
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child, parent in parents.items():
            if parent == pid and child not in tree:
                tree.add(child)
                frontier.append(child)
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return total


def inventory(path: Path, hosts: int, root: Path) -> None:
    """One level-3 system of ``hosts`` dir: hosts, all on ``root``."""

    lines = [
        "systems:",
        "  - name: he-thong-quy-mo",
        "    owner: So Thong tin va Truyen thong",
        "    operating_unit: Trung tam CDS",
        "    regime: nd85-tt12",
        "    level: 3",
        "    hosts:",
    ]
    lines += [f"      - {{name: may-{i:05d}, transport: dir, path: {root}}}" for i in range(hosts)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run(hosts: int, workers: int, root: Path, work: Path) -> dict[str, float]:
    inv = work / f"inv-{hosts}.yaml"
    out = work / f"run-{hosts}"
    inventory(inv, hosts, root)
    attt = [sys.executable, "-m", "attt", "scan", "-i", str(inv), "--no-network", "-q",
            "--no-history", "-w", str(workers), "-f", "html,json,junit", "-o", str(out)]
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-c", _WRAPPER, *attt], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    tree_kib = 0
    deadline = started + TIMEOUT_SECONDS
    while proc.poll() is None and time.monotonic() < deadline:
        tree_kib = max(tree_kib, tree_rss_kib(proc.pid))
        time.sleep(0.1)
    stdout, stderr = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
    wall = time.monotonic() - started
    if proc.returncode != 0:
        sys.exit(f"scan wrapper failed ({proc.returncode}): {stderr[-2000:]}")
    rc, rss_kib = stdout.split()
    sizes = {name: (out / name).stat().st_size for name in
             ("results.json", "report.html", "junit.xml", "findings.jsonl")
             if (out / name).exists()}
    return {"hosts": hosts, "rc": int(rc), "wall": wall, "rss_mib": int(rss_kib) / 1024,
            "tree_mib": tree_kib / 1024,
            **sizes}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hosts", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--root", type=Path, default=ROOTFS)
    ap.add_argument("--keep", type=Path, help="write the runs here and keep them")
    args = ap.parse_args()
    if not args.root.is_dir():
        sys.exit(f"no root filesystem at {args.root} (run tests/integration/test_rootfs_dir.py "
                 "once as root, or give --root)")
    work = args.keep or Path(tempfile.mkdtemp(prefix="attt-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        print("hosts | exit | wall s | peak RSS MiB (largest process) | peak RSS MiB (process "
              "tree) | results.json KB/host | report.html MB | junit.xml KB/host | "
              "findings.jsonl KB/host")
        for n in args.hosts:
            r = run(n, args.workers, args.root, work)
            print(f"{n} | {r['rc']} | {r['wall']:.1f} | {r['rss_mib']:.0f} | "
                  f"{r['tree_mib']:.0f} | "
                  f"{r.get('results.json', 0) / n / 1024:.1f} | "
                  f"{r.get('report.html', 0) / 1e6:.1f} | "
                  f"{r.get('junit.xml', 0) / n / 1024:.1f} | "
                  f"{r.get('findings.jsonl', 0) / n / 1024:.1f}", flush=True)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    os.environ.setdefault("ATTT_LANG", "vi")
    main()
