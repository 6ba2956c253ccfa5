"""sudo: rules that grant everything without a password, and logging of sudo use.

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
from typing import Any

from attt.model import Result, Status
from attt.probes.packages import Packages
from attt.registry import ScopedFacts, Section, check, probe

from .passwords import logical_lines

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
    lines = [ln.strip() for ln in section.text.splitlines() if ln.strip()]
    if not lines or not re.fullmatch(r"sudoers (readable|unreadable|absent)", lines[0]):
        raise ValueError("sudo_installed output lacks the sudoers line")
    out = {"sudoers": lines[0].split()[1], "version": ""}
    if len(lines) > 1:
        m = re.match(r"^Sudo version (\S+)$", lines[1])
        if m is None:
            raise ValueError(f"not a sudo -V line: {lines[1][:60]!r}")
        out["version"] = m.group(1)
    return out


@dataclass(frozen=True)
class Entry:
    kind: str  # defaults | alias | spec
    text: str
    where: str


@dataclass(frozen=True)
class Sudoers:
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
            raise ValueError(f"{path}: include nesting too deep")
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
                    raise ValueError(f"{where}: not a sudoers rule: {line[:60]!r}")
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


def _aliases(sudoers: Sudoers) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for e in sudoers.entries:
        if e.kind != "alias":
            continue
        body = e.text.split(None, 1)[1] if len(e.text.split(None, 1)) > 1 else ""
        for part in split_top(body, ":"):
            name, sep, members = part.partition("=")
            if not sep:
                raise ValueError(f"{e.where}: bad alias definition")
            out[name.strip()] = split_top(members)
    return out


def _expand(items: list[str], aliases: Mapping[str, list[str]], depth: int = 0) -> list[str]:
    out: list[str] = []
    for item in items:
        name = item.lstrip("!").strip()
        if name in aliases and depth < 8 and re.fullmatch(r"[A-Z][A-Z0-9_]*", name):
            if not item.startswith("!"):
                out += _expand(aliases[name], aliases, depth + 1)
        elif not item.startswith("!"):
            out.append(name)
    return out


@dataclass(frozen=True)
class Grant:
    users: tuple[str, ...]
    nopasswd: bool
    command: str
    where: str


def _grants(sudoers: Sudoers, aliases: Mapping[str, list[str]]) -> list[Grant]:
    """One Grant per command of every user specification (tags inherited left to right)."""

    out: list[Grant] = []
    for e in sudoers.entries:
        if e.kind != "spec":
            continue
        text = re.sub(r"\s+", " ", re.sub(r"\s*,\s*", ",", e.text.strip()))
        users_part, _, rest = text.partition(" ") if " " in text else (text, "", "")
        users = tuple(_expand(split_top(users_part), aliases))
        # rest: 'hosts = cmnd, cmnd : hosts = cmnd'
        for host_spec in split_top(rest, ":") if _host_sep(rest) else [rest]:
            _, sep, cmnds = host_spec.partition("=")
            if not sep:
                raise ValueError(f"{e.where}: user specification without '='")
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
                for cmd in _expand([item.strip()], aliases):
                    out.append(Grant(users, nopasswd, cmd, e.where))
    return out


def _host_sep(rest: str) -> bool:
    """Whether ':' in ``rest`` separates host specifications (not only tags like NOPASSWD:)."""

    stripped = _TAG.sub("", rest)
    stripped = re.sub(r"\b(NO)?(PASSWD|EXEC|SETENV|LOG_INPUT|LOG_OUTPUT|MAIL|FOLLOW|INTERCEPT):",
                      "", stripped)
    stripped = re.sub(r"\([^)]*\)", "", stripped)
    return ":" in stripped


def _defaults(sudoers: Sudoers) -> list[tuple[str, str, str, str]]:
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


def _sudoers_or_result(facts: ScopedFacts) -> Sudoers | Result:
    """The parsed policy, or the N/A / error result that replaces the check."""

    if facts.mode == "live":
        sec = facts.section("sudo_installed")
        if sec is not None and sec.state == "failed" and sec.exit_code == 127:
            return Result(Status.NOT_APPLICABLE, "sudo is not installed (no sudo command).",
                          observed="sudo not found", expected=None, source="sudo_installed")
        info: dict[str, str] = facts.get("sudo_installed")
        if info["sudoers"] == "unreadable":
            return Result(Status.ERROR, f"{SUDOERS} is readable by root only; run the scan as "
                          "root (or with sudo) to evaluate sudo rules.",
                          observed={"sudoers": "unreadable"}, expected=None,
                          source="sudo_installed")
    sudoers: Sudoers = facts.get("sudoers_files")
    if not sudoers.present:
        if facts.mode == "live" and facts.get("sudo_installed")["sudoers"] == "readable":
            return Result(Status.ERROR, f"{SUDOERS} is readable but was not collected.",
                          observed=None, expected=None, source="sudoers_files")
        return Result(Status.NOT_APPLICABLE, f"sudo is not installed ({SUDOERS} is absent).",
                      observed=f"{SUDOERS} absent", expected=None, source=SUDOERS)
    if sudoers.unread:
        return Result(Status.ERROR, f"sudoers includes {sudoers.unread[0]}, which was not read; "
                      "the policy cannot be fully evaluated.",
                      observed={"unread_includes": list(sudoers.unread)}, expected=None,
                      source=", ".join(sudoers.files_read))
    return sudoers


@check(
    "sudo.no_nopasswd_all",
    title_vi="Không cấp toàn quyền sudo mà không cần mật khẩu",
    title_en="No one may run every command through sudo without a password",
    severity="high",
    probes=("sudo_installed", "sudoers_files"),
    params={"allowed": []},
    remediation_vi=(
        "Dùng 'visudo' (hoặc 'visudo -f /etc/sudoers.d/<tệp>') để bỏ 'NOPASSWD:' khỏi các quy "
        "tắc 'ALL' và xóa 'Defaults !authenticate'; nếu tài khoản tự động hóa cần chạy không "
        "mật khẩu, chỉ cho phép các lệnh cụ thể (Cmnd_Alias) và ghi tài khoản đó vào tham số "
        "'allowed' sau khi được phê duyệt. Kiểm tra bằng 'visudo -c'."
    ),
    remediation_en=(
        "With 'visudo' (or 'visudo -f /etc/sudoers.d/<file>') drop 'NOPASSWD:' from 'ALL' rules "
        "and remove 'Defaults !authenticate'; if an automation account must run without a "
        "password, allow only specific commands (a Cmnd_Alias) and, once approved, list it in "
        "the 'allowed' parameter. Verify with 'visudo -c'."
    ),
)
def no_nopasswd_all(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """'NOPASSWD: ALL' turns any session of the account (a stolen SSH key, a hijacked terminal,
    a compromised service) into root with no further barrier, and removes the confirmation step
    that makes administrators notice what they run. Unrestricted sudo must ask for the user's
    password; approved exceptions are listed by name ('user', '%group')."""

    got = _sudoers_or_result(facts)
    if isinstance(got, Result):
        return got
    sudoers = got
    allowed = set(params.get("allowed") or [])
    source = ", ".join(sudoers.files_read)
    try:
        aliases = _aliases(sudoers)
        grants = _grants(sudoers, aliases)
        defaults = _defaults(sudoers)
    except ValueError as exc:
        return Result(Status.ERROR, f"sudoers could not be parsed: {exc}.",
                      observed=None, expected=None, source=source)
    no_auth_all = any(b == "" and n == "authenticate" and v == "!" for b, n, v, _ in defaults)
    no_auth_for = {u for b, n, v, _ in defaults if b.startswith(":") and n == "authenticate"
                   and v == "!" for u in _expand(split_top(b[1:]), aliases)}
    offenders: dict[str, str] = {}
    for g in grants:
        if g.command != "ALL":
            continue
        for user in g.users:
            if user in allowed:
                continue
            if g.nopasswd:
                offenders.setdefault(user, f"NOPASSWD: ALL at {g.where}")
            elif no_auth_all or user in no_auth_for:
                offenders.setdefault(user, f"ALL at {g.where} with Defaults !authenticate")
    observed = {"nopasswd_all": offenders, "allowed": sorted(allowed),
                "files_read": list(sudoers.files_read)}
    expected = {"nopasswd_all": "none outside 'allowed'"}
    if offenders:
        shown = "; ".join(f"{u} ({w})" for u, w in offenders.items())
        return Result(Status.FAIL, f"sudo grants every command without a password to: {shown}.",
                      observed=observed, expected=expected, source=source)
    full = sorted({u for g in grants if g.command == "ALL" and not g.nopasswd
                   and not no_auth_all for u in g.users if u not in no_auth_for})
    excused = sorted({u for g in grants if g.command == "ALL" for u in g.users} - set(full))
    tail = f"; allowed without a password: {', '.join(excused)}" if excused else ""
    return Result(Status.PASS,
                  f"No sudo rule grants ALL without a password outside the allowed list "
                  f"({len(sudoers.files_read)} file(s) read; ALL with a password for "
                  f"{', '.join(full) or 'nobody'}{tail}).",
                  observed=observed, expected=expected, source=source)


def _version_tuple(raw: str) -> tuple[int, int, int] | None:
    m = re.match(r"^(?:\d+:)?(\d+)\.(\d+)\.(\d+)", raw)
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


@check(
    "sudo.logging_enabled",
    title_vi="Ghi nhật ký các lệnh sudo",
    title_en="sudo use is logged",
    severity="medium",
    probes=("sudo_installed", "sudoers_files", "packages"),
    remediation_vi=(
        "Bằng 'visudo -f /etc/sudoers.d/10-logging' thêm 'Defaults use_pty' và "
        "'Defaults logfile=\"/var/log/sudo.log\"' (tùy chọn thêm 'Defaults log_output'); xóa "
        "mọi 'Defaults !syslog'. Kiểm tra bằng 'visudo -c' và chuyển nhật ký về máy chủ tập "
        "trung."
    ),
    remediation_en=(
        "With 'visudo -f /etc/sudoers.d/10-logging' add 'Defaults use_pty' and 'Defaults "
        "logfile=\"/var/log/sudo.log\"' (optionally 'Defaults log_output'); remove any 'Defaults "
        "!syslog'. Verify with 'visudo -c' and forward the log to the central collector."
    ),
)
def logging_enabled(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Every privileged command run through sudo must leave a record of who ran what, when.
    Pass: sudo writes to syslog (its default; not turned off with '!syslog') or to a
    'Defaults logfile', and commands run in a pseudo-terminal ('use_pty', default from sudo
    1.9.14) so a background process cannot outlive the logged session. 'log_output' (full I/O
    logging) is reported but not required."""

    got = _sudoers_or_result(facts)
    if isinstance(got, Result):
        return got
    sudoers = got
    source = ", ".join(sudoers.files_read)
    try:
        defaults = _defaults(sudoers)
    except ValueError as exc:
        return Result(Status.ERROR, f"sudoers could not be parsed: {exc}.",
                      observed=None, expected=None, source=source)
    version = ""
    if facts.mode == "live" and facts.has("sudo_installed"):
        version = facts.get("sudo_installed")["version"]
    if not version and facts.has("packages"):
        pkgs: Packages = facts.get("packages")
        version = pkgs.version("sudo") or pkgs.version("sudo-ldap") or ""
    vt = _version_tuple(version)
    pty_default = vt is not None and vt >= (1, 9, 14)
    state: dict[str, tuple[str, str]] = {
        "syslog": ("on", "sudo default"), "logfile": ("", "unset"),
        "use_pty": ("on" if pty_default else "", f"sudo {version} default" if pty_default
                    else "unset"),
        "log_output": ("", "unset")}
    scoped_off: list[str] = []
    for binding, name, value, where in defaults:
        if name not in state:
            continue
        if binding:
            if value == "!":
                scoped_off.append(f"Defaults{binding} !{name} ({where})")
            continue
        state[name] = (value, where)
    syslog_on = state["syslog"][0] not in ("!", "")
    logfile_on = state["logfile"][0] not in ("!", "")
    pty_on = state["use_pty"][0] == "on"
    observed = {k: {"value": v, "from": w} for k, (v, w) in state.items()}
    observed["version"] = {"value": version or "unknown", "from": "sudo -V / packages"}
    if scoped_off:
        observed["scoped_negations"] = {"value": "; ".join(scoped_off), "from": source}
    expected = {"syslog or logfile": "on", "use_pty": "on"}
    problems = []
    if not (syslog_on or logfile_on):
        problems.append(f"syslog is off ({state['syslog'][1]}) and no logfile is set")
    if not pty_on:
        problems.append("use_pty is not set" + (f" ({state['use_pty'][1]})"
                                                 if state["use_pty"][0] == "!" else ""))
    if scoped_off:
        problems.append("logging options are turned off for some users/hosts: "
                        + "; ".join(scoped_off))
    if problems:
        return Result(Status.FAIL, "sudo logging is incomplete: " + "; ".join(problems) + ".",
                      observed=observed, expected=expected, source=source)
    where = (f"logfile {state['logfile'][0]}" if logfile_on
             else f"syslog ({state['syslog'][1]})")
    return Result(Status.PASS,
                  f"sudo logs to {where} with use_pty ({state['use_pty'][1]})"
                  + (", log_output on" if state["log_output"][0] == "on" else "") + ".",
                  observed=observed, expected=expected, source=source)
