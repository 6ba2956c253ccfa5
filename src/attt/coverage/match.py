"""Reconciliation: asset records grouped into machines, console entries matched to them, and
each machine classed (windows-and-scale.md A4).

Matching order, for grouping assets and for finding a console entry's machine:

1. MAC address (the same 48-bit address, whatever its notation);
2. name: short name case-folded (Unicode NFC), domain stripped; two names whose domains are
   both known and differ are two machines (``pc01.so-a.local`` is not ``pc01.so-b.local``);
   a short name that fits several machines matches none by name;
3. IP address, only when both observations fall within ``ip_window`` of each other (an
   address is reused by DHCP) and neither the MACs nor the names contradict.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from ..messages import Msg, T
from .sources import Record, name_key


class Class(StrEnum):
    """What coverage says of a machine (or of a console entry with no machine)."""

    HEALTHY = "protected-healthy"
    STALE = "protected-stale"
    UNPROTECTED = "unprotected"
    CONSOLE_ONLY = "in-console-only"


@dataclass
class Machine:
    """One computer: the asset records that describe it and the console entries for it."""

    records: list[Record] = field(default_factory=list)
    entries: list[Record] = field(default_factory=list)
    macs: set[str] = field(default_factory=set)
    names: set[tuple[str, str]] = field(default_factory=set)
    ips: dict[str, dt.datetime | None] = field(default_factory=dict)

    def add(self, record: Record) -> None:
        """Take ``record``'s identifiers."""

        self.records.append(record)
        self.macs.update(record.macs)
        self.names.update(name_key(n) for n in record.names)
        for ip in record.ips:
            old = self.ips.get(ip)
            if ip not in self.ips or (record.seen is not None and (old is None
                                                                   or record.seen > old)):
                self.ips[ip] = record.seen

    @property
    def label(self) -> str:
        """A name to show: the first record's with a name, else its address."""

        for record in self.records:
            if record.names:
                return record.names[0]
        return self.records[0].label

    @property
    def display(self) -> str:
        """The name to list: a DNS name where one is known (``PC-KETOAN-01`` exists in two
        domains), else the first name, else an address."""

        for record in self.records:
            for name in record.names:
                if "." in name:
                    return name
        return self.label


def _name_score(keys: Iterable[tuple[str, str]], names: Iterable[tuple[str, str]]) -> int:
    """0: different machines by name; 1: same short name, a domain unknown on one side;
    2: same short name and a common domain.  A record's domain is known when any of its
    names has one (AD gives ``PC01`` and ``pc01.so.local``): then it must be shared."""

    keys, names = list(keys), list(names)
    if not {k[0] for k in keys} & {n[0] for n in names}:
        return 0
    mine, theirs = {k[1] for k in keys if k[1]}, {n[1] for n in names if n[1]}
    if mine and theirs:
        return 2 if mine & theirs else 0
    return 1


def _names_conflict(record: Record, machine: Machine) -> bool:
    keys = [name_key(n) for n in record.names]
    return bool(keys and machine.names) and not _name_score(keys, machine.names)


def _mac_conflict(record: Record, machine: Machine) -> bool:
    return bool(record.macs and machine.macs) and not machine.macs & set(record.macs)


