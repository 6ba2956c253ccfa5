"""League-table benchmark: `attt org rank` over 200 units x 20 systems x 50 hosts of history.

Builds (not timed) a history database through the store's own ``record()``: per unit one run
in the 2026 data period and one in the 2025 period (for the change since last year), each
with 20 systems of 50 hosts, ``--requirements`` requirement statuses per system (layers 1-4,
a few critical failures) and ``--findings`` findings per host (anti-malware and monitoring
checks among them); an organisation file with one inventory per unit (its 20 systems, one
``dir:`` host each: the history, not the inventory, holds the 50 hosts), inputs files for
every other unit and a coverage result for every fifth.  Then times
``attt org rank ORG --year 2026`` as a subprocess and prints its wall time and peak RSS
(``getrusage(RUSAGE_CHILDREN)`` of a fresh wrapper process).  No assertions: figures only.
Target (issue 13): <= 10 s and <= 300 MB.

    python bench/org.py [--units 200] [--systems 20] [--hosts 50] [--findings 10] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from attt.history import record

ROOT = Path(__file__).resolve().parents[1]
COVERAGE = ROOT / "inventory" / "demo-org" / "so-khcn" / "coverage.json"
_WRAPPER = (
    "import resource, subprocess, sys\n"
    "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(rc, u.ru_maxrss, u.ru_utime + u.ru_stime)\n"
)
CHECKS = ("antivirus.running", "antimalware.centrally_managed", "monitoring.national_agent",
          "ssh.root_login_disabled", "ssh.strong_crypto", "password.min_length",
          "firewall.default_deny_input", "time.synchronised", "audit.auditd_running",
          "logging.rsyslog_running", "accounts.password_max_age", "kernel.aslr_full")


def _doc(unit: int, run: str, started: str, args: argparse.Namespace) -> dict[str, Any]:
    systems = []
    for s in range(args.systems):
        reqs = []
        for r in range(args.requirements):
            status = "fail" if (unit + s + r) % 7 == 0 else "pass"
            reqs.append({"id": f"R{r:02d}", "status": status,
                         "severity": "critical" if r % 10 == 0 else "high",
                         "layer": 1 + r % 4, "findings": []})
        for h in range(args.hosts):
            for f in range(args.findings):
                req = reqs[f % len(reqs)]
                status = "fail" if (unit + s + h + f) % 5 == 0 else "pass"
                req["findings"].append({
                    "system": f"sys-{s:02d}", "host": f"h{h:03d}", "requirement": req["id"],
                    "check": CHECKS[f % len(CHECKS)], "status": status, "params": {},
                    "evidence": {"n": h}, "message": ""})
        systems.append({
            "name": f"sys-{s:02d}", "profile": {"id": "nd85-tt12-2"}, "level": 2,
            "score": {"percent": 50.0 + (unit % 50), "grade": "C"}, "verdict": {"ok": False},
            "hosts": [{"name": f"h{h:03d}", "state": "ok"} for h in range(args.hosts)],
            "requirements": reqs})
    return {"tool": {"name": "attt", "version": "bench"},
            "run": {"id": run, "started": started, "finished": started,
                    "inventory": f"u{unit:03d}/inventory.yaml", "interrupted": False,
                    "hosts_total": args.systems * args.hosts,
                    "hosts_scanned": args.systems * args.hosts, "unit": f"u{unit:03d}"},
            "summary": {"exit_code": 1, "verdict": "non_compliant",
                        "score": {"percent": 50.0, "grade": "C"}},
            "systems": systems}


def build(base: Path, args: argparse.Namespace) -> tuple[Path, Path]:
    db = base / "history.sqlite3"
    tree = base / "tree"
    (tree / "etc").mkdir(parents=True)
    units = []
    for u in range(args.units):
        uid = f"u{u:03d}"
        folder = base / uid
        folder.mkdir()
        inv = {"systems": [{"name": f"sys-{s:02d}", "level": 2,
                            "hosts": [{"name": "h000", "transport": "dir", "path": "../tree"}]}
                           for s in range(args.systems)]}
        (folder / "inventory.yaml").write_text(yaml.safe_dump(inv))
        unit: dict[str, Any] = {"id": uid, "name": f"Đơn vị {u:03d}",
                                "kind": ("so_ban_nganh", "cap_huyen", "cap_xa")[u % 3],
                                "inventories": [f"{uid}/inventory.yaml"]}
        if u % 2 == 0:
            inputs = {"year": 2026, "indicators": {
                "DTI22-P5-C10": {"value": True, "source": {"number": f"{u}/QĐ"}},
                "DTI22-P5-C12": {"numerator": u % 40, "denominator": 40,
                                 "source": {"number": f"{u}/BC"}}},
                "systems": {f"sys-{s:02d}": {"approval": {
                    "status": "approved" if s % 3 else "submitted",
                    **({"decision": {"number": f"{s}/QĐ-UBND"}} if s % 3 else {})}}
                    for s in range(args.systems)}}
            (folder / "inputs-2026.yaml").write_text(yaml.safe_dump(inputs, allow_unicode=True))
            unit["inputs"] = f"{uid}/inputs-{{year}}.yaml"
        if u % 5 == 0:
            shutil.copy(COVERAGE, folder / "coverage.json")
            unit["coverage"] = [f"{uid}/coverage.json"]
        units.append(unit)
        for run, started in ((f"{uid}-2025", "2025-06-01T09:00:00+07:00"),
                             (f"{uid}-2026", "2026-06-01T09:00:00+07:00")):
            record(_doc(u, run, started, args), f"/bench/{run}", str(db))
    org = base / "organisation.yaml"
    org.write_text(yaml.safe_dump({"organisation": {"name": "Tỉnh Bench"}, "units": units},
                                  allow_unicode=True))
    return org, db


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--units", type=int, default=200)
    p.add_argument("--systems", type=int, default=20)
    p.add_argument("--hosts", type=int, default=50)
    p.add_argument("--requirements", type=int, default=30)
    p.add_argument("--findings", type=int, default=10)
    p.add_argument("--keep", default="", help="build into this folder and keep it")
    args = p.parse_args()
    base = Path(args.keep or tempfile.mkdtemp(prefix="attt-bench-org-"))
    base.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        org, db = build(base, args)
        built = time.perf_counter() - t0
        size = os.path.getsize(db) / 2**20
        out = base / "league"
        cmd = [sys.executable, "-c", _WRAPPER, sys.executable, "-m", "attt", "org", "rank",
               str(org), "--year", "2026", "--db", str(db), "-o", str(out)]
        t1 = time.perf_counter()
        rc, rss, cpu = subprocess.run(cmd, capture_output=True, text=True,
                                      check=True).stdout.split()
        wall = time.perf_counter() - t1
        rows = json.loads((out / "league-table.json").read_text())["units"]
        print(f"units={args.units} systems={args.systems} hosts={args.hosts} "
              f"findings/host={args.findings} requirements/system={args.requirements}")
        print(f"history: {size:.0f} MiB, built in {built:.0f} s (not counted)")
        print(f"attt org rank: exit {rc}, {wall:.2f} s wall ({float(cpu):.2f} s CPU), "
              f"peak RSS {int(rss) / 1024:.0f} MiB, {len(rows)} units ranked; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
