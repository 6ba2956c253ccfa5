"""Local network state as the host itself shows it: listening sockets
(``ss -H -tulpn``, or ``netstat -tulpn`` where ss is missing), global IPv6 addresses,
the IPv6 default route and the configured DNS resolvers.

Routes and resolvers are read from configuration only.  No packet is sent and no DNS
query is made: the resolver facts tell whether an IPv6 nameserver is *configured*, not
whether it answers.  When /etc/resolv.conf points at the systemd-resolved stub
(127.0.0.53), the upstream servers come from ``resolvectl dns`` on a live host, or
/run/systemd/resolve/resolv.conf and resolved.conf (DNS=) otherwise.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from attt.messages import T
from attt.registry import FactParseError, Section, probe

# ---------------------------------------------------------------------------- listening sockets


@dataclass(frozen=True)
class Listener:
    """A listening socket and the programs that own it."""

    proto: str  # tcp | udp
    address: str
    port: int
    programs: tuple[str, ...]  # task names of the owning processes; empty when not shown

    def describe(self) -> str:
        """``tcp/23 on 0.0.0.0 (inetd)``."""

        who = ", ".join(self.programs) if self.programs else "process unknown"
        return f"{self.proto}/{self.port} on {self.address} ({who})"


@dataclass(frozen=True)
class Listeners:
    """Listening sockets (``ss -H -tulpn`` or ``netstat -tulpn``)."""

    tool: str  # ss | netstat
    sockets: tuple[Listener, ...]
    owners_shown: bool  # at least one socket names its process (root sees them all)


def _check_ipv6(text: str) -> None:
    """FactParseError unless ``text`` is an IPv6 address (ipaddress's own words are English)."""

    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        raise FactParseError(T("not an IPv6 address: {value}", value=repr(text[:60]))) from None


def _split_addr(text: str) -> tuple[str, int]:
    addr, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise FactParseError(T("not an address:port: {text}", text=repr(text[:60])))
    return addr.strip("[]").split("%")[0] or "*", int(port)


_SS_USERS = re.compile(r'\("([^"]+)",pid=\d+')


def _parse_ss(lines: list[str]) -> list[Listener]:
    out: list[Listener] = []
    for line in lines:
        if not line.strip() or line.startswith("Netid"):
            continue
        parts = line.split()
        if len(parts) < 6 or parts[0] not in ("tcp", "udp"):
            raise FactParseError(T("not an ss line: {line}", line=repr(line[:60])))
        if parts[0] == "tcp" and parts[1] != "LISTEN":
            continue
        addr, port = _split_addr(parts[4])
        programs = tuple(dict.fromkeys(_SS_USERS.findall(" ".join(parts[6:]))))
        out.append(Listener(parts[0], addr, port, programs))
    return out


def _parse_netstat(lines: list[str]) -> list[Listener]:
    out: list[Listener] = []
    for line in lines:
        parts = line.split()
        if not parts or parts[0] in ("Active", "Proto"):
            continue
        proto = parts[0].rstrip("6")
        if proto not in ("tcp", "udp") or len(parts) < 5:
            raise FactParseError(T("not a netstat line: {line}", line=repr(line[:60])))
        if proto == "tcp" and (len(parts) < 6 or parts[5] != "LISTEN"):
            continue
        addr, port = _split_addr(parts[3])
        owner = parts[-1] if "/" in parts[-1] else ""
        programs = (owner.split("/", 1)[1],) if owner else ()
        out.append(Listener(proto, addr, port, programs))
    return out


@probe(
    "listening_sockets",
    command=(
        "if command -v ss >/dev/null; then echo 'tool ss'; ss -H -tulpn 2>/dev/null || ss -tulpn; "
        "elif command -v netstat >/dev/null; then echo 'tool netstat'; netstat -tulpn; "
        "else exit 127; fi"
    ),
    description="listening TCP and UDP sockets with their processes (ss, or netstat)",
)
def parse_listening_sockets(section: Section) -> Listeners:
    """The ``listening_sockets`` probe's output parsed."""

    lines = section.text.splitlines()
    if not lines or lines[0] not in ("tool ss", "tool netstat"):
        raise FactParseError(T("socket listing without its 'tool' header"))
    tool = lines[0].split()[1]
    sockets = _parse_ss(lines[1:]) if tool == "ss" else _parse_netstat(lines[1:])
    return Listeners(tool, tuple(sockets), any(s.programs for s in sockets))


@dataclass(frozen=True)
class Addr6:
    """One IPv6 address of an interface (``ip -6 addr``), with its flags."""

    interface: str
    address: str
    flags: tuple[str, ...]


@probe(
    "ip6_global_addresses",
    command="command -v ip >/dev/null || exit 127; ip -6 -o addr show scope global",
    description="global-scope IPv6 addresses (ip -6 -o addr)",
)
def parse_ip6_global(section: Section) -> list[Addr6]:
    """The ``ip6_global_addresses`` probe's output parsed (global-scope IPv6 addresses)."""

    out: list[Addr6] = []
    pattern = re.compile(r"^\d+:\s+(\S+)\s+inet6\s+(\S+)\s+(.*)$")
    for line in section.text.splitlines():
        if not line.strip():
            continue
        m = pattern.match(line)
        if m is None:
            raise FactParseError(T("not an 'ip -o addr' line: {line}", line=repr(line[:60])))
        addr = m.group(2).split("/")[0]
        _check_ipv6(addr)
        rest = m.group(3).split("\\")[0].split()
        flags = tuple(t for t in rest if t not in ("scope", "global"))
        out.append(Addr6(m.group(1).split("@")[0], addr, flags))
    return out


@dataclass(frozen=True)
class Route6:
    """One IPv6 default route (``ip -6 route show default``)."""

    gateway: str  # "" for a device route
    device: str
    text: str


_ROUTE_TYPES_UNUSABLE = ("unreachable", "prohibit", "blackhole", "throw")


@probe(
    "ip6_default_route",
    command="command -v ip >/dev/null || exit 127; ip -6 route show default",
    description="IPv6 default routes (ip -6 route show default)",
)
def parse_ip6_default_route(section: Section) -> list[Route6]:
    """The ``ip6_default_route`` probe's output parsed (IPv6 default routes)."""

    out: list[Route6] = []
    for line in section.text.splitlines():
        if not line.strip():
            continue
        words = line.split()
        if line[0].isspace() and words[0] == "nexthop":
            # Multipath: 'default proto ra ...' followed by indented 'nexthop via X dev Y'.
            gw = words[words.index("via") + 1] if "via" in words else ""
            dev = words[words.index("dev") + 1] if "dev" in words else ""
            out.append(Route6(gw, dev, line.strip()))
            continue
        if words[0] in _ROUTE_TYPES_UNUSABLE:
            continue
        if words[0] != "default":
            raise FactParseError(T("not an 'ip -6 route' default line: {line}",
                                   line=repr(line[:60])))
        if "via" not in words and "dev" not in words:
            continue  # a multipath head; its nexthop lines follow
        gw = words[words.index("via") + 1] if "via" in words else ""
        dev = words[words.index("dev") + 1] if "dev" in words else ""
        if gw:
            _check_ipv6(gw.split("%")[0])
        out.append(Route6(gw, dev, line.strip()))
    return out


# ---------------------------------------------------------------------------- resolvers

RESOLV_CONF = "/etc/resolv.conf"
RESOLVED_RUNTIME = "/run/systemd/resolve/resolv.conf"
RESOLVED_CONF = "/etc/systemd/resolved.conf"


@dataclass(frozen=True)
class ResolverConfig:
    """Nameservers configured in resolv.conf and, behind the stub, systemd-resolved."""

    resolv_conf: tuple[str, ...] | None  # None: no /etc/resolv.conf
    runtime: tuple[str, ...] | None  # /run/systemd/resolve/resolv.conf
    resolved_dns: tuple[str, ...]  # DNS= (and FallbackDNS= kept apart) in resolved.conf
    resolved_fallback: tuple[str, ...]


def _nameservers(text: str) -> tuple[str, ...]:
    out = []
    for raw in text.splitlines():
        words = raw.split("#", 1)[0].split(";", 1)[0].split()
        if len(words) >= 2 and words[0] == "nameserver":
            out.append(words[1])
    return tuple(out)


def _resolved_servers(text: str) -> tuple[list[str], list[str]]:
    dns: list[str] = []
    fallback: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        for key, target in (("DNS=", dns), ("FallbackDNS=", fallback)):
            if line.startswith(key):
                values = line[len(key):].split()
                if not values:
                    target.clear()  # an empty assignment resets the list
                target.extend(values)
    return dns, fallback


@probe(
    "resolver_conf",
    files=(RESOLV_CONF, RESOLVED_RUNTIME, RESOLVED_CONF, "/etc/systemd/resolved.conf.d/*.conf"),
    description="configured DNS resolvers (resolv.conf, systemd-resolved)",
)
def parse_resolver_conf(section: Section) -> ResolverConfig:
    """The ``resolver_conf`` probe's output parsed (configured DNS resolvers)."""

    dns: list[str] = []
    fallback: list[str] = []
    order = ([RESOLVED_CONF] if RESOLVED_CONF in section.files else []) + sorted(
        p for p in section.files if p.startswith("/etc/systemd/resolved.conf.d/"))
    for path in order:
        d, f = _resolved_servers(section.files[path])
        if d or "DNS=" in section.files[path]:
            dns = d
        if f:
            fallback = f
    return ResolverConfig(
        _nameservers(section.files[RESOLV_CONF]) if RESOLV_CONF in section.files else None,
        _nameservers(section.files[RESOLVED_RUNTIME]) if RESOLVED_RUNTIME in section.files
        else None, tuple(dns), tuple(fallback))


@probe(
    "resolvectl_dns",
    command="command -v resolvectl >/dev/null || exit 127; resolvectl dns",
    description="systemd-resolved upstream DNS servers per link (resolvectl dns)",
)
def parse_resolvectl_dns(section: Section) -> tuple[str, ...]:
    """The ``resolvectl_dns`` probe's output parsed."""

    out: list[str] = []
    for line in section.text.splitlines():
        if not line.strip():
            continue
        head, sep, rest = line.partition(":")
        if not sep or not re.match(r"^(Global|Link \d+ \(.*\))$", head.strip()):
            raise FactParseError(T("not a 'resolvectl dns' line: {line}", line=repr(line[:60])))
        out += rest.split()
    return tuple(out)
