"""Units enabled at boot: the ``systemd_enabled`` probe (symlinks in
/etc/systemd/system/*.target.wants) and :class:`EnabledUnits`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass

from attt.registry import Section, probe


@dataclass(frozen=True)
class EnabledUnits:
    """Units enabled at boot (``systemd``: the tree shows systemd at all)."""

    systemd: bool  # saw evidence of systemd in the tree
    units: Mapping[str, str]  # unit name -> the wants/ directory that enables it

    def enabled(self, unit: str) -> bool:
        """Whether the unit (or an instance of its template) is enabled."""

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
    """The ``systemd_enabled`` probe's output parsed (units enabled at boot)."""

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
