"""sudo: whether it is installed, and the sudoers files with their aliases,
grants and Defaults options.

/etc/sudoers is read the way sudo reads it: ``@includedir``/``#includedir`` take every file of
the directory whose name has no '.' and does not end in '~', in lexical order; ``@include``/
``#include`` take one file (relative names are relative to the including file's directory).
Only /etc/sudoers and /etc/sudoers.d/* are collected; an include elsewhere makes the verdict
``error``.  sudoers is readable by root only, so a live scan needs root; a non-root scan ends
as ``error``, never as a pass.

A '#' starts a comment except in '#include'/'#includedir' and in '#<uid>' user names.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from attt.messages import T
from attt.registry import FactParseError, Section, probe

from .text import logical_lines


class SudoersError(FactParseError):
    """A sudoers line sudo would reject; ``msg`` says which in every report language."""


SUDOERS = "/etc/sudoers"
SUDOERS_D = "/etc/sudoers.d"
_ALIAS_KINDS = ("User_Alias", "Runas_Alias", "Host_Alias", "Cmnd_Alias", "Cmd_Alias")
_TAG = re.compile(r"^(NO)?(PASSWD|EXEC|SETENV|LOG_INPUT|LOG_OUTPUT|MAIL|FOLLOW|INTERCEPT):\s*")
_OPTION = re.compile(r"^(ROLE|TYPE|CHROOT|CWD|NOTBEFORE|NOTAFTER|TIMEOUT|APPARMOR_PROFILE|"
                     r"PRIVS|LIMITPRIVS)=\S+\s*")
_INCLUDE = re.compile(r"^[#@](include|includedir)\s+(.+)$")


@probe(
    "sudo_installed",
    command=(
        "command -v sudo >/dev/null || exit 127; "
        "if [ -r /etc/sudoers ]; then echo 'sudoers readable'; "
        "elif [ -e /etc/sudoers ]; then echo 'sudoers unreadable'; "
        "else echo 'sudoers absent'; fi; sudo -V 2>/dev/null | head -n 1"
    ),
    description="is sudo installed, its version, and can the scan read /etc/sudoers",
)
def parse_sudo_installed(section: Section) -> dict[str, str]:
    """The ``sudo_installed`` probe's output parsed."""

    lines = [ln.strip() for ln in section.text.splitlines() if ln.strip()]
    if not lines or not re.fullmatch(r"sudoers (readable|unreadable|absent)", lines[0]):
        raise SudoersError(T("sudo_installed output lacks the sudoers line"))
    out = {"sudoers": lines[0].split()[1], "version": ""}
    if len(lines) > 1:
        m = re.match(r"^Sudo version (\S+)$", lines[1])
        if m is None:
            raise SudoersError(T("not a sudo -V line: {line}", line=repr(lines[1][:60])))
        out["version"] = m.group(1)
    return out


@dataclass(frozen=True)
class Entry:
    """One sudoers entry (Defaults, alias or user specification) and where."""

    kind: str  # defaults | alias | spec
    text: str
    where: str


@dataclass(frozen=True)
class Sudoers:
    """The sudoers entries of /etc/sudoers and what it includes, in reading order."""

    present: bool
    entries: tuple[Entry, ...] = ()
    files_read: tuple[str, ...] = ()
    unread: tuple[str, ...] = field(default_factory=tuple)  # includes we could not follow


def _strip_comment(line: str) -> str:
    """Cut a '#' comment; '#123' after a separator is a UID, quotes protect '#'."""

    quote = False
    for i, c in enumerate(line):
        if c == '"' and (i == 0 or line[i - 1] != "\\"):
            quote = not quote
        elif c == "#" and not quote:
            prev = line[i - 1] if i else " "
            nxt = line[i + 1] if i + 1 < len(line) else ""
            if nxt.isdigit() and (prev.isspace() or prev in ",(!=:"):
                continue
            return line[:i]
    return line


class _Reader:
    def __init__(self, files: Mapping[str, str]) -> None:
        self.files = files
        self.entries: list[Entry] = []
        self.read: list[str] = []
        self.unread: list[str] = []

    def parse(self, path: str, depth: int) -> None:
        if depth > 8:
            raise SudoersError(T("{path}: include nesting too deep", path=path))
        self.read.append(path)
        for lineno, raw in logical_lines(self.files[path]):
            where = f"{path}:{lineno}"
            stripped = raw.strip()
            m = _INCLUDE.match(stripped)
            if m:
                target = m.group(2).strip().strip('"')
                if not target.startswith("/"):
                    target = posixpath.join(posixpath.dirname(path), target)
                if m.group(1) == "includedir":
                    self.include_dir(target, where, depth)
                elif target in self.files:
                    self.parse(target, depth + 1)
                elif not (target == SUDOERS or target.startswith(SUDOERS_D + "/")):
                    self.unread.append(f"{target} ({where})")
                # An include of a collected path that is absent: sudo skips it too.
                continue
            line = _strip_comment(raw).strip()
            if not line:
                continue
            first = line.split(None, 1)[0]
            if re.match(r"^Defaults([:@!>]|$)", first):
                kind = "defaults"
            elif first in _ALIAS_KINDS:
                kind = "alias"
            else:
                if "=" not in line:
                    raise SudoersError(T("{where}: not a sudoers rule: {line}",
                                         where=where, line=repr(line[:60])))
                kind = "spec"
            self.entries.append(Entry(kind, line, where))

    def include_dir(self, directory: str, where: str, depth: int) -> None:
        directory = directory.rstrip("/")
        if directory != SUDOERS_D:
            self.unread.append(f"{directory}/ ({where})")
            return
        names = sorted(p for p in self.files if posixpath.dirname(p) == directory)
        for path in names:
            base = posixpath.basename(path)
            if "." in base or base.endswith("~"):
                continue  # sudo skips these (README is read; it is all comments)
            self.parse(path, depth + 1)


