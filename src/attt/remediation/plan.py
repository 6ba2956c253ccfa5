"""From a run folder to a remediation plan: the automatic fixes, grouped by the hosts that
share them, and the failing checks left to a person (a decision needed, or no fix known).

Only ``fail`` findings are remediated: ``error`` means the check could not look, ``waived``
that the agency accepted the gap, and neither is a reason to change a host.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError
from ..messages import T
from ..results_file import read_results
from .actions import Action
from .catalog import FIXES, HUMAN
from .model import Fix


@dataclass
class Task:
    """One fix as filled for a group of hosts (same check, same values)."""

    fix: Fix
    actions: tuple[Action, ...]
    hosts: list[str] = field(default_factory=list)
    requirements: list[str] = field(default_factory=list)


@dataclass
class Listed:
    """A failing check left to a person on some hosts, with the reason in both languages."""

    check: str
    reason_vi: str
    reason_en: str
    hosts: list[str] = field(default_factory=list)
    requirements: list[str] = field(default_factory=list)


@dataclass
class Plan:
    """What ``attt remediate`` writes: fixes, and what it leaves to a person."""

    run: str
    tasks: list[Task]
    human: list[Listed]  # a decision is needed
    unsupported: list[Listed]  # attt knows no automatic fix


def host_context(results: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Values a fix may need beyond its check's parameters, from the host's other findings:
    the SSH ports the firewall must keep open."""

    ports: list[Any] = [22]
    for r in results:
        if r.get("check") == "ssh.non_default_port":
            observed = (r.get("evidence") or {}).get("observed") or {}
            ports = list(observed.get("ports") or ports)
    return {"ssh_ports": ", ".join(str(p) for p in ports)}


def _add(items: dict[tuple[Any, ...], Any], key: tuple[Any, ...], new: Any, host: str,
         requirements: Sequence[str]) -> None:
    item = items.setdefault(key, new)
    if host not in item.hosts:
        item.hosts.append(host)
    item.requirements.extend(r for r in requirements if r not in item.requirements)


def build_plan(run_dir: str, hosts: Sequence[str] = (), systems: Sequence[str] = ()) -> Plan:
    """The plan for the failing findings of ``run_dir`` (hosts and systems filtered by
    shell-style patterns when given)."""

    path = os.path.join(run_dir, "results.json")
    if not os.path.isfile(path):
        raise InputError(run_dir, "results.json",
                         T("no results.json in this folder: give the folder of a scan run"))
    doc = read_results(path)
    tasks: dict[tuple[Any, ...], Task] = {}
    human: dict[tuple[Any, ...], Listed] = {}
    unsupported: dict[tuple[Any, ...], Listed] = {}
    for entry in doc.entries():
        host, system = entry["host"], entry["system"]
        if hosts and not any(fnmatch.fnmatchcase(host, p) for p in hosts):
            continue
        if systems and not any(fnmatch.fnmatchcase(system, p) for p in systems):
            continue
        results = entry["results"]
        context = host_context(results)
        for r in results:
            if r.get("status") != "fail":
                continue
            check, reqs = str(r["check"]), [str(x) for x in r.get("requirements") or ()]
            evidence = r.get("evidence") or {}
            fix = FIXES.get(check)
            if fix is None:
                h = HUMAN.get(check)
                if h is not None:
                    _add(human, (check,), Listed(check, h.reason_vi, h.reason_en), host, reqs)
                else:
                    _add(unsupported, (check,), Listed(
                        check, "attt chưa có cách khắc phục tự động cho kiểm tra này",
                        "attt has no automatic fix for this check"), host, reqs)
                continue
            blocked = fix.blocked_by(evidence)
            if blocked is not None:
                _add(human, (check, blocked.reason_en),
                     Listed(check, blocked.reason_vi, blocked.reason_en), host, reqs)
                continue
            try:
                actions = fix.fill({**(r.get("params") or {}), **context})
            except (KeyError, ValueError, TypeError):
                _add(unsupported, (check, "params"), Listed(
                    check, "kết quả thiếu tham số mà bản sửa cần",
                    "the finding lacks a parameter the fix needs"), host, reqs)
                continue
            _add(tasks, (check, actions), Task(fix, actions), host, reqs)
    return Plan(path, list(tasks.values()), list(human.values()), list(unsupported.values()))


__all__ = ["Listed", "Plan", "Task", "build_plan", "host_context"]
