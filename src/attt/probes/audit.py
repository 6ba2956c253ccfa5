"""Linux audit: the loaded or boot-time rules, auditd's status and its
configuration, and what a rule records (:func:`watched`, :func:`time_coverage`).

Live hosts are judged from the rules loaded in the kernel (``auditctl -l``), which is what is
actually recorded; offline trees from the rules that load at boot: /etc/audit/rules.d/*.rules
(compiled by augenrules) when that directory has rules, /etc/audit/audit.rules otherwise.
A watch (``-w PATH -p PERMS``) and its syscall form (``-a always,exit -F path=|dir=PATH
-F perm=PERMS``) are the same thing. A change is recorded only by a watch with both ``w``
(write) and ``a`` (attribute change: chmod, chown, setxattr) in its permissions; more is fine.
``-w`` on a directory and ``-F dir=`` are recursive (auditctl turns ``-w DIR`` into a dir rule),
so they cover every file below; ``-F path=`` watches that one inode only. /var/run is read as
/run.

Rules read from files are also checked for what auditctl would reject before loading them: a
syscall the rule's ABI does not have (``stime`` has no 64-bit entry on x86_64, aarch64, s390x
or riscv64; ``arch=b64`` and rules without arch are taken as those ABIs, Debian 12's amd64 and
arm64) and ``-F arch`` placed after ``-S``. A rejected rule records nothing. Rules from
``auditctl -l`` already passed the kernel and are taken as they are.
"""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field

from attt.messages import Msg, T
from attt.registry import FactParseError, Section, probe

from .text import split_error


@dataclass(frozen=True)
class AuditRule:
    """One audit rule as auditctl reads it, with what it watches and why it would be refused."""

    text: str
    where: str
    watch: str | None = None  # path watched (normalised), for -w and path=/dir= rules
    perms: str = "rwxa"
    action: str = ""  # always,exit ... for -a/-A rules
    syscalls: tuple[str, ...] = ()
    fields: tuple[tuple[str, str, str], ...] = ()  # (name, operator, value) of -F and -C
    recursive: bool = False  # -w and dir=: a directory watch covers the tree below it
    errors: tuple[Msg, ...] = ()  # why auditctl would refuse to load the rule

    def field(self, name: str) -> list[tuple[str, str]]:
        """The (operator, value) pairs of one field of the rule."""

        return [(op, v) for n, op, v in self.fields if n == name]

    @property
    def never(self) -> bool:
        """Whether the rule suppresses records (action ``never``)."""

        return "never" in self.action.split(",")

    @property
    def records(self) -> bool:
        """The rule loads and records events (not a 'never' rule)."""

        return not self.never and not self.errors


def norm_path(path: str) -> str:
    """A watched path normalised (/var/run is /run)."""

    path = posixpath.normpath(path)
    if path == "/var/run" or path.startswith("/var/run/"):
        path = path[len("/var"):]
    return path


_OPS = ("!=", ">=", "<=", "&=", "=", ">", "<", "&")


def _field(expr: str, where: str) -> tuple[str, str, str]:
    for op in _OPS:
        name, sep, value = expr.partition(op)
        if sep and name:
            return name, op, value
    raise FactParseError(T("{where}: not an audit field expression: {expr}",
                           where=where, expr=repr(expr[:60])))


# Time-setting syscalls of each audit ABI (libaudit lib/*_table.h): no 64-bit table has stime
# except ppc64's.
TIME_SYSCALLS = ("adjtimex", "settimeofday", "clock_settime", "stime")
_TIME_64 = frozenset(TIME_SYSCALLS[:3])
_TIME_32 = frozenset(TIME_SYSCALLS)
_TIME_SYSCALLS_BY_ARCH = {
    **dict.fromkeys(("b64", "x86_64", "aarch64", "s390x", "riscv64"), _TIME_64),
    **dict.fromkeys(("b32", "i386", "i486", "i586", "i686", "arm", "armv7l", "s390", "ppc",
                     "ppc64", "ppc64le"), _TIME_32),
}


def _load_errors(syscalls: list[str], fields: list[tuple[str, str, str]],
                 arch_after_syscall: bool) -> tuple[Msg, ...]:
    errors = []
    if arch_after_syscall:
        errors.append(T("-F arch after -S (auditctl: arch must be before -S)"))
    arches = [v for n, op, v in fields if n == "arch" and op == "="]
    arch = arches[-1] if arches else "b64"
    table = _TIME_SYSCALLS_BY_ARCH.get(arch)
    for name in syscalls:
        if table is not None and name in _TIME_32 and name not in table:
            abi = "arch=" + arch
            errors.append(T("syscall {name} does not exist for {abi}", name=name, abi=abi)
                          if arches else
                          T("syscall {name} does not exist for the native 64-bit ABI",
                            name=name))
    return tuple(errors)


