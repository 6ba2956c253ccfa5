"""Package updates: pending security updates and the package history.

Pending security updates are read from the host's own package index, never refreshed: apt
simulates a full upgrade (``apt-get -s dist-upgrade``, which also shows kernel updates that
plain ``upgrade`` keeps back) and dnf/yum list security advisories from the cache only
(``-C``).  Nothing contacts a mirror, so the answer is only as fresh as the index; the index
age is reported and a stale index fails.  Offline trees cannot be evaluated: the simulation
needs the package manager's resolver and the index (often lz4-compressed) of the imaged host.

The last update age is the newest install/upgrade event in dpkg.log, dnf.rpm.log or the rpm
database, compared with the host's clock (the ``clock_now`` probe, so checks stay pure).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from attt.messages import T
from attt.registry import FactParseError, Section, probe

# ---------------------------------------------------------------------------- pending updates


@dataclass(frozen=True)
class Pending:
    """Pending updates from the package manager's own index, never refreshed."""

    manager: str  # apt | dnf | yum
    security: tuple[str, ...]  # "package old -> new (origin)" or "advisory severity package"
    other: int  # non-security updates (apt only)
    index_time: int | None  # newest package index refresh seen (epoch), None if unknown
    index_files: int


_APT_INST = re.compile(r"^Inst (\S+) (?:\[([^\]]*)\] )?\((\S+) (.*) \[[^\]]+\]\)(?: \[.*\])?$")
# `apt list --upgradable`: name/suite[,suite...] new-version arch [upgradable from: old]
_APT_LIST = re.compile(r"^([^/\s]+)/(\S+) (\S+) \S+ \[upgradable from: ([^\]]+)\]$")


def _apt(lines: list[str]) -> tuple[list[str], int]:
    security: list[str] = []
    other = 0
    for line in lines:
        if line.startswith("E: "):
            raise FactParseError(T("apt-get failed: {line}", line=repr(line[:80])))
        listed = _APT_LIST.match(line)
        m = _APT_INST.match(line)
        if listed:
            name, origins, new, old = (listed.group(1), listed.group(2).split(","),
                                       listed.group(3), listed.group(4))
        elif m:
            name, origins, new, old = (m.group(1), m.group(4).split(","), m.group(3),
                                       m.group(2) or "new")
        else:
            continue
        sec = [o.strip() for o in origins if "security" in o.lower()]
        if sec:
            security.append(f"{name} {old} -> {new} ({sec[0]})")
        else:
            other += 1
    return security, other


_DNF_LINE = re.compile(r"^(\S+)\s+(\S+/Sec\.|\S*[Ss]ecurity\S*)\s+(\S+)$")


def _dnf(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        m = _DNF_LINE.match(line.strip())
        if m:
            out.append(f"{m.group(3)} ({m.group(1)}, {m.group(2)})")
        elif line.strip() and not line.startswith(("updateinfo list done", "Loaded plugins",
                                                   "Last metadata")):
            raise FactParseError(T("not an updateinfo line: {line}", line=repr(line[:80])))
    return out


@probe(
    "pending_updates",
    command=(
        "if command -v apt-get >/dev/null; then echo 'manager apt'; "
        "for f in /var/lib/apt/lists/*Release /var/lib/apt/periodic/update-success-stamp "
        "/var/cache/apt/pkgcache.bin; do [ -f \"$f\" ] && echo \"index $(stat -c %Y \"$f\") $f\"; "
        # `apt list --upgradable` reads the same local index as `apt-get -s dist-upgrade`
        # without running the upgrade solver: about 3x cheaper, on every host of a fleet.
        "done; apt list --upgradable 2>&1 | grep -E '^(E: |[^ /]+/[^ ]+ [^ ]+ [^ ]+ "
        "\\[upgradable from)' | head -n 5000; echo \"status $?\"; "
        "elif command -v dnf >/dev/null || command -v yum >/dev/null; then "
        "m=dnf; command -v dnf >/dev/null || m=yum; echo \"manager $m\"; "
        "for f in /var/cache/dnf/*/repodata/repomd.xml /var/cache/yum/*/*/*/repomd.xml; do "
        "[ -f \"$f\" ] && echo \"index $(stat -c %Y \"$f\") $f\"; done; "
        "if [ $m = dnf ]; then dnf -q -C updateinfo list --security >\"$1/u\" 2>&1; "
        "else yum -q -C updateinfo list security >\"$1/u\" 2>&1; fi; s=$?; "
        "head -n 5000 \"$1/u\"; echo \"status $s\"; "
        "else exit 127; fi"
    ),
    description="security updates pending in the local package index (no refresh, no network)",
)
def parse_pending_updates(section: Section) -> Pending:
    """The ``pending_updates`` probe's output parsed."""

    lines = section.text.splitlines()
    if not lines or not lines[0].startswith("manager "):
        raise FactParseError(T("update listing without its 'manager' header"))
    manager = lines[0].split()[1]
    if manager not in ("apt", "dnf", "yum"):
        raise FactParseError(T("unknown package manager {manager}", manager=repr(manager)))
    index: list[int] = []
    body: list[str] = []
    status: int | None = None
    for line in lines[1:]:
        if line.startswith("index "):
            index.append(int(line.split()[1]))
        elif line.startswith("status ") and line.split()[1].isdigit():
            status = int(line.split()[1])
        else:
            body.append(line)
    if status is None:
        raise FactParseError(T("update listing without its exit status (cut short?)"))
    if manager == "apt":
        # The status is grep's: 0 some line, 1 none; apt-get's own errors show as 'E: ' lines.
        security, other = _apt(body)
    else:
        if status != 0:
            first = next((b for b in body if b.strip()), "no message")
            raise FactParseError(T("{manager} updateinfo exited {status}: {line}",
                                   manager=manager, status=status, line=first[:120]))
        security, other = _dnf(body), 0
    return Pending(manager, tuple(security), other, max(index) if index else None, len(index))


# ---------------------------------------------------------------------------- last update


@dataclass(frozen=True)
class UpdateEvent:
    """One install or upgrade in the package history."""

    when: int  # epoch seconds (dpkg logs local time: read as UTC, within a day either way)
    source: str
    text: str


_DPKG = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) (install|upgrade) (\S+) (\S+) (\S+)")
_DNF = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(Z|[+-]\d{2}:?\d{2})? \w+ "
                  r"(Install|Installed|Upgrade|Upgraded|Reinstall|Reinstalled|Downgrade): (\S+)")
