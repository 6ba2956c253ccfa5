"""The coverage result: the headline figure, the lists, and a JSON document with the export
files' SHA-256 and modification times as evidence."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .. import safe_io
from ..messages import Msg, T, both, render
from .match import Class, Machine, Params, attach, classify, entry_problems, group
from .sources import MAX_BYTES, Loaded, Record

SCHEMA = "attt.coverage/1"


@dataclass(frozen=True)
class Coverage:
    """The reconciliation of the asset files with the console exports."""

    params: Params
    machines: tuple[tuple[Machine, Class, tuple[tuple[Record, tuple[Msg, ...]], ...]], ...]
    orphans: tuple[tuple[Record, tuple[Msg, ...]], ...]
    assets: tuple[Loaded, ...]
    consoles: tuple[Loaded, ...]

    def count(self, cls: Class) -> int:
        """How many machines are in ``cls``."""

        return sum(1 for _, c, _ in self.machines if c is cls)

    @property
    def total(self) -> int:
        """The denominator: every machine of the asset sources."""

        return len(self.machines)

    @property
    def healthy(self) -> int:
        """Machines protected by a console entry that is current."""

        return self.count(Class.HEALTHY)

    @property
    def complete(self) -> bool:
        """Whether every computer is protected and healthy."""

        return self.total > 0 and self.healthy == self.total

    def headline(self) -> Msg:
        """``Protected computers: 108/112 (96.4 %)``."""

        percent = round(100.0 * self.healthy / self.total, 1) if self.total else 0.0
        return T("Protected computers: {healthy}/{total} ({percent} %)",
                 healthy=self.healthy, total=self.total, percent=percent)


def reconcile(assets: Sequence[Loaded], consoles: Sequence[Loaded], params: Params) -> Coverage:
    """Group the assets, attach the console entries, class every machine."""

    machines = group((r for loaded in assets for r in loaded.records), params)
    orphans = attach((r for loaded in consoles for r in loaded.records), machines, params)
    classed = []
    for machine in machines:
        cls, found = classify(machine, params)
        classed.append((machine, cls, tuple((e, tuple(p)) for e, p in found)))
    return Coverage(params, tuple(classed),
                    tuple((o, tuple(entry_problems(o, params))) for o in orphans),
                    tuple(assets), tuple(consoles))


def _ident(machine: Machine) -> str:
    parts = [machine.display, *sorted(machine.ips), *sorted(machine.macs)]
    return "  ".join(dict.fromkeys(parts))


def _origin(record: Record) -> Msg:
    line = re.fullmatch(r"line (\d+)", record.where)
    if line:
        return T("{file} line {line}", file=os.path.basename(record.source),
                 line=int(line.group(1)))
    return T("{file} {where}", file=os.path.basename(record.source), where=record.where)


def lines(cov: Coverage) -> list[str | Msg]:
    """What ``attt coverage`` prints (messages rendered by the caller's language)."""

    out: list[str | Msg] = [cov.headline(), T(
        "protected and current: {healthy}; protected but stale: {stale}; unprotected: "
        "{unprotected}; in a console only: {orphans}", healthy=cov.healthy,
        stale=cov.count(Class.STALE), unprotected=cov.count(Class.UNPROTECTED),
        orphans=len(cov.orphans))]
    unprotected = [m for m, c, _ in cov.machines if c is Class.UNPROTECTED]
    if unprotected:
        out.append(T("Unprotected (in no console export):"))
        for machine in sorted(unprotected, key=lambda m: m.display.casefold()):
            out.append(T("  - {machine} (from {origins})", machine=_ident(machine),
                         origins=[_origin(r) for r in machine.records]))
    stale = [(m, f) for m, c, f in cov.machines if c is Class.STALE]
    if stale:
        out.append(T("Protected but stale:"))
        for machine, found in sorted(stale, key=lambda x: x[0].display.casefold()):
            why = [T("{console}: {problems}", console=e.kind, problems=list(p))
                   for e, p in found]
            out.append(T("  - {machine}: {why}", machine=_ident(machine), why=why))
    if cov.orphans:
        out.append(T("In a console only (no asset source knows them: retire the entry or add "
                     "the machine to the inventory):"))
        for entry, _problems in sorted(cov.orphans, key=lambda x: x[0].label.casefold()):
            out.append(T("  - {machine} ({origin})", machine=entry.label, origin=_origin(entry)))
    for loaded in cov.assets:
        if loaded.left_out:
            out.append(T("{file}: {count} entries left out (DHCP leases ended before the IP "
                         "window, declined addresses, disabled or long unused computer accounts)",
                         file=loaded.path, count=loaded.left_out))
    return out


def _time(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _evidence(loaded: Loaded) -> dict[str, Any]:
    found = safe_io.digest(loaded.path, MAX_BYTES)
    try:
        mtime: str | None = dt.datetime.fromtimestamp(os.stat(loaded.path).st_mtime,
                                                      dt.UTC).isoformat()
    except OSError:
        mtime = None
    return {"file": loaded.path, "kind": loaded.kind, "entries": len(loaded.records),
            "left_out": loaded.left_out, "sha256": found[0] if found else None,
            "size": found[1] if found else None, "mtime": mtime}


def _entry(record: Record, problems: Sequence[Msg]) -> dict[str, Any]:
    return {"file": record.source, "where": record.where, "console": record.kind,
            "names": list(record.names), "ips": list(record.ips), "macs": list(record.macs),
            "last_seen": _time(record.seen), "bases": _time(record.bases), "rtp": record.rtp,
            "problems": {lang: [render(p, lang) for p in problems] for lang in ("en", "vi")}}


def to_json(cov: Coverage) -> dict[str, Any]:
    """The document ``--json`` prints and ``-o`` writes."""

    p = cov.params
    return {
        "schema": SCHEMA,
        "as_of": p.as_of.isoformat(),
        "parameters": {"ip_window_days": p.ip_window.days, "max_bases_age": p.max_bases_age,
                       "max_unseen": p.max_unseen},
        "summary": {"total": cov.total, "healthy": cov.healthy,
                    "stale": cov.count(Class.STALE),
                    "unprotected": cov.count(Class.UNPROTECTED),
                    "in_console_only": len(cov.orphans),
                    "percent": round(100.0 * cov.healthy / cov.total, 1) if cov.total else 0.0,
                    "line": both(cov.headline())},
        "machines": [
            {"name": m.display, "class": str(c), "ips": sorted(m.ips), "macs": sorted(m.macs),
             "sources": [{"file": r.source, "kind": r.kind, "where": r.where,
                          "names": list(r.names)} for r in m.records],
             "consoles": [_entry(e, problems) for e, problems in found]}
            for m, c, found in cov.machines],
        "in_console_only": [_entry(e, problems) for e, problems in cov.orphans],
        "evidence": [_evidence(loaded) for loaded in (*cov.assets, *cov.consoles)],
    }