@probe(
    "sudoers_files",
    files=(SUDOERS, f"{SUDOERS_D}/*"),
    description="sudo policy (/etc/sudoers and its include directory)",
    needs_root=True,
)
def parse_sudoers(section: Section) -> Sudoers:
    """The ``sudoers_files`` probe's output parsed (sudo policy)."""

    if SUDOERS not in section.files:
        return Sudoers(False)
    reader = _Reader(section.files)
    reader.parse(SUDOERS, 0)
    return Sudoers(True, tuple(reader.entries), tuple(reader.read), tuple(reader.unread))


def split_top(text: str, sep: str = ",") -> list[str]:
    """Split on ``sep`` outside parentheses and double quotes; backslash escapes."""

    out, buf, depth, quote, i = [], "", 0, False, 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            buf += text[i : i + 2]
            i += 2
            continue
        if c == '"':
            quote = not quote
        elif not quote and c == "(":
            depth += 1
        elif not quote and c == ")":
            depth = max(depth - 1, 0)
        elif not quote and depth == 0 and c == sep:
            out.append(buf.strip())
            buf = ""
            i += 1
            continue
        buf += c
        i += 1
    out.append(buf.strip())
    return [s for s in out if s]


def sudo_aliases(sudoers: Sudoers) -> dict[str, list[str]]:
    """Alias name -> members, for every User/Runas/Host/Cmnd_Alias definition."""

    out: dict[str, list[str]] = {}
    for e in sudoers.entries:
        if e.kind != "alias":
            continue
        body = e.text.split(None, 1)[1] if len(e.text.split(None, 1)) > 1 else ""
        for part in split_top(body, ":"):
            name, sep, members = part.partition("=")
            if not sep:
                raise SudoersError(T("{where}: bad alias definition", where=e.where))
            out[name.strip()] = split_top(members)
    return out


def expand_aliases(items: list[str], aliases: Mapping[str, list[str]], depth: int = 0) -> list[str]:
    """``items`` with aliases expanded (negated items dropped)."""

    out: list[str] = []
    for item in items:
        name = item.lstrip("!").strip()
        if name in aliases and depth < 8 and re.fullmatch(r"[A-Z][A-Z0-9_]*", name):
            if not item.startswith("!"):
                out += expand_aliases(aliases[name], aliases, depth + 1)
        elif not item.startswith("!"):
            out.append(name)
    return out


@dataclass(frozen=True)
class Grant:
    """Who may run what through sudo, with or without a password."""

    users: tuple[str, ...]
    nopasswd: bool
    command: str
    where: str


def sudo_grants(sudoers: Sudoers, aliases: Mapping[str, list[str]]) -> list[Grant]:
    """One Grant per command of every user specification (tags inherited left to right)."""

    out: list[Grant] = []
    for e in sudoers.entries:
        if e.kind != "spec":
            continue
        text = re.sub(r"\s+", " ", re.sub(r"\s*,\s*", ",", e.text.strip()))
        users_part, _, rest = text.partition(" ") if " " in text else (text, "", "")
        users = tuple(expand_aliases(split_top(users_part), aliases))
        # rest: 'hosts = cmnd, cmnd : hosts = cmnd'
        for host_spec in split_top(rest, ":") if _host_sep(rest) else [rest]:
            _, sep, cmnds = host_spec.partition("=")
            if not sep:
                raise SudoersError(T("{where}: user specification without '='",
                                     where=e.where))
            nopasswd = False
            for item in split_top(cmnds):
                item = re.sub(r"^\([^)]*\)\s*", "", item)
                while True:
                    m = _TAG.match(item) or _OPTION.match(item)
                    if m is None:
                        break
                    if m.re is _TAG and m.group(2) == "PASSWD":
                        nopasswd = m.group(1) == "NO"
                    item = item[m.end() :]
                for cmd in expand_aliases([item.strip()], aliases):
                    out.append(Grant(users, nopasswd, cmd, e.where))
    return out


def _host_sep(rest: str) -> bool:
    """Whether ':' in ``rest`` separates host specifications (not only tags like NOPASSWD:)."""

    stripped = _TAG.sub("", rest)
    stripped = re.sub(r"\b(NO)?(PASSWD|EXEC|SETENV|LOG_INPUT|LOG_OUTPUT|MAIL|FOLLOW|INTERCEPT):",
                      "", stripped)
    stripped = re.sub(r"\([^)]*\)", "", stripped)
    return ":" in stripped


def defaults_options(sudoers: Sudoers) -> list[tuple[str, str, str, str]]:
    """(binding, name, value or '' / '!' for negation, where) for every Defaults option."""

    out: list[tuple[str, str, str, str]] = []
    for e in sudoers.entries:
        if e.kind != "defaults":
            continue
        head, _, body = re.sub(r"\s+", " ", e.text).partition(" ")
        binding = head[len("Defaults") :]
        for opt in split_top(body.strip()):
            negated = opt.startswith("!")
            opt = opt.lstrip("!").strip()
            name, sep, value = opt.partition("=")
            name = name.rstrip("+-").strip()
            out.append((binding, name, "!" if negated else (value.strip().strip('"') if sep
                                                            else "on"), e.where))
    return out
