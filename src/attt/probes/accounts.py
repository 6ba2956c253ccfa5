"""Local accounts: /etc/passwd, a redacted view of /etc/shadow and
/etc/default/useradd.

Facts come from /etc/passwd, /etc/login.defs, /etc/default/useradd and a *redacted* view of
/etc/shadow.  Password hashes never leave the host: on a live host the ``shadow_state`` probe
runs awk on the host and prints only ``name:state:aging fields`` where state is one of
``empty`` (no password needed), ``hash`` (a usable password), ``locked`` (a hash behind '!',
as ``passwd -l`` leaves it) or ``nologin`` ('*', '!', '!!': no password was ever set).
Offline (``dir:``) the same probe reads /etc/shadow from the tree and the parser turns each
hash into its state at once; nothing derived from a hash is kept.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from attt.messages import T
from attt.registry import FactParseError, Section, probe

PASSWD = "/etc/passwd"
SHADOW = "/etc/shadow"
USERADD = "/etc/default/useradd"


NOLOGIN_SHELLS = ("nologin", "false")


STATES = ("empty", "hash", "locked", "nologin")
_NAME = re.compile(r"[A-Za-z0-9_.][A-Za-z0-9_.$-]*")


@dataclass(frozen=True)
class Account:
    """One /etc/passwd entry (``line``: its line number)."""

    name: str
    uid: int
    gid: int
    home: str
    shell: str
    line: int

    @property
    def login_shell(self) -> bool:
        """Whether the account's shell allows an interactive login."""

        return posixpath.basename(self.shell) not in NOLOGIN_SHELLS


@probe("passwd_file", files=(PASSWD,), description="local accounts (/etc/passwd)")
def parse_passwd(section: Section) -> tuple[Account, ...] | None:
    """The ``passwd_file`` probe's output parsed: local accounts (/etc/passwd)."""

    text = section.files.get(PASSWD)
    if text is None:
        return None
    out: list[Account] = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("+", "-", "#")):
            continue  # NIS compat entries and stray comments
        fields = line.split(":")
        if len(fields) != 7 or not _NAME.fullmatch(fields[0]):
            raise FactParseError(T("{file}:{lineno}: not a passwd entry: {line}",
                                   file=PASSWD, lineno=lineno, line=repr(line[:60])))
        if not fields[2].isdigit() or not fields[3].isdigit():
            raise FactParseError(T("{file}:{lineno}: non-numeric UID/GID",
                                   file=PASSWD, lineno=lineno))
        out.append(Account(fields[0], int(fields[2]), int(fields[3]), fields[5], fields[6],
                           lineno))
    if not out:
        raise FactParseError(T("{file} has no entries", file=PASSWD))
    return tuple(out)


@dataclass(frozen=True)
class ShadowEntry:
    """One /etc/shadow line without its hash: the state and the aging fields (days)."""

    name: str
    state: str
    last_change: int | None
    min_days: int | None
    max_days: int | None
    warn_days: int | None
    inactive_days: int | None
    expire: int | None


def password_state(field: str) -> str:
    """The state of a shadow password field (the same rules as the live awk program)."""

    if field == "":
        return "empty"
    if re.match(r"^!+\$", field) or (
        field.startswith("!") and len(field) >= 13 and not field.startswith(("!!", "!*"))
    ):
        return "locked"
    if field.startswith(("!", "*")):
        return "nologin"
    if field.startswith("$") or len(field) == 13:
        return "hash"
    return "nologin"


def _day(value: str, where: str) -> int | None:
    value = value.strip()
    if value == "":
        return None
    if not re.fullmatch(r"-?\d+", value):
        raise FactParseError(T("{where}: {value} is not a number of days",
                               where=where, value=repr(value)))
    return int(value)


# Kept in step with password_state(): '!' + hash is locked; '!', '!!', '*' are no password.
SHADOW_AWK = (
    '/^[+-]/ || NF < 2 { next } { p = $2; if (p == "") s = "empty"; '
    'else if (p ~ /^!+[$]/ || (p ~ /^!/ && length(p) >= 13 && p !~ /^![!*]/)) s = "locked"; '
    'else if (p ~ /^[!*]/) s = "nologin"; else if (p ~ /^[$]/ || length(p) == 13) s = "hash"; '
    'else s = "nologin"; print $1 ":" s ":" $3 ":" $4 ":" $5 ":" $6 ":" $7 ":" $8 }'
)


@probe(
    "shadow_state",
    command=(
        "[ -r /etc/shadow ] || exit 126; command -v awk >/dev/null || exit 127; "
        f"awk -F: '{SHADOW_AWK}' /etc/shadow"
    ),
    files=(SHADOW,),
    description="per-account password state and aging from /etc/shadow (never the hashes)",
    needs_root=True,
)
def parse_shadow_state(section: Section) -> dict[str, ShadowEntry] | None:
    """The ``shadow_state`` probe's output parsed."""

    out: dict[str, ShadowEntry] = {}
    if section.files or not section.text.strip():
        text = section.files.get(SHADOW)
        if text is None:
            return None  # offline tree without /etc/shadow
        for lineno, raw in enumerate(text.splitlines(), 1):
            if not raw.strip() or raw.startswith(("+", "-")):
                continue
            fields = raw.split(":")
            where = f"{SHADOW}:{lineno}"
            if len(fields) < 8 or not _NAME.fullmatch(fields[0]):
                # Never echo the line: it holds a hash.
                raise FactParseError(T("{where}: not a shadow entry", where=where))
            state = password_state(fields[1])
            fields[1] = ""  # drop the hash at once
            out[fields[0]] = ShadowEntry(fields[0], state, *(_day(f, where) for f in fields[2:8]))
        if not out:
            raise FactParseError(T("{file} has no entries", file=SHADOW))
        return out
    for lineno, raw in enumerate(section.text.splitlines(), 1):
        if not raw.strip():
            continue
        fields = raw.split(":")
        where = f"shadow_state line {lineno}"
        if len(fields) != 8 or fields[1] not in STATES or not _NAME.fullmatch(fields[0]):
            raise FactParseError(T("{where}: not a name:state:aging line: {line}",
                                   where=where, line=repr(raw[:40])))
        out[fields[0]] = ShadowEntry(fields[0], fields[1],
                                     *(_day(f, where) for f in fields[2:8]))
    return out


@probe("useradd_defaults", files=(USERADD,), description="useradd defaults (/etc/default/useradd)")
def parse_useradd_defaults(section: Section) -> dict[str, tuple[str, str]]:
    """The ``useradd_defaults`` probe's output parsed: useradd defaults (/etc/default/useradd)."""

    text = section.files.get(USERADD)
    out: dict[str, tuple[str, str]] = {}
    if text is None:
        return out
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not re.fullmatch(r"[A-Z_][A-Z0-9_]*", key.strip()):
            raise FactParseError(T("{file}:{lineno}: not a KEY=value line: {line}",
                                   file=USERADD, lineno=lineno, line=repr(line[:60])))
        out[key.strip()] = (value.strip().strip('"'), f"{USERADD}:{lineno}")
    return out