class Pool:
    """The machines found so far, indexed by MAC, short name and IP: a record is compared
    with the few machines sharing one of its identifiers, not with all of them (a province
    has thousands of computers)."""

    def __init__(self) -> None:
        self.machines: list[Machine] = []
        self._by_mac: dict[str, Machine] = {}
        self._by_short: dict[str, list[Machine]] = {}
        self._by_ip: dict[str, list[Machine]] = {}

    def add(self, machine: Machine, record: Record) -> None:
        """Put ``record`` into ``machine`` (a new one if not yet pooled) and index it."""

        if not machine.records:
            self.machines.append(machine)
        machine.add(record)
        self.index(machine, record)

    def index(self, machine: Machine, record: Record) -> None:
        """Make ``machine`` findable by ``record``'s identifiers."""

        for mac in record.macs:
            self._by_mac.setdefault(mac, machine)
        for short in {name_key(n)[0] for n in record.names}:
            if machine not in (bucket := self._by_short.setdefault(short, [])):
                bucket.append(machine)
        for ip in record.ips:
            if machine not in (bucket := self._by_ip.setdefault(ip, [])):
                bucket.append(machine)

    def find(self, record: Record, as_of: dt.datetime, window: dt.timedelta
             ) -> Machine | None:
        """The machine ``record`` describes, by MAC, then name, then IP in the window."""

        for mac in record.macs:
            if mac in self._by_mac:
                return self._by_mac[mac]
        keys = [name_key(n) for n in record.names]
        candidates = {id(m): m for k in keys for m in self._by_short.get(k[0], ())}
        scored = []
        for machine in candidates.values():
            score = _name_score(keys, machine.names)
            # Two different MACs and only a short name in common: a name clash is likelier
            # than a second network card, unless the domains agree too.
            if score == 1 and _mac_conflict(record, machine):
                continue
            if score:
                scored.append((score, machine))
        if scored:
            top = max(s for s, _ in scored)
            best = [m for s, m in scored if s == top]
            if len(best) == 1:
                return best[0]
        seen = record.seen or as_of
        for ip in record.ips:
            for machine in self._by_ip.get(ip, ()):
                if _mac_conflict(record, machine) or _names_conflict(record, machine):
                    continue
                if abs(seen - (machine.ips[ip] or as_of)) <= window:
                    return machine
        return None


@dataclass(frozen=True)
class Params:
    """Thresholds of the classification."""

    as_of: dt.datetime
    ip_window: dt.timedelta = dt.timedelta(days=7)
    max_bases_age: int = 7
    max_unseen: int = 14


def group(assets: Iterable[Record], params: Params) -> list[Machine]:
    """Asset records grouped into machines (each record joins the machine it matches)."""

    pool = Pool()
    for record in assets:
        pool.add(pool.find(record, params.as_of, params.ip_window) or Machine(), record)
    return pool.machines


def attach(entries: Iterable[Record], machines: list[Machine], params: Params
           ) -> list[Record]:
    """Console entries attached to their machines; those matching none are returned."""

    pool = Pool()
    for machine in machines:
        pool.machines.append(machine)
        for record in machine.records:
            pool.index(machine, record)
    orphans: list[Record] = []
    for entry in entries:
        found = pool.find(entry, params.as_of, params.ip_window)
        if found is None:
            orphans.append(entry)
        else:
            found.entries.append(entry)
    return orphans


def entry_problems(entry: Record, params: Params) -> list[Msg]:
    """Why a console entry does not show a protected, current machine (empty: healthy)."""

    problems: list[Msg] = list(entry.problems)
    if entry.seen is None:
        problems.append(T("never seen by the console"))
    else:
        days = (params.as_of - entry.seen).days
        if days > params.max_unseen:
            problems.append(T("last seen {date} ({days} days ago, limit {limit})",
                              date=entry.seen.date(), days=days, limit=params.max_unseen))
    if entry.bases is not None:
        days = (params.as_of - entry.bases).days
        if days > params.max_bases_age:
            problems.append(T("bases of {date} ({days} days old, limit {limit})",
                              date=entry.bases.date(), days=days, limit=params.max_bases_age))
    if entry.rtp is False and not any(p.id.startswith(("real-time", "Defender"))
                                      for p in entry.problems):
        problems.append(T("real-time protection off"))
    return problems


def classify(machine: Machine, params: Params) -> tuple[Class, list[tuple[Record, list[Msg]]]]:
    """The machine's class and, per console entry, what is wrong with it."""

    if not machine.entries:
        return Class.UNPROTECTED, []
    found = [(e, entry_problems(e, params)) for e in machine.entries]
    if any(not problems for _, problems in found):
        return Class.HEALTHY, found
    return Class.STALE, found
