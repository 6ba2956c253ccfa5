"""``attt org scan``: every unit's inventories scanned and recorded with the unit.

One run per inventory, into ``DIR/<unit>/<inventory stem>/``; a unit that fails (a bad
inventory, an unreachable database) is reported and the others go on.  The exit code is
the worst of the runs (interrupted first, then usage/input errors, incomplete, non-compliant).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace

from ..errors import AtttError, ExitStatus
from ..messages import Msg
from ..scan import ScanOptions, ScanResult, run_scan
from .organisation import Organisation, Unit

# Worse first: the exit code of several runs is the first of these any run has.
_SEVERITY = (int(ExitStatus.INTERRUPTED), int(ExitStatus.USAGE), int(ExitStatus.INCOMPLETE),
             int(ExitStatus.NON_COMPLIANT), int(ExitStatus.COMPLIANT))


@dataclass(frozen=True)
class UnitRun:
    """One inventory of one unit: where it went and how it ended."""

    unit: Unit
    inventory: str
    out_dir: str
    exit_code: int
    score: float | None = None
    grade: str = ""
    error: str | Msg = ""


def worst(codes: list[int]) -> int:
    """The exit code that stands for a set of runs (0 when there was none)."""

    for code in _SEVERITY:
        if code in codes:
            return code
    return max(codes, default=0)


def out_dir_of(base: str, unit: Unit, inventory: str, taken: set[str]) -> str:
    """``base/<unit>/<inventory stem>``, made unique when two inventories share a stem."""

    stem = os.path.splitext(os.path.basename(inventory))[0] or "inventory"
    path = os.path.join(base, unit.id, stem)
    n = 2
    while path in taken:  # bounded by the number of inventories of the unit
        path = os.path.join(base, unit.id, f"{stem}-{n}")
        n += 1
    taken.add(path)
    return path


def scan_units(
    org: Organisation,
    units: tuple[Unit, ...],
    base: str,
    template: ScanOptions,
    after_run: Callable[[ScanResult], None] = lambda result: None,
) -> list[UnitRun]:
    """Scan every inventory of ``units`` with the options of ``template``."""

    out: list[UnitRun] = []
    taken: set[str] = set()
    for unit in units:
        for inventory in unit.inventories:
            folder = out_dir_of(base, unit, inventory, taken)
            opts = replace(template, inventory=inventory, target="", out=folder, unit=unit.id)
            try:
                result = run_scan(opts)
                after_run(result)
            except AtttError as exc:
                out.append(UnitRun(unit, inventory, folder, int(exc.exit_status),
                                   error=exc.message))
                continue
            score = result.document["summary"].get("score") or {}
            out.append(UnitRun(unit, inventory, result.out_dir, result.exit_code,
                               score.get("percent"), str(score.get("grade") or "")))
            if result.interrupted:
                return out  # Ctrl-C stops the whole organisation, not only this unit
    return out