def parse_rule(line: str, where: str, loaded: bool = False) -> AuditRule | None:
    """One audit rule line. ``loaded``: the line comes from ``auditctl -l`` (the kernel took
    it), so the load-time checks are skipped."""

    try:
        words = shlex.split(line, comments=True)
    except ValueError as exc:
        raise FactParseError(split_error(exc, where)) from None
    if not words:
        return None
    if words[0] == "-w":
        if len(words) < 2:
            raise FactParseError(T("{where}: -w without a path", where=where))
        perms = "rwxa"
        for i, w in enumerate(words):
            if w == "-p" and i + 1 < len(words):
                perms = words[i + 1].lower()
        return AuditRule(line.strip(), where, norm_path(words[1]), perms, "watch",
                         recursive=True)
    if words[0] not in ("-a", "-A"):
        # Control lines (-D, -b, -f, -e, --backlog_wait_time, -W removal ...) record nothing.
        if not words[0].startswith("-"):
            raise FactParseError(T("{where}: not an audit rule: {line}",
                                   where=where, line=repr(line[:60])))
        return None
    if len(words) < 2:
        raise FactParseError(T("{where}: -a without list,action", where=where))
    action = words[1]
    syscalls: list[str] = []
    fields: list[tuple[str, str, str]] = []
    arch_after_syscall = False
    i = 2
    while i < len(words):
        w = words[i]
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if w == "-S":
            syscalls += nxt.split(",")
            i += 2
        elif w in ("-F", "-C"):
            fields.append(_field(nxt, where))
            arch_after_syscall |= fields[-1][0] == "arch" and bool(syscalls)
            i += 2
        elif w == "-k":
            fields.append(("key", "=", nxt))
            i += 2
        else:
            raise FactParseError(T("{where}: unexpected token {token} in audit rule",
                                   where=where, token=repr(w)))
    watch = None
    perms = "rwxa"
    recursive = False
    for name, op, value in fields:
        if name in ("path", "dir") and op == "=":
            watch, recursive = norm_path(value), name == "dir"
        elif name == "perm" and op == "=":
            perms = value.lower()
    errors = () if loaded else _load_errors(syscalls, fields, arch_after_syscall)
    return AuditRule(line.strip(), where, watch, perms, action, tuple(syscalls), tuple(fields),
                     recursive, errors)


@dataclass(frozen=True)
class AuditRules:
    """The rules that are (live) or would be (offline) loaded, and where they came from."""

    rules: tuple[AuditRule, ...]
    source: str  # auditctl -l | the files read
    auditctl: bool = True  # False: auditctl is not installed (live)
    notes: tuple[str, ...] = field(default_factory=tuple)

    def active(self) -> list[AuditRule]:
        """The rules that produce records."""

        return [r for r in self.rules if r.records]


_RULE_FILES = ("/etc/audit/rules.d/*.rules", "/etc/audit/audit.rules")


@probe(
    "audit_rules",
    command="command -v auditctl >/dev/null || { echo 'auditctl absent'; exit 0; }; auditctl -l",
    files=_RULE_FILES,
    description="audit rules: loaded in the kernel (auditctl -l) or loaded at boot (rules files)",
    needs_root=True,
)
def parse_audit_rules(section: Section) -> AuditRules:
    """The ``audit_rules`` probe's output parsed (audit rules: loaded in the kernel)."""

    rules: list[AuditRule] = []
    if section.files or not section.text.strip():
        rules_d = sorted(p for p in section.files if p.startswith("/etc/audit/rules.d/"))
        paths = rules_d or [p for p in section.files if p == "/etc/audit/audit.rules"]
        for path in paths:
            for lineno, raw in enumerate(section.files[path].splitlines(), 1):
                if raw.strip() and not raw.lstrip().startswith("#"):
                    rule = parse_rule(raw, f"{path}:{lineno}")
                    if rule:
                        rules.append(rule)
        note = () if rules_d or not paths else ("no rules.d/*.rules: audit.rules read",)
        return AuditRules(tuple(rules), ", ".join(paths) or "no audit rules files", True, note)
    text = section.text.strip()
    if text == "auditctl absent":
        return AuditRules((), "auditctl -l", False)
    if text == "No rules":
        return AuditRules((), "auditctl -l")
    for lineno, raw in enumerate(section.text.splitlines(), 1):
        if raw.strip():
            rule = parse_rule(raw, f"auditctl -l:{lineno}", loaded=True)  # like file:line
            if rule is None:
                raise FactParseError(T("not an auditctl -l rule: {line}", line=repr(raw[:60])))
            rules.append(rule)
    return AuditRules(tuple(rules), "auditctl -l")


