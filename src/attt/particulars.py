"""System particulars for the level-approval dossier: the data (tools/regulation/dossier.md §2).

These keys describe a system for the explanatory document (owner and operating-unit
details, scope and scale, equipment, services, zone plan, classification answers, level 4-5
annexes, the solution in place per requirement).  None of them is needed to scan; anything
left out becomes a gap in ``attt dossier``.  Read from the inventory by
``attt.particulars_loader``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from .level_suggest import Answers

PARTICULAR_KEYS = (
    "title",
    "security_unit",
    "lifecycle",
    "go_live",
    "hosting",
    "classification",
    "scope",
    "scale",
    "audiences",
    "devices",
    "services",
    "connected_systems",
    "threats",
    "impacts",
    "availability_24x7",
    "design_doc",
    "regulation",
    "document",
    "solutions",
)
ZONE_DETAIL_KEYS = ("vlan", "public_ips")  # besides name, role, networks, description
PARTY_KEYS = ("name", "mandate", "representative", "position", "address", "phone", "email",
              "delegation", "also_operates")
LIFECYCLES = ("operating", "new", "upgrade", "rental")
HOSTINGS = ("on_prem", "rented_dc", "cloud")


@dataclass(frozen=True)
class Party:
    """Owner, operating unit or specialised security unit (TT12 Art. 8.3.a-b)."""

    name: str = ""
    mandate: str = ""  # document stating its functions, duties and powers
    representative: str = ""
    position: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    delegation: str = ""  # written delegation of the owner's role, if any
    also_operates: bool = False  # security unit only: it also operates the system


@dataclass(frozen=True)
class Device:
    """A device of the system, as the dossier lists equipment."""

    name: str
    type: str = ""
    model: str = ""
    qty: int = 1
    location: str = ""
    purpose: str = ""
    zone: str = ""
    os: str = ""
    main: bool = False  # main network device (TT12 Art. 3.2)
    address: str = ""  # filled from the host of the same name


@dataclass(frozen=True)
class Service:
    """A service the system provides, with its hosts and exposure."""

    name: str
    hosts: tuple[str, ...] = ()
    os: str = ""
    location: str = ""
    purpose: str = ""
    exposure: str = ""  # public | internal
    ports: str = ""


@dataclass(frozen=True)
class ZoneDetail:
    """A zone as the dossier describes it (VLAN, public addresses)."""

    name: str
    role: str
    networks: tuple[str, ...]
    description: str = ""
    vlan: str = ""
    public_ips: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocRef:
    """A reference to a document: title, number, date, approver."""

    title: str = ""
    number: str = ""
    date: dt.date | None = None
    approver: str = ""


@dataclass(frozen=True)
class Solution:
    """How a requirement is met, and what remains to do, in the plan table."""

    text: str = ""
    action: str = ""  # remediation when not fully met
    responsible: str = ""
    deadline: str = ""


@dataclass(frozen=True)
class Particulars:
    """What the inventory says about a system for its dossier."""

    title: str = ""
    owner: Party = Party()
    operator: Party = Party()
    security_unit: Party = Party()
    lifecycle: str = "operating"
    go_live: dt.date | None = None
    hosting: str = ""
    classification: Answers | None = None
    scope: str = ""
    components: tuple[str, ...] = ()
    outside: tuple[Mapping[str, str], ...] = ()  # connected systems left out of scope
    scale: Mapping[str, str] = field(default_factory=dict)
    audiences: tuple[Mapping[str, str], ...] = ()
    devices: tuple[Device, ...] = ()
    services: tuple[Service, ...] = ()
    zones: tuple[ZoneDetail, ...] = ()
    connected_systems: tuple[Mapping[str, str], ...] = ()
    threats: tuple[Mapping[str, str], ...] = ()
    impacts: tuple[Mapping[str, str], ...] = ()
    availability_24x7: Mapping[str, str] = field(default_factory=dict)
    design_doc: DocRef = DocRef()
    regulation: DocRef = DocRef()
    document: Mapping[str, str] = field(default_factory=dict)
    solutions: Mapping[str, Solution] = field(default_factory=dict)