_RPM = re.compile(r"^(\d{9,11}) (\S+)$")


def _event(source: str, line: str) -> UpdateEvent | None:
    m = _DPKG.match(line)
    if m:
        when = datetime.strptime(m.group(1), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
        return UpdateEvent(int(when.timestamp()), source,
                           f"{m.group(2)} {m.group(3)} {m.group(5)}")
    m = _DNF.match(line)
    if m:
        tz = (m.group(2) or "+0000").replace("Z", "+0000").replace(":", "")
        when = datetime.strptime(m.group(1) + tz, "%Y-%m-%dT%H:%M:%S%z")
        return UpdateEvent(int(when.timestamp()), source, f"{m.group(3)} {m.group(4)}")
    m = _RPM.match(line)
    if m and source == "rpmdb":
        return UpdateEvent(int(m.group(1)), source, f"installed {m.group(2)}")
    return None


_HISTORY_FILES = ("/var/log/dpkg.log", "/var/log/dpkg.log.1", "/var/log/dnf.rpm.log")


@probe(
    "package_history",
    command=(
        "for f in /var/log/dpkg.log /var/log/dpkg.log.1; do [ -r \"$f\" ] || continue; "
        "grep -E '^[0-9-]{10} [0-9:]{8} (install|upgrade) ' \"$f\" | tail -n 1 "
        "| sed \"s|^|event $f |\"; done; "
        "if [ -r /var/log/dnf.rpm.log ]; then grep -E ' (Install|Installed|Upgrade|Upgraded|"
        "Reinstall|Reinstalled|Downgrade): ' /var/log/dnf.rpm.log | tail -n 1 "
        "| sed 's|^|event /var/log/dnf.rpm.log |'; fi; "
        "if command -v rpm >/dev/null; then rpm -qa --qf '%{INSTALLTIME} %{NAME}-%{VERSION}-"
        "%{RELEASE}\\n' 2>/dev/null | sort -n | tail -n 1 | sed 's|^|event rpmdb |'; fi; exit 0"
    ),
    files=_HISTORY_FILES,
    description="newest package install/upgrade (dpkg.log, dnf.rpm.log, rpm database)",
)
def parse_package_history(section: Section) -> list[UpdateEvent]:
    """The ``package_history`` probe's output parsed (newest package install/upgrade)."""

    events: list[UpdateEvent] = []
    if section.files:
        for path in sorted(section.files):
            newest = None
            for line in section.files[path].splitlines():
                ev = _event(path, line)
                if ev and (newest is None or ev.when >= newest.when):
                    newest = ev
            if newest:
                events.append(newest)
        return events
    for line in section.text.splitlines():
        if not line.strip():
            continue
        tag, _, rest = line.partition(" ")
        source, _, entry = rest.partition(" ")
        if tag != "event" or not source:
            raise FactParseError(T("not a package history line: {line}", line=repr(line[:60])))
        ev = _event(source, entry)
        if ev is None:
            raise FactParseError(T("unrecognised package event in {source}: {entry}",
                                   source=source, entry=repr(entry[:60])))
        events.append(ev)
    return events
