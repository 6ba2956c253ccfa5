"""Named services, port sets and port specifications used by LAN rules and the scan plan."""

from __future__ import annotations

import re

from ..messages import T

Port = tuple[str, int]  # ("tcp" | "udp", number)

# A rule naming a service matches these ports: firewalls filter ports, not protocols, so a
# service on a non-standard port must be written as tcp/PORT.
NAMED: dict[str, tuple[Port, ...]] = {
    "ftp": (("tcp", 21),),
    "ssh": (("tcp", 22),),
    "telnet": (("tcp", 23),),
    "smtp": (("tcp", 25), ("tcp", 587)),
    "dns": (("tcp", 53), ("udp", 53)),
    "tftp": (("udp", 69),),
    "http": (("tcp", 80),),
    "pop3": (("tcp", 110),),
    "ntp": (("udp", 123),),
    "imap": (("tcp", 143),),
    "snmp": (("udp", 161),),
    "ldap": (("tcp", 389),),
    "https": (("tcp", 443),),
    "smb": (("tcp", 139), ("tcp", 445)),
    "rsh": (("tcp", 514),),
    "rlogin": (("tcp", 513),),
    "rexec": (("tcp", 512),),
    "ldaps": (("tcp", 636),),
    "imaps": (("tcp", 993),),
    "pop3s": (("tcp", 995),),
    "mssql": (("tcp", 1433),),
    "oracle": (("tcp", 1521),),
    "mysql": (("tcp", 3306),),
    "rdp": (("tcp", 3389),),
    "postgresql": (("tcp", 5432),),
    "vnc": (("tcp", 5900),),
    "winrm": (("tcp", 5985), ("tcp", 5986)),
    "redis": (("tcp", 6379),),
    "elasticsearch": (("tcp", 9200),),
    "mongodb": (("tcp", 27017),),
    "ipmi": (("udp", 623),),
}

DB_PORTS: frozenset[Port] = frozenset(
    ("tcp", p) for p in (1433, 1521, 3306, 5432, 6379, 9200, 11211, 27017)
)
MGMT_PORTS: frozenset[Port] = frozenset(
    [("tcp", p) for p in (22, 23, 512, 513, 514, 2375, 3389, 5900, 5985, 5986, 10000)]
    + [("udp", 161), ("udp", 623)]
)
INSECURE_PORTS: frozenset[Port] = frozenset(
    [("tcp", p) for p in (21, 23, 512, 513, 514)] + [("udp", 69)]
)

# Small on purpose (scan time): the services the checks judge, plus common ones.  Rules,
# public services and vantage points add their own ports to this list.
DEFAULT_TCP = (21, 22, 23, 25, 53, 80, 110, 139, 143, 389, 443, 445, 512, 513, 514, 636, 993,
               995, 1433, 1521, 2375, 3306, 3389, 5432, 5900, 5985, 5986, 6379, 8080, 8443,
               9200, 10000, 11211, 27017)
DEFAULT_UDP = (69, 161, 623)

_SPEC = re.compile(r"(tcp|udp)/([0-9]{1,5})(?:-([0-9]{1,5}))?")


def parse_service(spec: str) -> tuple[tuple[str, int, int], ...] | None:
    """``tcp/80``, ``udp/161``, ``tcp/8000-8100``, ``80`` (tcp), a name, or ``any``.

    Returns (proto, first, last) ranges; None for ``any``.  ValueError when not understood.
    """

    spec = spec.strip().lower()
    if spec == "any":
        return None
    if spec in NAMED:
        return tuple((proto, port, port) for proto, port in NAMED[spec])
    if spec.isdigit():
        spec = f"tcp/{spec}"
    m = _SPEC.fullmatch(spec)
    if not m:
        # The message is a T: zone-plan loading passes it on, translated, as the problem.
        raise ValueError(T("expected tcp/PORT, udp/PORT, tcp/LOW-HIGH, a port number, 'any' "
                           "or one of: {names}; got {value}", names=sorted(NAMED),
                           value=repr(spec)))
    lo = int(m.group(2))
    hi = int(m.group(3) or lo)
    if not 1 <= lo <= hi <= 65535:
        raise ValueError(T("port range out of 1-65535: {value}", value=repr(spec)))

    return ((m.group(1), lo, hi),)


def matches(specs: tuple[str, ...], proto: str, port: int) -> bool:
    """Whether a protocol/port falls under any of the service specs."""

    for spec in specs:
        ranges = parse_service(spec)
        if ranges is None:
            return True
        if any(p == proto and lo <= port <= hi for p, lo, hi in ranges):
            return True
    return False


def ports_of(specs: tuple[str, ...], limit: int = 64) -> set[Port]:
    """The concrete ports a list of specs names (ranges wider than ``limit`` are skipped:
    they are matched when seen, not added to the scan)."""

    out: set[Port] = set()
    for spec in specs:
        ranges = parse_service(spec) or ()
        for proto, lo, hi in ranges:
            if hi - lo < limit:
                out.update((proto, p) for p in range(lo, hi + 1))
    return out
