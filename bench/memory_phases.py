"""Where a large scan's memory goes: RSS after each phase of one in-process scan.

N offline (``dir:``) hosts on the cached Debian tree at level 3, as ``bench/scale.py``; the
scan runs in this process with hooks after loading the scope, scanning, grading and writing
each report file, printing the current RSS and its high-water mark (``/proc/self/status``).
Figures only (issue 12: peak RSS at 10,000 hosts <= 1.5x that at 1,000).

    python bench/memory_phases.py --hosts 1000 [--root DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from scale import ROOTFS, inventory

from attt import run_folder
from attt import scan as scan_module
from attt.cli import main as attt_main


def rss() -> str:
    fields = {}
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            fields[key] = int(value.split()[0]) // 1024 if key in ("VmRSS", "VmHWM") else 0
    return f"{fields['VmRSS']} MiB now, {fields['VmHWM']} MiB peak"


def after(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        result = fn(*args, **kwargs)
        name = label or os.path.basename(str(args[0]))
        print(f"after {name}: {rss()}", file=sys.__stdout__, flush=True)
        return result
    return wrapped


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hosts", type=int, default=1000)
    ap.add_argument("--root", type=Path, default=ROOTFS)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="attt-phases-"))
    inv = work / "inventory.yaml"
    inventory(inv, args.hosts, args.root)
    print(f"{args.hosts} hosts; attt imported: {rss()}", flush=True)
    scan_module.load_scope = after("loading the inventory and profiles", scan_module.load_scope)
    scan_module._scan_units = after("scanning", scan_module._scan_units)
    scan_module.finish = after("grading", scan_module.finish)
    run_folder.write_atomic = after("", run_folder.write_atomic)
    result = CliRunner().invoke(attt_main, [
        "scan", "-i", str(inv), "--no-network", "-q", "--no-history", "-w", "8",
        "-f", "html,json,junit", "-o", str(work / "run")])
    print(f"exit {result.exit_code}; end: {rss()}", flush=True)


if __name__ == "__main__":
    os.environ.setdefault("ATTT_LANG", "vi")
    main()
