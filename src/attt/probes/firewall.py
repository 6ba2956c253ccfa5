"""Host firewall rulesets and managers: nftables, iptables (legacy and
saved), ufw and firewalld, live and at boot.

Live hosts are judged from the kernel's ruleset (``nft list ruleset`` shows nftables,
iptables-nft and firewalld rules; ``iptables -S`` adds legacy iptables) and from the managers
(ufw, firewalld).  Offline trees are judged from what loads at boot: the nftables,
iptables-persistent/iptables-services, ufw or firewalld configuration together with the
service enabled in systemd.  An input hook chain denies by default when its policy is drop,
or when its last rule drops or rejects unconditionally (firewalld's style); several base
chains on the input hook all have to accept a packet, so one denying chain is enough.
IPv6 must be covered as well unless IPv6 is disabled.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from attt.messages import T
from attt.registry import FactParseError, Section, probe

from .text import glob_regex


@dataclass
class NftChain:
    """One nftables chain: its hook and policy (base chains) and its rules."""

    family: str
    table: str
    name: str
    hook: str | None = None
    policy: str = "accept"
    rules: list[str] = field(default_factory=list)


@dataclass
class NftRuleset:
    """An nftables ruleset (``nft list ruleset``, nftables.conf), chains keyed by (family,
    table, name)."""

    chains: dict[tuple[str, str, str], NftChain] = field(default_factory=dict)
    includes: list[str] = field(default_factory=list)

    def chain(self, family: str, table: str, name: str) -> NftChain:
        """The chain of a family and table, created empty on first use."""

        key = (family, table, name)
        if key not in self.chains:
            self.chains[key] = NftChain(family, table, name)
        return self.chains[key]


def parse_nft(text: str, ruleset: NftRuleset | None = None) -> NftRuleset:
    """nftables syntax as printed by ``nft list ruleset`` or written in nftables.conf."""

    rs = ruleset or NftRuleset()
    stack: list[tuple[str, Any]] = [("top", None)]
    stmt: list[str] = []
    i, n = 0, len(text)

    def flush() -> None:
        s = " ".join("".join(stmt).split())
        stmt.clear()
        if s:
            _statement(rs, stack[-1], s)

    while i < n:
        c = text[i]
        if c == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise FactParseError(T("unterminated string in nftables text"))
            stmt.append(text[i : end + 1])
            i = end + 1
            continue
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        if c == "\\" and text[i + 1 : i + 2] == "\n":
            i += 2
            continue
        if c in "\n;":
            flush()
        elif c == "{":
            kind = stack[-1][0]
            header = " ".join("".join(stmt).split())
            words = header.split()
            opens = kind == "table" or (
                (kind == "top" and words[:1] == ["table"]) or words[:2] in (
                    ["add", "table"], ["create", "table"], ["add", "chain"], ["create", "chain"])
            )
            if not opens:
                # Anonymous set or map inside a rule: keep it in the statement.
                depth, j = 0, i
                while j < n:
                    depth += {"{": 1, "}": -1}.get(text[j], 0)
                    if depth == 0:
                        break
                    j += 1
                if j >= n:
                    raise FactParseError(T("unbalanced braces in nftables text"))
                stmt.append(" " + " ".join(text[i : j + 1].split()) + " ")
                i = j + 1
                continue
            stmt.clear()
            stack.append(_open(rs, stack[-1], words))
        elif c == "}":
            flush()
            if len(stack) == 1:
                raise FactParseError(T("unbalanced {brace} in nftables text", brace="'}'"))
            stack.pop()
        else:
            stmt.append(c)
        i += 1
    flush()
    if len(stack) != 1:
        raise FactParseError(T("unterminated block in nftables text"))
    return rs


def _open(rs: NftRuleset, ctx: tuple[str, Any], words: list[str]) -> tuple[str, Any]:
    if words and words[0] in ("add", "create"):
        words = words[1:]
    if ctx[0] == "top" and words[:1] == ["table"]:
        if len(words) == 2:
            return ("table", ("ip", words[1]))
        if len(words) != 3:
            raise FactParseError(T("bad table header: {words}", words=repr(' '.join(words))))
        return ("table", (words[1], words[2]))
    if ctx[0] == "top" and words[:1] == ["chain"] and len(words) == 4:
        return ("chain", rs.chain(words[1], words[2], words[3]))
    if ctx[0] == "table" and words[:1] == ["chain"] and len(words) == 2:
        family, table = ctx[1]
        return ("chain", rs.chain(family, table, words[1]))
    return ("other", None)


def _statement(rs: NftRuleset, ctx: tuple[str, Any], s: str) -> None:
    words = s.split()
    if ctx[0] == "chain":
        chain: NftChain = ctx[1]
        if words[0] == "type" and "hook" in words:
            chain.hook = words[words.index("hook") + 1]
        elif words[0] == "policy" and len(words) == 2:
            chain.policy = words[1].lower()
        elif words[0] not in ("comment", "devices", "device"):
            chain.rules.append(s)
    elif ctx[0] == "top":
        if words[:2] == ["flush", "ruleset"]:
            rs.chains.clear()
        elif words[0] == "include" and len(words) == 2:
            rs.includes.append(words[1].strip('"'))
        elif words[:2] in (["add", "rule"], ["insert", "rule"]) and len(words) > 5:
            target = rs.chain(words[2], words[3], words[4])
            rule = " ".join(words[5:])
            if words[0] == "add":
                target.rules.append(rule)
            else:
                target.rules.insert(0, rule)
        elif words[0] not in ("define", "table", "add", "create", "delete", "destroy", "flush",
                              "insert", "replace", "list", "redefine", "undefine"):
            raise FactParseError(T("unexpected nftables statement: {statement}",
                                   statement=repr(s[:60])))


@probe(
    "nft_ruleset",
    command="command -v nft >/dev/null || exit 127; nft list ruleset",
    description="the kernel's nftables ruleset (includes iptables-nft and firewalld rules)",
    needs_root=True,
)
def parse_nft_ruleset(section: Section) -> NftRuleset:
    """The ``nft_ruleset`` probe's output parsed (the kernel's nftables ruleset)."""

    return parse_nft(section.text)


def parse_iptables(text: str) -> tuple[str, list[str]]:
    """``iptables -S`` or iptables-save text: (INPUT policy, INPUT rules)."""

    policy, rules, table = "", [], "filter"
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or line == "COMMIT":
            continue
        if line.startswith("*"):
            table = line[1:]
            continue
        if table != "filter":
            continue
        if line.startswith("-P INPUT ") or line.startswith(":INPUT "):
            policy = line.split()[1] if line.startswith(":") else line.split()[2]
        elif line.startswith("-A INPUT "):
            rules.append(line[len("-A INPUT ") :])
        elif not re.match(r"^(-[PAN] \S+|:\S+ \S+)", line):
            raise FactParseError(T("not an iptables rule line: {line}", line=repr(line[:60])))
    if not policy:
        raise FactParseError(T("no INPUT chain policy in iptables output"))
    return policy.upper(), rules


@probe(
    "iptables_rules",
    command="command -v iptables >/dev/null || exit 127; iptables -S",
    description="IPv4 iptables rules (iptables -S)",
    needs_root=True,
)
def parse_iptables_rules(section: Section) -> tuple[str, list[str]]:
    """The ``iptables_rules`` probe's output parsed: IPv4 iptables rules (iptables -S)."""

    return parse_iptables(section.text)


