"""snmpd configuration: communities (v1/v2c) and SNMPv3 users (``snmpd_conf``)."""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from attt.messages import T
from attt.registry import FactParseError, Section, probe

from .text import split_error

# ---------------------------------------------------------------------------- SNMP

SNMPD_FILES = ("/etc/snmp/snmpd.conf", "/etc/snmp/snmpd.conf.d/*.conf",
               "/etc/snmp/snmpd.local.conf")
_COMMUNITY = ("rocommunity", "rwcommunity", "rocommunity6", "rwcommunity6")
_COM2SEC = ("com2sec", "com2sec6", "com2secunix")
_V3 = ("rouser", "rwuser", "createuser", "authuser")
_DEFAULT_COMMUNITIES = ("public", "private")


@dataclass(frozen=True)
class SnmpConfig:
    """snmpd.conf: v1/v2c communities and SNMPv3 users."""

    present: bool
    # (directive, community, where); community values other than the well-known defaults are
    # masked where they are shown, since they are shared secrets.
    communities: tuple[tuple[str, str, str], ...]
    v3_users: tuple[str, ...]

    def shown(self) -> list[str]:
        """The community lines with every non-default community masked."""

        out = []
        for directive, community, where in self.communities:
            value = community if community.lower() in _DEFAULT_COMMUNITIES else "<masked>"
            out.append(f"{directive} {value} ({where})")
        return out

    def defaults(self) -> list[str]:
        """The default (guessable) communities configured."""

        return [c for _, c, _ in self.communities if c.lower() in _DEFAULT_COMMUNITIES]


def _words(path: str, lineno: int, line: str) -> list[str]:
    try:
        return shlex.split(line, comments=True)
    except ValueError as exc:
        raise FactParseError(split_error(exc, f"{path}:{lineno}")) from None


def _operands(words: list[str]) -> list[str]:
    """The positional operands, without option flags (-V VIEW, -Cn CONTEXT, -s MODEL)."""

    out: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        if w in ("-V", "-Cn", "-s"):
            i += 2
            continue
        if w.startswith("-") and not out:
            i += 1
            continue
        out.append(w)
        i += 1
    return out


@probe("snmpd_conf", files=SNMPD_FILES, description="net-snmp agent access configuration")
def parse_snmpd_conf(section: Section) -> SnmpConfig:
    """The ``snmpd_conf`` probe's output parsed: net-snmp agent access configuration."""

    communities: list[tuple[str, str, str]] = []
    users: list[str] = []
    for path in sorted(section.files, key=lambda p: (p != "/etc/snmp/snmpd.conf", p)):
        for lineno, raw in enumerate(section.files[path].splitlines(), 1):
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            words = _words(path, lineno, raw)
            if not words:
                continue
            key = words[0].lower()
            where = f"{path}:{lineno}"
            if key in _COMMUNITY:
                ops = _operands(words[1:])
                if not ops:
                    raise FactParseError(T("{where}: {key} without a community",
                                           where=where, key=key))
                communities.append((key, ops[0], where))
            elif key in _COM2SEC:
                ops = _operands(words[1:])
                if len(ops) < 3:
                    raise FactParseError(T("{where}: {key} needs NAME SOURCE COMMUNITY",
                                           where=where, key=key))
                communities.append((key, ops[2], where))
            elif key in _V3 and len(words) > 1:
                ops = [w for w in words[1:] if not w.startswith("-")]
                users.append(f"{key} {ops[0] if ops else '?'} ({where})")
    return SnmpConfig(bool(section.files), tuple(communities), tuple(users))
