"""Where a network daemon shows up on a host: running, listening, installed,
enabled at boot or enabled in inetd/xinetd (:func:`presence` for a :class:`Daemon`).

Live hosts answer from what runs and listens, the package database and the units enabled
at boot; offline trees from the package database, the units enabled at boot and the
inetd/xinetd configuration.  A port alone only counts when the process behind it is the
service itself, a super-server (inetd, xinetd, systemd socket activation) or unknown on a
port that belongs to that service only: tcp/514 is also rsyslog's TCP input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from attt.messages import Msg, T
from attt.registry import ScopedFacts

from .inetd import InetdServices
from .net_local import Listener, Listeners
from .packages import Packages
from .processes import ProcessTable
from .systemd import EnabledUnits

# ---------------------------------------------------------------------------- daemon table

# Processes that listen on behalf of a service they start per connection.
LAUNCHERS = ("inetd", "xinetd", "systemd", "inetutils-inetd")
SUPER_SERVERS: tuple[tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...] = (
    ("xinetd", ("xinetd",), ("xinetd",), ("xinetd.service",)),
    ("openbsd-inetd", ("inetd",), ("openbsd-inetd",), ("inetd.service", "openbsd-inetd.service")),
    ("inetutils-inetd", ("inetutils-inetd", "inetd"), ("inetutils-inetd",),
     ("inetutils-inetd.service",)),
)


@dataclass(frozen=True)
class Daemon:
    """A network daemon: its processes, packages, units, ports and inetd names."""

    label: str
    processes: tuple[str, ...]
    packages: tuple[str, ...]
    units: tuple[str, ...]
    ports: tuple[tuple[str, int], ...]
    inetd_names: tuple[str, ...] = ()
    # Ports another daemon commonly uses (tcp/514: rsyslog imtcp): only a matching process counts.
    shared_ports: tuple[tuple[str, int], ...] = field(default_factory=tuple)


@dataclass
class Presence:
    """Where a daemon shows up on the host."""

    running: list[str] = field(default_factory=list)
    listening: list[Msg] = field(default_factory=list)
    installed: list[str] = field(default_factory=list)
    enabled: list[str] = field(default_factory=list)
    inetd: list[str] = field(default_factory=list)
    notes: list[Msg] = field(default_factory=list)

    def any(self) -> bool:
        """Whether any trace of the daemon was seen."""

        return bool(self.running or self.listening or self.installed or self.enabled
                    or self.inetd)

    def summary(self) -> list[Msg]:
        """What was seen of the daemon, one message per kind of trace."""

        parts = []
        if self.running:
            parts.append(T("running: {names}", names=self.running))
        if self.listening:
            parts.append(T("listening: {sockets}", sockets=self.listening))
        if self.enabled:
            parts.append(T("enabled at boot: {units}", units=self.enabled))
        if self.inetd:
            parts.append(T("enabled in inetd/xinetd: {services}", services=self.inetd))
        if self.installed:
            parts.append(T("package installed: {packages}", packages=self.installed))
        return parts

    def observed(self) -> dict[str, Any]:
        """What was seen of the daemon, as a finding's observed value (English data)."""

        return {"running": self.running, "listening": [str(m) for m in self.listening],
                "enabled_at_boot": self.enabled, "inetd": self.inetd,
                "installed": self.installed, "notes": [str(m) for m in self.notes]}


def describe(s: Listener) -> Msg:
    """``tcp/23 on 0.0.0.0 (inetd)`` in the report's language."""

    if s.programs:
        return T("{proto}/{port} on {address} ({programs})", proto=s.proto, port=s.port,
                 address=s.address, programs=list(s.programs))
    return T("{proto}/{port} on {address} (process unknown)", proto=s.proto, port=s.port,
             address=s.address)


def _optional(facts: ScopedFacts, name: str, notes: list[Msg]) -> Any:
    if facts.has(name):
        return facts.get(name)
    sec = facts.section(name)
    reason = (sec.reason or sec.state) if sec is not None else T("not collected")
    notes.append(T("{fact} unavailable ({reason})", fact=name, reason=reason))
    return None


def super_server_present(facts: ScopedFacts, notes: list[Msg]) -> list[Msg]:
    """Super-servers (xinetd, inetd) that are running (live) or installed/enabled (offline)."""

    units: EnabledUnits = facts.get("systemd_enabled")
    pkgs: Packages | None = _optional(facts, "packages", notes)
    procs: ProcessTable | None = facts.get("processes") if facts.mode == "live" else None
    found = []
    for label, proc_names, pkg_names, unit_names in SUPER_SERVERS:
        if procs is not None and procs.find(proc_names):
            found.append(T("{name} (running)", name=label))
        elif any(units.enabled(u) for u in unit_names):
            found.append(T("{name} (enabled at boot)", name=label))
        elif pkgs is not None and any(pkgs.version(p) is not None for p in pkg_names):
            found.append(T("{name} (installed)", name=label))
    return found


def presence(facts: ScopedFacts, d: Daemon) -> Presence:
    """Raises MissingFact when the facts that decide cannot be had."""

    p = Presence()
    units: EnabledUnits = facts.get("systemd_enabled")
    pkgs: Packages | None = _optional(facts, "packages", p.notes)
    if facts.mode == "live":
        procs: ProcessTable = facts.get("processes")
        p.running = procs.find(d.processes)
        socks: Listeners | None = _optional(facts, "listening_sockets", p.notes)
        if socks is None and pkgs is None:
            # Processes alone miss an inetd-launched daemon between connections.
            facts.get("listening_sockets")
        if socks is not None:
            for s in socks.sockets:
                if (s.proto, s.port) not in d.ports:
                    continue
                if s.programs:
                    if any(x in d.processes or x in LAUNCHERS for x in s.programs):
                        p.listening.append(describe(s))
                    else:
                        p.notes.append(T("{socket} belongs to another program",
                                         socket=describe(s)))
                elif (s.proto, s.port) not in d.shared_ports:
                    p.listening.append(describe(s))
                else:
                    p.notes.append(T("{socket}: owner not shown, port shared with syslog",
                                     socket=describe(s)))
    if pkgs is not None:
        p.installed = [f"{n} {pkgs.version(n)}" for n in d.packages if pkgs.version(n) is not None]
        if pkgs.manager == "none":
            # The only source of a "none" database (packages.py), said in the report's language.
            p.notes.append(T("no /var/lib/dpkg/status (RPM databases are not read offline)"))
    p.enabled = [u for u in d.units if units.enabled(u)]
    inetd: InetdServices = facts.get("inetd_services")
    hits = [f"{n} ({inetd.enabled[n]})" for n in d.inetd_names if n in inetd.enabled]
    if hits:
        servers = super_server_present(facts, p.notes)
        if servers:
            p.inetd = hits
        else:
            p.notes.append(T("inetd entries {entries} ignored: no inetd/xinetd present",
                             entries=hits))
    return p