@probe(
    "ip6tables_rules",
    command="command -v ip6tables >/dev/null || exit 127; ip6tables -S",
    description="IPv6 iptables rules (ip6tables -S)",
    needs_root=True,
)
def parse_ip6tables_rules(section: Section) -> tuple[str, list[str]]:
    """The ``ip6tables_rules`` probe's output parsed: IPv6 iptables rules (ip6tables -S)."""

    return parse_iptables(section.text)


@dataclass(frozen=True)
class UfwStatus:
    """``ufw status verbose``: active, and the default for incoming traffic."""

    active: bool
    incoming: str  # deny | reject | allow | "" when inactive


@probe(
    "ufw_status",
    command="command -v ufw >/dev/null || exit 127; ufw status verbose",
    description="ufw state and default policies",
    needs_root=True,
)
def parse_ufw_status(section: Section) -> UfwStatus:
    """The ``ufw_status`` probe's output parsed: ufw state and default policies."""

    m = re.search(r"^Status: (active|inactive)$", section.text, re.MULTILINE)
    if m is None:
        raise FactParseError(T("no 'Status:' line in ufw output"))
    if m.group(1) == "inactive":
        return UfwStatus(False, "")
    d = re.search(r"^Default: (\w+) \(incoming\)", section.text, re.MULTILINE)
    if d is None:
        raise FactParseError(T("no 'Default: ... (incoming)' line in ufw output"))
    return UfwStatus(True, d.group(1))


@dataclass(frozen=True)
class FirewalldState:
    """firewalld running, and its default zone with that zone's target."""

    running: bool
    zone: str = ""
    target: str = ""


