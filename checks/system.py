"""Shared probes: running processes, installed packages, units enabled at boot.

Several families (antivirus, time synchronisation, remote logging, firewall) ask the same
questions: is this daemon running, is this package installed, will this service start at
boot.  The probes live here once; the helpers below answer those questions from their facts.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from attt.registry import Section, probe

# procps pads the comm column to 15 characters (TASK_COMM_LEN - 1) before the args column.
_COMM_WIDTH = 15


@dataclass(frozen=True)
class Process:
    comm: str  # kernel task name, truncated to 15 characters
    args: str  # full command line as ps shows it

    @property
    def exe(self) -> str:
        """Basename of argv[0] (daemons that rewrite argv[0] keep their name before ':')."""

        if not self.args or self.args.startswith("["):
            return self.comm
        first = self.args.split(None, 1)[0].rstrip(":")
        return posixpath.basename(first)

    def matches(self, name: str) -> bool:
        if name == self.exe:
            return True
        # comm is truncated: only a name that fits can be compared with it.
        return len(name) <= _COMM_WIDTH and name == self.comm


@dataclass(frozen=True)
class ProcessTable:
    processes: tuple[Process, ...]

    def running(self, name: str) -> bool:
        return any(p.matches(name) for p in self.processes)

    def find(self, names: Iterable[str]) -> list[str]:
        """The names among ``names`` that have at least one running process."""

        return [n for n in names if self.running(n)]


@probe(
    "processes",
    command="ps -e -o comm= -o args=",
    description="running processes: task name and command line (procps format)",
)
def parse_processes(section: Section) -> ProcessTable:
    procs: list[Process] = []
    for line in section.text.splitlines():
        if not line.strip():
            continue
        if len(line) > _COMM_WIDTH and line[_COMM_WIDTH] == " ":
            comm, args = line[:_COMM_WIDTH].rstrip(), line[_COMM_WIDTH + 1 :].strip()
        else:
            # Other ps implementations do not pad: fall back to the first word.
            parts = line.split(None, 1)
            comm, args = parts[0], parts[1].strip() if len(parts) > 1 else ""
        if not comm or "\x00" in line:
            raise ValueError(f"not a ps line: {line[:60]!r}")
        procs.append(Process(comm, args))
    if not procs:
        # Every system has at least init and the collector's own shell.
        raise ValueError("empty process list")
    return ProcessTable(tuple(procs))


@dataclass(frozen=True)
class Packages:
    manager: str  # dpkg | rpm | none
    installed: Mapping[str, str] = field(default_factory=dict)  # name -> version
    source: str = ""

    def version(self, name: str) -> str | None:
        return self.installed.get(name)


_DPKG_INSTALLED = ("installed", "half-configured", "triggers-awaited", "triggers-pending")


def _parse_dpkg_status(text: str, source: str) -> Packages:
    installed: dict[str, str] = {}
    for stanza in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        for line in stanza.splitlines():
            if not line or line[0] in " \t":
                continue
            key, sep, value = line.partition(":")
            if not sep:
                raise ValueError(f"not a dpkg status line: {line[:60]!r}")
            fields[key.strip().lower()] = value.strip()
        if not fields:
            continue
        if "package" not in fields:
            raise ValueError("dpkg status stanza without a Package field")
        status = fields.get("status", "").split()
        if len(status) == 3 and status[2] in _DPKG_INSTALLED:
            installed[fields["package"]] = fields.get("version", "")
    return Packages("dpkg", installed, source)


@probe(
    "packages",
    command=(
        "if command -v dpkg-query >/dev/null; then echo 'manager dpkg'; "
        "dpkg-query -W -f='${db:Status-Abbrev}\\t${Package}\\t${Version}\\n'; "
        "elif command -v rpm >/dev/null; then echo 'manager rpm'; "
        "rpm -qa --qf 'ii \\t%{NAME}\\t%{VERSION}-%{RELEASE}\\n'; "
        "else exit 127; fi"
    ),
    files=("/var/lib/dpkg/status",),
    description="installed packages (dpkg-query or rpm on live hosts; dpkg status file offline)",
)
def parse_packages(section: Section) -> Packages:
    if section.files or not section.text.strip():
        # Offline tree (or a live files read): only the dpkg database is plain text.
        if "/var/lib/dpkg/status" in section.files:
            status = section.files["/var/lib/dpkg/status"]
            return _parse_dpkg_status(status, "/var/lib/dpkg/status")
        return Packages("none", {}, "no /var/lib/dpkg/status (RPM databases are not read offline)")
    lines = section.text.splitlines()
    if not lines or not lines[0].startswith("manager "):
        raise ValueError("package listing without its 'manager' header")
    manager = lines[0].split()[1]
    if manager not in ("dpkg", "rpm"):
        raise ValueError(f"unknown package manager {manager!r}")
    installed: dict[str, str] = {}
    for line in lines[1:]:
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 3 or len(parts[0]) != 3:
            raise ValueError(f"not a package line: {line[:60]!r}")
        # db:Status-Abbrev: desired, status, error flag; status 'i' means installed.
        if parts[0][1] == "i":
            installed[parts[1]] = parts[2]
    return Packages(manager, installed, "dpkg-query -W" if manager == "dpkg" else "rpm -qa")


@dataclass(frozen=True)
class EnabledUnits:
    systemd: bool  # saw evidence of systemd in the tree
    units: Mapping[str, str]  # unit name -> the wants/ directory that enables it

    def enabled(self, unit: str) -> bool:
        if unit in self.units:
            return True
        # Template instances such as clamd@scan.service enable the template.
        return unit.endswith("@.service") and any(
            u.startswith(unit[: -len(".service")]) for u in self.units
        )


_WANTS_DIRS = (
    "/etc/systemd/system/multi-user.target.wants",
    "/etc/systemd/system/sysinit.target.wants",
    "/etc/systemd/system/network-online.target.wants",
    "/etc/systemd/system/graphical.target.wants",
    "/etc/systemd/system/default.target.wants",
    "/etc/systemd/system/sockets.target.wants",
    "/etc/systemd/system/timers.target.wants",
)
_SYSTEMD_MARKERS = ("/etc/systemd/system.conf", "/usr/lib/systemd/system.conf")


@probe(
    "systemd_enabled",
    files=tuple(f"{d}/*" for d in _WANTS_DIRS) + _SYSTEMD_MARKERS,
    description="units enabled at boot (symlinks in /etc/systemd/system/*.target.wants)",
)
def parse_systemd_enabled(section: Section) -> EnabledUnits:
    units: dict[str, str] = {}
    systemd = False
    for path in section.files:
        parent, name = posixpath.split(path)
        if path in _SYSTEMD_MARKERS:
            systemd = True
        elif parent in _WANTS_DIRS:
            systemd = True
            units.setdefault(name, posixpath.basename(parent))
    return EnabledUnits(systemd, units)


def glob_regex(pattern: str) -> re.Pattern[str]:
    """glob(3) semantics: '*' and '?' do not cross '/'; bracket expressions kept."""

    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[" and (end := pattern.find("]", i + 2)) > 0:
            body = pattern[i + 1 : end]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
            i = end
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out))


# ------------------------------------------------- agents and products declared by the agency


@dataclass(frozen=True)
class Agent:
    name: str
    processes: tuple[str, ...] = ()
    packages: tuple[str, ...] = ()
    services: tuple[str, ...] = ()


def names_param(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, Sequence) or isinstance(value, str) or not all(
            isinstance(v, str) and v for v in value):
        raise ValueError(f"{where} must be a list of names")
    return tuple(value)


def agents_param(value: Any, param: str) -> tuple[Agent, ...]:
    """A list of {name, processes, packages, services} from a profile or tailoring."""

    if value is None:
        return ()
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise ValueError(f"{param} must be a list")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
            raise ValueError(f"{param}[{i}] needs a 'name'")
        agent = Agent(item["name"], names_param(item.get("processes"), f"{param}[{i}].processes"),
                      names_param(item.get("packages"), f"{param}[{i}].packages"),
                      names_param(item.get("services"), f"{param}[{i}].services"))
        if not (agent.processes or agent.packages or agent.services):
            raise ValueError(f"{param}[{i}] names no process, package or service")
        out.append(agent)
    return tuple(out)