@probe(
    "audit_status",
    command="command -v auditctl >/dev/null || exit 127; auditctl -s",
    description="kernel audit status (auditctl -s: enabled, pid, lost)",
    needs_root=True,
)
def parse_audit_status(section: Section) -> dict[str, str]:
    """The ``audit_status`` probe's output parsed (kernel audit status)."""

    out: dict[str, str] = {}
    for line in section.text.splitlines():
        words = line.split()
        if len(words) >= 2 and words[0].replace("_", "").isalpha():
            out[words[0]] = " ".join(words[1:])
    if "enabled" not in out:
        raise FactParseError(T("auditctl -s did not report 'enabled'"))
    return out


AUDITD_CONF = "/etc/audit/auditd.conf"


@probe("auditd_conf", files=(AUDITD_CONF,), description="auditd log size and rotation settings")
def parse_auditd_conf(section: Section) -> dict[str, str] | None:
    """The ``auditd_conf`` probe's output parsed: auditd log size and rotation settings."""

    if AUDITD_CONF not in section.files:
        return None
    out: dict[str, str] = {}
    for lineno, raw in enumerate(section.files[AUDITD_CONF].splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise FactParseError(T("{file}:{lineno}: not a key = value line: {line}",
                                   file=AUDITD_CONF, lineno=lineno, line=repr(line[:60])))
        out[key.strip().lower()] = value.strip()
    return out


# ---------------------------------------------------------------------------- rule coverage


def watched(rules: Sequence[AuditRule], path: str, perms: str = "wa") -> AuditRule | None:
    """The first rule that records every kind of access in ``perms`` to ``path``: a watch
    with 'w' alone misses chmod/chown, one with 'a' alone misses the writes."""

    target = norm_path(path)
    for r in rules:
        if not r.records or r.watch is None or not set(perms) <= set(r.perms):
            continue
        if target == r.watch or (r.recursive and target.startswith(r.watch.rstrip("/") + "/")):
            return r
    return None


def arch_ok(r: AuditRule) -> bool:
    """A syscall rule without arch= applies to the host's native ABI; b32-only misses it."""

    arches = [v for op, v in r.field("arch") if op == "="]
    return not arches or any(a in ("b64", "x86_64", "aarch64", "ppc64le", "s390x")
                             for a in arches)


# Every 64-bit ABI has these three; stime exists only for 32-bit calls.
TIME_REQUIRED = ("adjtimex", "settimeofday", "clock_settime")
# Fields that restrict a syscall rule to some calls: an a0 filter on clock_settime keeps one
# clock (the CIS rule's a0=0x0 is CLOCK_REALTIME), and no time syscall touches a path.
_NARROWING_FIELDS = ("a0", "a1", "a2", "a3", "path", "dir", "perm", "filetype")


def _time_rule_flaw(r: AuditRule) -> Msg | None:
    """Why a rule naming time syscalls does not record every native call of them (the rule and
    its file:line, then the reason)."""

    if r.errors:
        return T("{rule} ({where}): auditctl rejects it: {errors}", rule=r.text, where=r.where,
                 errors=list(r.errors))
    if "exit" not in r.action.split(","):
        return T("{rule} ({where}): not on the exit list ({action})", rule=r.text,
                 where=r.where, action=r.action)
    narrowing = [f"{n}{op}{v}" for n, op, v in r.fields if n in _NARROWING_FIELDS]
    if narrowing:
        return T("{rule} ({where}): limited to calls with {fields}", rule=r.text, where=r.where,
                 fields=narrowing)
    return None


def time_coverage(rules: Sequence[AuditRule]) -> tuple[dict[str, AuditRule], list[Msg]]:
    """For each of adjtimex, settimeofday and clock_settime, the first rule that records every
    native call of it; and the time rules that do not count, with the reason."""

    covered: dict[str, AuditRule] = {}
    rejected: list[Msg] = []
    for r in rules:
        # 32-bit rules are right for their ABI but the requirement is judged on the native one.
        if r.never or not set(TIME_SYSCALLS) & set(r.syscalls) or not arch_ok(r):
            continue
        flaw = _time_rule_flaw(r)
        if flaw is not None:
            rejected.append(flaw)
            continue
        for name in TIME_REQUIRED:
            if name in r.syscalls:
                covered.setdefault(name, r)
    return covered, rejected