@probe(
    "firewalld_state",
    command=(
        "command -v firewall-cmd >/dev/null || exit 127; firewall-cmd --state || exit $?; "
        "z=$(firewall-cmd --get-default-zone) && echo \"default-zone: $z\" && "
        "firewall-cmd --info-zone=\"$z\""
    ),
    ok_exit=(0, 252),
    description="firewalld state, default zone and its target",
)
def parse_firewalld_state(section: Section) -> FirewalldState:
    """The ``firewalld_state`` probe's output parsed."""

    lines = section.text.splitlines()
    if not lines or lines[0].strip() not in ("running", "not running"):
        raise FactParseError(T("firewall-cmd --state printed neither 'running' nor 'not running'"))
    if lines[0].strip() == "not running":
        return FirewalldState(False)
    zone = re.search(r"^default-zone: (\S+)$", section.text, re.MULTILINE)
    target = re.search(r"^\s+target: (\S+)$", section.text, re.MULTILINE)
    if zone is None or target is None:
        raise FactParseError(T("firewalld is running but its default zone target is missing"))
    return FirewalldState(True, zone.group(1), target.group(1))


# ---- offline: what loads at boot -------------------------------------------------------

_NFT_FILES = ("/etc/nftables.conf", "/etc/sysconfig/nftables.conf")


@probe(
    "nftables_conf",
    files=(*_NFT_FILES, "/etc/nftables/*.nft", "/etc/nftables.d/*.nft", "/etc/nftables.d/*.conf"),
    description="nftables configuration loaded by nftables.service",
)
def parse_nftables_conf(section: Section) -> dict[str, NftRuleset]:
    """Main file -> ruleset with its includes expanded (those we read)."""

    out: dict[str, NftRuleset] = {}
    for main in _NFT_FILES:
        if main not in section.files:
            continue
        rs = NftRuleset()
        _load_nft(main, section.files, rs, 0)
        out[main] = rs
    return out


def _load_nft(path: str, files: Mapping[str, str], rs: NftRuleset, depth: int) -> None:
    if depth > 8:
        raise FactParseError(T("nftables include loop"))
    before = len(rs.includes)
    parse_nft(files[path], rs)
    for inc in rs.includes[before:]:
        pattern = inc if inc.startswith("/") else posixpath.join("/etc", inc)
        regex = glob_regex(pattern)
        matches = sorted(p for p in files if regex.fullmatch(p))
        for m in matches:
            _load_nft(m, files, rs, depth + 1)


_UFW_FILES = ("/etc/ufw/ufw.conf", "/etc/default/ufw")


def _shell_vars(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", line)
        if m:
            out[m.group(1)] = m.group(2).split("#", 1)[0].strip().strip("\"'")
    return out


@probe("ufw_conf", files=_UFW_FILES, description="ufw configuration")
def parse_ufw_conf(section: Section) -> dict[str, str]:
    """The ``ufw_conf`` probe's output parsed: ufw configuration."""

    out: dict[str, str] = {}
    for path in _UFW_FILES:
        if path in section.files:
            out.update(_shell_vars(section.files[path]))
    return out


@dataclass(frozen=True)
class FirewalldConf:
    """firewalld's configuration at boot: the default zone and its target."""

    present: bool
    zone: str
    target: str
    where: str


@probe(
    "firewalld_conf",
    files=("/etc/firewalld/firewalld.conf", "/etc/firewalld/zones/*.xml",
           "/usr/lib/firewalld/zones/*.xml"),
    description="firewalld default zone and its target",
)
def parse_firewalld_conf(section: Section) -> FirewalldConf:
    """The ``firewalld_conf`` probe's output parsed: firewalld default zone and its target."""

    conf = section.files.get("/etc/firewalld/firewalld.conf")
    if conf is None:
        return FirewalldConf(False, "", "", "")
    zone = _shell_vars(conf).get("DefaultZone", "public")
    for base in ("/etc/firewalld/zones", "/usr/lib/firewalld/zones"):
        path = f"{base}/{zone}.xml"
        if path in section.files:
            xml = section.files[path]
            if "<zone" not in xml:
                raise FactParseError(T("{path} is not a firewalld zone file", path=path))
            m = re.search(r"<zone\b[^>]*\btarget=\"([^\"]+)\"", xml)
            return FirewalldConf(True, zone, m.group(1) if m else "default", path)
    return FirewalldConf(True, zone, "", "")


IPTABLES_SAVED = {
    "ipv4": ("/etc/iptables/rules.v4", "/etc/sysconfig/iptables"),
    "ipv6": ("/etc/iptables/rules.v6", "/etc/sysconfig/ip6tables"),
}


@probe(
    "iptables_saved",
    files=IPTABLES_SAVED["ipv4"] + IPTABLES_SAVED["ipv6"],
    description="iptables rules restored at boot (iptables-persistent, iptables-services)",
)
def parse_iptables_saved(section: Section) -> dict[str, tuple[str, list[str]]]:
    """The ``iptables_saved`` probe's output parsed (iptables rules restored at boot)."""

    return {path: parse_iptables(text) for path, text in section.files.items()}
