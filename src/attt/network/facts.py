"""Names of the network facts, and their text form.

Network facts are produced already parsed (``Facts(values=...)``), but each also has a
YAML/JSON text form read by a registered parser, so check scenarios
(``tests/checks/<check>/*.yaml``) can hold them like any probe output.  These probes have no
command: the collector never plans them (only host-scope checks are planned).
"""

from __future__ import annotations

from typing import Any

from ..errors import InputError
from ..registry import PROBES, Probe, Section, register_probe
from ..yamlio import load_text

ZONE_PLAN = "net.zone_plan"  # from the inventory: zones, roles, networks, overlaps
SCAN = "net.scan"  # open services seen from the vantage zone, with the LAN rules
TLS = "net.tls"  # every TLS service found: certificate, protocols, ciphers, chain
IPV6 = "net.ipv6"  # IPv6 readiness: public services (DNS, parity, HTTPS) and zones
ALL = (ZONE_PLAN, SCAN, TLS, IPV6)

_REQUIRED = {ZONE_PLAN: ("zones", "overlaps"), SCAN: ("vantage", "vantage_role", "open"),
             TLS: ("services",), IPV6: ("services", "zones")}


def _parser(name: str) -> Any:
    def parse(section: Section) -> Any:
        try:
            data = load_text(section.text, f"fact {name}")
        except InputError as exc:
            raise ValueError(str(exc)) from None
        if not isinstance(data, dict):
            raise ValueError(f"{name}: expected a mapping")
        missing = [k for k in _REQUIRED[name] if k not in data]
        if missing:
            raise ValueError(f"{name}: missing {', '.join(missing)}")
        return data

    return parse


for _name in ALL:
    if _name not in PROBES:
        register_probe(Probe(_name, _parser(_name), description=f"network fact {_name}"))
