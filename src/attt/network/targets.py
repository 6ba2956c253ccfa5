"""Validation of every string that can become an nmap target (docs/design.md §8).

python-nmap splits its ``hosts`` argument with shlex and puts it BEFORE the options on the
nmap command line, so a target such as ``-iL /etc/shadow`` would become an nmap option.  Only
IP addresses, IP networks in CIDR form and RFC 1123 host names pass; nothing else reaches
nmap.  The checks are whole-string (fullmatch), so a trailing newline or ``;id`` fails too.
"""

from __future__ import annotations

import ipaddress
import re

from ..errors import InputError
from ..messages import T
from ..targets import is_hostname, is_ip

# Zone networks larger than this are not swept address by address: only the zone's named
# targets and hosts are scanned (a /16 would take hours and look like an attack).
MAX_SWEEP_ADDRESSES = 256
MAX_TARGETS = 4096

_CIDR = re.compile(r"[0-9A-Fa-f:.]+/[0-9]{1,3}")


class TargetError(InputError):
    """A target string that is not an IP address, network or host name."""


def is_network(value: str) -> bool:
    """Whether the value is a CIDR network."""

    if not _CIDR.fullmatch(value):
        return False
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return True


def check_target(value: str, source: str = "target", key: str = "") -> str:
    """``value`` if it is an IP address, CIDR network or host name; else TargetError."""

    if not isinstance(value, str) or not value:
        raise TargetError(source, key, T("empty or non-text target {value}", value=repr(value)))
    if value.lstrip().startswith("-"):
        raise TargetError(source, key, T("target looks like an nmap option, refused: {value}",
                                         value=repr(value)))
    if value != value.strip() or any(c.isspace() for c in value):
        raise TargetError(source, key, T("target contains white space: {value}",
                                         value=repr(value)))
    if "/" in value:
        if not is_network(value):
            raise TargetError(source, key, T("not a valid CIDR network: {value}",
                                             value=repr(value)))
        return value
    if is_ip(value) or is_hostname(value):
        return value
    raise TargetError(source, key, T("not an IP address, network or host name: {value}",
                                     value=repr(value)))



def network_of(value: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    """The network of a CIDR value (host bits allowed)."""

    return ipaddress.ip_network(value, strict=False)


def family(value: str) -> int:
    """4 or 6 for an address or network; 0 for a host name (resolved later)."""

    if "/" in value:
        return network_of(value).version
    if is_ip(value):
        return ipaddress.ip_address(value).version
    return 0


def sweepable(net: str) -> bool:
    """Whether the network is small enough to sweep address by address."""

    return network_of(net).num_addresses <= MAX_SWEEP_ADDRESSES


def addresses_in(address: str, nets: tuple[str, ...]) -> bool:
    """Whether an address lies in any of the networks."""

    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip.version == network_of(n).version and ip in network_of(n) for n in nets)
