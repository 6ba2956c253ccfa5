"""The zone plan against Circular 12 Appendix II.1.a minimums, and overlapping zones.

Minimum zones per level (catalogue ``zone_minimums``): level 1 internal, perimeter and DMZ;
level 2 adds internal servers and wireless (if the system has Wi-Fi); level 3 adds database
servers and administration; level 4 and 5 add device management.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from ..model import System, Zone
from .targets import network_of

# "external" is the Internet side: a vantage point only, never a zone of the system plan.
ZONE_ROLES = ("internal", "perimeter", "dmz", "internal_server", "wireless", "db_server",
              "management", "device_management", "external", "other")

LEVEL_MINIMUM: dict[int, tuple[str, ...]] = {
    1: ("internal", "perimeter", "dmz"),
    2: ("internal", "perimeter", "dmz", "internal_server", "wireless"),
    3: ("internal", "perimeter", "dmz", "internal_server", "wireless", "db_server",
        "management"),
    4: ("internal", "perimeter", "dmz", "internal_server", "wireless", "db_server",
        "management", "device_management"),
}
LEVEL_MINIMUM[5] = LEVEL_MINIMUM[4]
CONDITIONAL = {"wireless"}  # required only if the system has that kind of network
# Roles whose hosts are users' machines: reaching servers' admin and DB ports from them is
# what TT12.KT.MANG.2 forbids unless a rule documents it.
USER_ROLES = ("internal", "wireless")
OUTSIDE_ROLES = ("external", "perimeter")


def first_level(role: str) -> int:
    """The lowest level from which a zone role is required (6: never)."""

    return min((lvl for lvl, roles in LEVEL_MINIMUM.items() if role in roles), default=6)


def overlaps(zones: Sequence[Zone]) -> list[tuple[str, str, str, str]]:
    """(zone a, network a, zone b, network b) for every pair of zones sharing addresses."""

    out = []
    for a, b in itertools.combinations(zones, 2):
        for na, nb in itertools.product(a.networks, b.networks):
            x, y = network_of(na), network_of(nb)
            if x.version == y.version and x.overlaps(y):  # type: ignore[arg-type,unused-ignore]
                out.append((a.name, na, b.name, nb))
    return out


def zone_plan(system: System) -> dict[str, Any]:
    """The ``net.zone_plan`` fact: everything the zone checks need, from the inventory."""

    return {
        "system": system.name,
        "level": system.level,
        "zones": [
            {
                "name": z.name,
                "role": z.role,
                "networks": list(z.networks),
                "ipv6": any(network_of(n).version == 6 for n in z.networks),
            }
            for z in system.zones
        ],
        "overlaps": [list(o) for o in overlaps(system.zones)],
    }
