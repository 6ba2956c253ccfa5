"""Small organisations, inputs files and results documents for the org tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from attt.history import record

SSH_GOOD = "PermitRootLogin no\nPasswordAuthentication no\n"
SSH_BAD = "PermitRootLogin yes\nPasswordAuthentication yes\n"


def tree(root: Path, sshd: str = SSH_GOOD) -> Path:
    """A tiny dir: host."""

    (root / "etc/ssh").mkdir(parents=True, exist_ok=True)
    (root / "etc/ssh/sshd_config").write_text(sshd)
    (root / "etc/login.defs").write_text("PASS_MAX_DAYS 90\nPASS_MIN_LEN 12\n")
    return root


def inventory(path: Path, systems: Mapping[str, Sequence[str]], level: int = 2) -> Path:
    """An inventory of dir: hosts (system name -> host tree paths, relative to the file)."""

    data = {"systems": [
        {"name": name, "level": level,
         "hosts": [{"name": f"h{i}", "transport": "dir", "path": str(p)}
                   for i, p in enumerate(paths)]}
        for name, paths in systems.items()]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


def write_yaml(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return path


def organisation(path: Path, units: list[dict[str, Any]], **top: Any) -> Path:
    data: dict[str, Any] = {
        "organisation": {"name": "Ủy ban nhân dân tỉnh Ví Dụ", "regime": "nd85-tt12",
                         "owner": {"name": "UBND tỉnh Ví Dụ"},
                         "security_unit": {"name": "Sở Khoa học và Công nghệ"}},
        **top,
        "units": units,
    }
    return write_yaml(path, data)


def results(
    run_id: str,
    started: str,
    unit: str | None,
    systems: Mapping[str, Mapping[str, Any]],
    interrupted: bool = False,
    inventory: str = "inv.yaml",
) -> dict[str, Any]:
    """A small results document as `record()` reads it.

    ``systems``: name -> {score, requirements: [(id, status, severity, layer)],
    hosts: [(name, state)], findings: [(host, requirement, check, status)]}.
    """

    rows = []
    for name, s in systems.items():
        reqs = []
        for rid, status, severity, layer in s.get("requirements", []):
            findings = [{"system": name, "host": h, "requirement": r, "check": c,
                         "status": st, "params": {}, "evidence": {}, "message": ""}
                        for h, r, c, st in s.get("findings", []) if r == rid]
            reqs.append({"id": rid, "status": status, "severity": severity, "layer": layer,
                         "findings": findings})
        rows.append({
            "name": name, "profile": {"id": "nd85-tt12-level2"}, "level": 2,
            "score": {"percent": s.get("score", 50.0), "grade": s.get("grade", "C")},
            "verdict": {"ok": s.get("ok", False)},
            "hosts": [{"name": h, "state": st} for h, st in s.get("hosts", [("h0", "ok")])],
            "requirements": reqs,
        })
    run: dict[str, Any] = {"id": run_id, "started": started, "finished": started,
                           "inventory": inventory, "interrupted": interrupted,
                           "hosts_total": 1, "hosts_scanned": 1}
    if unit is not None:
        run["unit"] = unit
    return {"tool": {"name": "attt", "version": "test"}, "run": run,
            "summary": {"exit_code": 1, "verdict": "non_compliant",
                        "score": {"percent": 50.0, "grade": "C"}},
            "systems": rows}


def store(db: Path, doc: dict[str, Any], out_dir: str = "") -> int:
    return record(doc, out_dir or f"/runs/{doc['run']['id']}", str(db))
