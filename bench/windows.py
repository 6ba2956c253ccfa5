"""Offline Windows benchmark: N collector documents graded with ``--target collected:DIR``.

Writes N collector documents into a temporary folder: the sections of the committed fixtures
(tests/fixtures/windows, round-robin), padded by default with 250 services and 150 installed
products to a real desktop's size, in a fresh envelope (host PC-00001..., collected two hours
ago, SHA-256 of body recomputed by tests/windows/docbuilder.py).  Then times
``attt scan --target collected:DIR --no-network -f json`` as a subprocess and prints its wall
time and peak RSS (``resource.getrusage(RUSAGE_CHILDREN)`` of a fresh wrapper process per
size, so one size's peak never hides another's).  No assertions: figures only.
Target (issue 11): 5000 files in <= 60 s, memory flat in the number of files.

    python bench/windows.py [--files 5000] [--also 500] [--workers 8] [--no-pad]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "windows"))

import docbuilder

# Runs the scan as ITS child and prints the child's peak RSS (KiB on Linux) on stdout.
_WRAPPER = (
    "import resource, subprocess, sys\n"
    "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "windows"


def _padded(sections: dict[str, Any]) -> dict[str, Any]:
    """A fixture's sections grown to a real desktop's size: about 250 services and 150
    installed products (the committed fixtures keep only the entries their checks need)."""

    grown = copy.deepcopy(sections)
    services = grown.get("services", {})
    if services.get("status") == "ok":
        services["data"] += [{"name": f"Svc{i:03d}", "state": "Stopped", "start_mode": "Manual"}
                             for i in range(250)]
    uninstall = grown.get("uninstall", {})
    if uninstall.get("status") == "ok":
        uninstall["data"] += [{"name": f"Product {i:03d} Runtime", "version": f"1.{i}.0",
                               "publisher": "Example Vendor"} for i in range(150)]
    return grown


def templates(pad: bool) -> list[dict[str, Any]]:
    """The committed fixture documents (body parsed), padded to a real size if ``pad``."""

    out = []
    for path in sorted(FIXTURES.glob("*.json")):
        env = json.loads(path.read_text(encoding="utf-8"))
        sections = json.loads(env["body"])
        out.append(_padded(sections) if pad else sections)
    return out


def write_documents(folder: Path, n: int, pad: bool = True) -> int:
    """N documents PC-00001.json ..., round-robin over the fixtures' sections, collected two
    hours ago (one line each, as ConvertTo-Json -Compress prints)."""

    bodies = templates(pad)
    total = 0
    for i in range(1, n + 1):
        doc = docbuilder.document(f"PC-{i:05d}", sections=bodies[i % len(bodies)])
        text = docbuilder.dumps(doc)
        (folder / f"PC-{i:05d}.json").write_text(text, encoding="utf-8")
        total += len(text)
    return total


def scan(folder: Path, out: Path, workers: int) -> tuple[float, int, int]:
    """(wall seconds, exit status, peak RSS KiB) of one scan of ``folder``."""

    attt = [sys.executable, "-m", "attt", "scan", "--target", f"collected:{folder}",
            "--no-network", "-f", "json", "-o", str(out), "-q", "--workers", str(workers)]
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", _WRAPPER, *attt], capture_output=True,
                          text=True, check=True, timeout=1800)
    wall = time.monotonic() - started
    rc, rss = proc.stdout.split()
    return wall, int(rc), int(rss)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=5000)
    ap.add_argument("--also", type=int, default=500, help="a smaller size to compare RSS with")
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--no-pad", action="store_true",
                    help="the fixtures' sections as committed (about 4 KiB a document)")
    args = ap.parse_args()
    sizes = sorted({n for n in (args.also, args.files) if n > 0})
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="attt-bench-win-") as tmp:
            docs = Path(tmp) / "docs"
            docs.mkdir()
            size = write_documents(docs, n, pad=not args.no_pad)
            wall, rc, rss = scan(docs, Path(tmp) / "out", args.workers)
            results = json.loads((Path(tmp) / "out" / "results.json").read_text())
            findings = sum(sum(r["counts"].values()) for s in results["systems"]
                           for r in s["requirements"])
            hosts = len({e["host"] for e in results["findings"]})
            out_bytes = sum(f.stat().st_size for f in (Path(tmp) / "out").iterdir()
                            if f.is_file())
            print(f"{n} files ({size / 2**20:.1f} MiB): wall {wall:.2f} s, "
                  f"{n / wall:.0f} files/s, peak RSS {rss / 1024:.0f} MiB, exit {rc}, "
                  f"{hosts} hosts with {findings} findings, run folder "
                  f"{out_bytes / 2**20:.1f} MiB, workers {args.workers}, "
                  f"cpus {os.cpu_count()}", flush=True)


if __name__ == "__main__":
    main()
