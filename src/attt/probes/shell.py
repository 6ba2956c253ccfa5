"""Shell start-up files (/etc/profile, /etc/bash.bashrc, /etc/profile.d, /etc/bashrc)
and the TMOUT assignments in them.

Files are taken in the order a login shell runs them (:func:`startup_order`).  /etc/profile
runs top to bottom; where it sources /etc/bash.bashrc (Debian) that file runs in place, and
where its ``for i in /etc/profile.d/*.sh`` loop stands the profile.d scripts run in name order,
so lines of /etc/profile after the loop run after every profile.d script.  An /etc/profile
without that loop sources no profile.d script (they are reported as not sourced); a tree
without /etc/profile at all (a configuration repository) is assumed to have the
distribution's, which runs the loop.  /etc/bash.bashrc not sourced from /etc/profile, then
/etc/bashrc (RHEL, sourced from ~/.bashrc after /etc/profile), come last.

The first read-only value wins, because bash refuses any later assignment; a TMOUT that is not
read-only can be unset by the user, so it does not count.  Conditional blocks (``if [ $UID -ne
0 ]``) are not evaluated: an assignment anywhere in a file counts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from attt.messages import T
from attt.registry import FactParseError, Section, probe

PROFILE, BASH_BASHRC, BASHRC, PROFILE_D = ("/etc/profile", "/etc/bash.bashrc", "/etc/bashrc",
                                           "/etc/profile.d/")
# The loop of Debian's and RHEL's /etc/profile ('for i in /etc/profile.d/*.sh /etc/profile.d/
# sh.local ; do'); the glob may sit inside $(ls ...).
_PROFILE_D_LOOP = re.compile(r"(?:^|[\s;&|(])for\s+\w+\s+in\s+[^;]*/etc/profile\.d/\*(?:\.sh)?"
                             r"(?=[\s;\"')]|$)")
_SOURCES_BASH_BASHRC = re.compile(r"(?:^|[\s;&|])(?:\.|source)\s+[\"']?/etc/bash\.bashrc[\"']?"
                                  r"(?=[\s;&|)]|$)")
_ASSIGN = re.compile(
    r"^(?:(?P<cmd>export|readonly|declare|typeset|local)\s+(?P<flags>(?:-\w+\s+)*))?"
    r"TMOUT=(?P<value>\"[^\"]*\"|'[^']*'|[^\s;&|]*)"
)
_BARE = re.compile(r"^(?P<cmd>readonly|declare|typeset|export)\s+(?P<flags>(?:-\w+\s+)*)"
                   r"(?P<names>[A-Za-z_][A-Za-z0-9_ ]*)$")


@dataclass(frozen=True)
class TmoutEvent:
    """One TMOUT assignment or ``readonly TMOUT`` in a start-up file."""

    value: str | None  # assigned value; None for a bare 'readonly TMOUT'
    readonly: bool
    where: str
    sourced: bool = True  # False: in a file no login shell runs (shown, never counted)


@dataclass(frozen=True)
class Segment:
    """Lines ``first``..``last`` (1-based, inclusive; None: to the end) of ``path``."""

    path: str
    first: int = 1
    last: int | None = None


def _statements(line: str) -> list[str]:
    # Split on ; && || and strip leading 'if ...; then', braces; good enough for profile files.
    parts = re.split(r";|&&|\|\|", line)
    out = []
    for part in parts:
        part = part.strip()
        part = re.sub(r"^(then|else|do|\{|\()\s+", "", part)
        if part:
            out.append(part)
    return out


def parse_tmout(path: str, text: str, first: int = 1,
                last: int | None = None) -> list[TmoutEvent]:
    """The TMOUT assignments and readonly markings of one start-up file."""

    events: list[TmoutEvent] = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        if lineno < first or (last is not None and lineno > last):
            continue
        line = raw.split("#", 1)[0].strip() if not raw.strip().startswith("#") else ""
        if "TMOUT" not in line:
            continue
        for stmt in _statements(line):
            where = f"{path}:{lineno}"
            m = _ASSIGN.match(stmt)
            if m:
                flags = m.group("flags") or ""
                ro = m.group("cmd") == "readonly" or (
                    m.group("cmd") in ("declare", "typeset") and "r" in flags)
                events.append(TmoutEvent(m.group("value").strip("\"'"), ro, where))
                # 'TMOUT=900 readonly TMOUT' style is not shell; a later statement handles it.
                continue
            b = _BARE.match(stmt)
            if b and "TMOUT" in b.group("names").split():
                flags = b.group("flags") or ""
                ro = b.group("cmd") == "readonly" or (
                    b.group("cmd") in ("declare", "typeset") and "r" in flags)
                if ro:
                    events.append(TmoutEvent(None, True, where))
    return events


def _source_points(profile: str) -> tuple[int | None, int | None]:
    """Line numbers in /etc/profile of the first '. /etc/bash.bashrc' and of the first
    profile.d loop (comments ignored)."""

    bashrc = loop = None
    for lineno, raw in enumerate(profile.splitlines(), 1):
        code = raw.split("#", 1)[0]
        if bashrc is None and _SOURCES_BASH_BASHRC.search(code):
            bashrc = lineno
        if loop is None and _PROFILE_D_LOOP.search(code):
            loop = lineno
    return bashrc, loop


def startup_order(files: Mapping[str, str]) -> tuple[list[Segment], list[str]]:
    """The segments of the collected files in the order a login shell runs them, and the
    files it never runs (profile.d scripts when /etc/profile has no profile.d loop)."""

    # Byte order, as the glob sorts in the C locale; a login shell whose LANG collates
    # differently may order mixed-case names otherwise.
    profile_d = sorted((p for p in files if p.startswith(PROFILE_D) and p.endswith(".sh")),
                       key=lambda p: p.encode())
    if PROFILE not in files:
        # No /etc/profile in the tree: the distribution's own runs the loop.
        rest = [p for p in (BASH_BASHRC, BASHRC) if p in files]
        return [Segment(p) for p in (*profile_d, *rest)], []
    bashrc_at, loop_at = _source_points(files[PROFILE])
    inserts: list[tuple[int, list[str]]] = []
    if bashrc_at is not None and BASH_BASHRC in files:
        inserts.append((bashrc_at, [BASH_BASHRC]))
    if loop_at is not None:
        inserts.append((loop_at, profile_d))
    order: list[Segment] = []
    start = 1
    for at, paths in sorted(inserts):
        order.append(Segment(PROFILE, start, at))
        order += [Segment(p) for p in paths]
        start = at + 1
    order.append(Segment(PROFILE, start, None))
    ran = {seg.path for seg in order}
    order += [Segment(p) for p in (BASH_BASHRC, BASHRC) if p in files and p not in ran]
    return order, [p for p in profile_d if p not in ran]


@probe(
    "shell_profiles",
    files=("/etc/profile", "/etc/bash.bashrc", "/etc/profile.d/*.sh", "/etc/bashrc"),
    description="system-wide shell start-up files",
)
def parse_shell_profiles(section: Section) -> list[TmoutEvent]:
    """The ``shell_profiles`` probe's output parsed: system-wide shell start-up files."""

    for path, text in section.files.items():
        if "\x00" in text:
            raise FactParseError(T("{path}: binary content", path=path))
    order, unsourced = startup_order(section.files)
    events: list[TmoutEvent] = []
    for seg in order:
        events += parse_tmout(seg.path, section.files[seg.path], seg.first, seg.last)
    for path in unsourced:
        events += [TmoutEvent(e.value, e.readonly, e.where, sourced=False)
                   for e in parse_tmout(path, section.files[path])]
    return events


def effective_tmout(events: list[TmoutEvent]) -> tuple[str | None, bool, str]:
    """(value, read-only, where) after all the files ran; value None: unset."""

    value: str | None = None
    where = ""
    for ev in events:
        if not ev.sourced:
            continue
        if ev.value is not None:
            value, where = ev.value, ev.where
        if ev.readonly:
            if ev.value is not None or where in ("", ev.where):
                return value, True, ev.where
            return value, True, f"{where} + {ev.where}"
    return value, False, where
