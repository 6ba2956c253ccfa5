"""Shell idle timeout: TMOUT set, bounded and read-only in the system-wide shell start-up files.

Files are considered in the order a Debian or RHEL login shell meets them: /etc/profile,
/etc/bash.bashrc (sourced from /etc/profile on Debian), /etc/profile.d/*.sh (sorted), then
/etc/bashrc (RHEL, sourced from ~/.bashrc).  The first read-only value wins, because bash
refuses any later assignment; a TMOUT that is not read-only can be unset by the user, so it
does not count.  Conditional blocks (``if [ $UID -ne 0 ]``) are not evaluated: an assignment
anywhere in a file counts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from attt.model import Result, Status
from attt.registry import ScopedFacts, Section, check, probe

ORDER = ("/etc/profile", "/etc/bash.bashrc", "/etc/profile.d/*.sh", "/etc/bashrc")
_ASSIGN = re.compile(
    r"^(?:(?P<cmd>export|readonly|declare|typeset|local)\s+(?P<flags>(?:-\w+\s+)*))?"
    r"TMOUT=(?P<value>\"[^\"]*\"|'[^']*'|[^\s;&|]*)"
)
_BARE = re.compile(r"^(?P<cmd>readonly|declare|typeset|export)\s+(?P<flags>(?:-\w+\s+)*)"
                   r"(?P<names>[A-Za-z_][A-Za-z0-9_ ]*)$")


@dataclass(frozen=True)
class TmoutEvent:
    value: str | None  # assigned value; None for a bare 'readonly TMOUT'
    readonly: bool
    where: str


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


def parse_tmout(path: str, text: str) -> list[TmoutEvent]:
    events: list[TmoutEvent] = []
    for lineno, raw in enumerate(text.splitlines(), 1):
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


@probe(
    "shell_profiles",
    files=("/etc/profile", "/etc/bash.bashrc", "/etc/profile.d/*.sh", "/etc/bashrc"),
    description="system-wide shell start-up files",
)
def parse_shell_profiles(section: Section) -> list[TmoutEvent]:
    def rank(path: str) -> tuple[int, str]:
        if path.startswith("/etc/profile.d/"):
            return 2, path
        return ({"/etc/profile": 0, "/etc/bash.bashrc": 1, "/etc/bashrc": 3}.get(path, 4), path)

    events: list[TmoutEvent] = []
    for path in sorted(section.files, key=rank):
        text = section.files[path]
        if "\x00" in text:
            raise ValueError(f"{path}: binary content")
        events += parse_tmout(path, text)
    return events


def effective_tmout(events: list[TmoutEvent]) -> tuple[str | None, bool, str]:
    """(value, read-only, where) after all the files ran; value None: unset."""

    value: str | None = None
    where = ""
    for ev in events:
        if ev.value is not None:
            value, where = ev.value, ev.where
        if ev.readonly:
            if ev.value is not None or where == ev.where:
                return value, True, ev.where
            return value, True, f"{where} + {ev.where}"
    return value, False, where


@check(
    "shell.session_timeout",
    title_vi="Phiên shell không hoạt động tự động đóng (TMOUT)",
    title_en="Idle shell sessions are closed automatically (TMOUT)",
    severity="medium",
    probes=("shell_profiles",),
    params={"max_seconds": 900},
    stricter={"max_seconds": "lower"},
    remediation_vi=(
        "Tạo /etc/profile.d/99-tmout.sh với nội dung: 'TMOUT=900', 'readonly TMOUT', "
        "'export TMOUT' (mỗi lệnh một dòng; 900 giây hoặc giá trị theo quy chế) và xóa các "
        "dòng TMOUT khác trong /etc/profile, /etc/bash.bashrc, /etc/bashrc."
    ),
    remediation_en=(
        "Create /etc/profile.d/99-tmout.sh containing 'TMOUT=900', 'readonly TMOUT', 'export "
        "TMOUT' (one per line; 900 seconds or the policy's value) and remove other TMOUT lines "
        "from /etc/profile, /etc/bash.bashrc and /etc/bashrc."
    ),
)
def session_timeout(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """A logged-in shell left open on a console or over SSH can be used by anyone who reaches
    the keyboard or the session. bash and ksh exit after TMOUT seconds without input; the value
    must be at most the policy's idle limit and read-only, or a user simply unsets it."""

    want = int(params["max_seconds"])
    events: list[TmoutEvent] = facts.get("shell_profiles")
    value, readonly, where = effective_tmout(events)
    observed = {"TMOUT": value, "readonly": readonly, "from": where or None,
                "assignments": [f"{e.where}: {'readonly ' if e.readonly else ''}"
                                f"{e.value if e.value is not None else 'TMOUT'}" for e in events]}
    expected = {"TMOUT": f"1..{want}", "readonly": True}
    source = ", ".join(p for p in ORDER)
    if value is None:
        return Result(Status.FAIL, "TMOUT is not set in the system-wide shell start-up files.",
                      observed=observed, expected=expected, source=source)
    if not value.isdigit():
        return Result(Status.FAIL, f"TMOUT is '{value}' ({where}), not a number of seconds.",
                      observed=observed, expected=expected, source=source)
    seconds = int(value)
    if not 0 < seconds <= want:
        return Result(Status.FAIL, f"TMOUT is {seconds} ({where})"
                      + (", which disables the timeout" if seconds == 0 else "") + ".",
                      observed=observed, expected=expected, source=source)
    if not readonly:
        return Result(Status.FAIL, f"TMOUT is {seconds} ({where}) but not read-only, so users "
                      "can unset it.", observed=observed, expected=expected, source=source)
    return Result(Status.PASS, f"TMOUT is {seconds} seconds and read-only ({where}).",
                  observed=observed, expected=expected, source=source)
