"""Installed packages: the ``packages`` probe (dpkg-query or rpm live, the dpkg
status file offline) and :class:`Packages`, which answers whether a package is installed
and at which version.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from attt.messages import T
from attt.registry import FactParseError, Section, probe


@dataclass(frozen=True)
class Packages:
    """Installed packages and their versions, from dpkg or rpm (``manager`` none: no database)."""

    manager: str  # dpkg | rpm | none
    installed: Mapping[str, str] = field(default_factory=dict)  # name -> version
    source: str = ""

    def version(self, name: str) -> str | None:
        """The installed version of a package, None if not installed."""

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
                raise FactParseError(T("not a dpkg status line: {line}", line=repr(line[:60])))
            fields[key.strip().lower()] = value.strip()
        if not fields:
            continue
        if "package" not in fields:
            raise FactParseError(T("dpkg status stanza without a Package field"))
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
    """The ``packages`` probe's output parsed (installed packages)."""

    if section.files or not section.text.strip():
        # Offline tree (or a live files read): only the dpkg database is plain text.
        if "/var/lib/dpkg/status" in section.files:
            status = section.files["/var/lib/dpkg/status"]
            return _parse_dpkg_status(status, "/var/lib/dpkg/status")
        return Packages("none", {}, "no /var/lib/dpkg/status (RPM databases are not read offline)")
    lines = section.text.splitlines()
    if not lines or not lines[0].startswith("manager "):
        raise FactParseError(T("package listing without its 'manager' header"))
    manager = lines[0].split()[1]
    if manager not in ("dpkg", "rpm"):
        raise FactParseError(T("unknown package manager {manager}", manager=repr(manager)))
    installed: dict[str, str] = {}
    for line in lines[1:]:
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 3 or len(parts[0]) != 3:
            raise FactParseError(T("not a package line: {line}", line=repr(line[:60])))
        # db:Status-Abbrev: desired, status, error flag; status 'i' means installed.
        if parts[0][1] == "i":
            installed[parts[1]] = parts[2]
    return Packages(manager, installed, "dpkg-query -W" if manager == "dpkg" else "rpm -qa")
