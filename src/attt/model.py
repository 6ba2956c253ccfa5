"""Frozen data model shared by loaders, runner, grading and renderers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .messages import Msg, plain
from .particulars import Particulars

JSONValue = Any  # evidence values are JSON-serialisable by contract


class Status(StrEnum):
    """The status of a finding or a requirement."""

    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    NOT_APPLICABLE = "not_applicable"
    MANUAL = "manual"
    WAIVED = "waived"


# Worst first: a requirement takes the worst status of its checks over all hosts
# (docs/design.md §6).  N/A only wins when nothing else was seen.
STATUS_ORDER: tuple[Status, ...] = (
    Status.FAIL,
    Status.ERROR,
    Status.MANUAL,
    Status.PASS,
    Status.WAIVED,
    Status.NOT_APPLICABLE,
)


def worst(statuses: Sequence[Status]) -> Status:
    """The worst of the statuses (STATUS_ORDER); not_applicable when there are none."""

    if not statuses:
        return Status.NOT_APPLICABLE
    return min(statuses, key=STATUS_ORDER.index)


class Severity(StrEnum):
    """How grave a failed requirement or check is."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def weight(self) -> int:
        """The severity's weight in the compliance percentage."""

        return SEVERITY_WEIGHTS[self]


# Published in the README and the report: compliance % is weighted by these.
SEVERITY_WEIGHTS: Mapping[Severity, int] = {
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 4,
    Severity.CRITICAL: 8,
}


@dataclass(frozen=True)
class Result:
    """What a check returns for one host."""

    status: Status
    message: str | Msg
    observed: JSONValue = None
    expected: JSONValue = None
    source: str = ""

    @property
    def evidence(self) -> dict[str, JSONValue]:
        """Observed, expected and source as a finding stores them."""

        return {"observed": self.observed, "expected": self.expected, "source": self.source}


@dataclass(frozen=True)
class CheckRef:
    """A check named by a requirement, with the parameter values in force for the level."""

    check_id: str
    params: Mapping[str, JSONValue] = field(default_factory=dict)


@dataclass(frozen=True)
class EvidenceSpec:
    """A document a requirement needs (management items, layers 2-4)."""

    key: str
    title_vi: str
    title_en: str
    # Freshness rule of the level: the document (or its last review) must be younger.
    max_age_months: int | None = None
    # Must be issued before the level-approval decision (the IS regulation, TT12 Art. 9.7).
    before_approval: bool = False


@dataclass(frozen=True)
class Requirement:
    """One requirement of a level, with its checks and documents."""

    id: str
    title_vi: str
    title_en: str
    group: str
    layer: int
    severity: Severity
    clauses: Mapping[str, str]
    checks: tuple[CheckRef, ...] = ()
    evidence: tuple[EvidenceSpec, ...] = ()
    roles: tuple[str, ...] = ()  # empty: every host role
    description_en: str = ""
    # Not an item of the regime (e.g. IPv6 for Gov): reported and scored, but it never
    # blocks the level verdict nor changes the exit code.
    advisory: bool = False

    @property
    def kind(self) -> str:
        """automated (checks only), evidence (documents only) or mixed."""

        if self.checks and self.evidence:
            return "mixed"
        return "automated" if self.checks else "evidence"


@dataclass(frozen=True)
class ParamProvenance:
    """Where a parameter value in force came from (shown in the report)."""

    requirement_id: str
    check_id: str
    name: str
    value: JSONValue
    source: str  # "check default", "profile nd85-tt12-2", "tailoring file.yaml"
    weakened: bool = False


@dataclass(frozen=True)
class Exclusion:
    """A requirement the tailoring declares not applicable, with the reason."""

    requirement_id: str
    reason: str | Msg  # the tailoring's own words, or attt's (a message) for --network-only


@dataclass(frozen=True)
class Waiver:
    """An approved, time-limited exception to a failing requirement or check."""

    target: str  # requirement id or check id
    hosts: str  # fnmatch pattern over "system/host"
    reason: str
    approver: str
    expires: str  # ISO date, Asia/Ho_Chi_Minh
    source: str


@dataclass(frozen=True)
class Profile:
    """The requirements of one regime and level, with tailoring applied."""

    id: str
    regime: str
    level: int
    title_vi: str
    title_en: str
    instruments: tuple[str, ...]
    requirements: tuple[Requirement, ...]
    sources: tuple[str, ...]
    provenance: tuple[ParamProvenance, ...] = ()
    exclusions: tuple[Exclusion, ...] = ()
    # Where the requirement content comes from, when it is not the official text.
    caveat_vi: str = ""
    caveat_en: str = ""

    def requirement(self, req_id: str) -> Requirement:
        """The requirement with this id (KeyError if the profile has none)."""

        for req in self.requirements:
            if req.id == req_id:
                return req
        raise KeyError(req_id)


@dataclass(frozen=True)
class ZoneWorker:
    """A zone worker allowed to return results for its zone (``attt worker``): its id and
    the Ed25519 public key (PEM file, resolved path) its results must be signed with."""

    id: str
    public_key: str


@dataclass(frozen=True)
class Zone:
    """A network zone of a system (internal, DMZ, perimeter ...)."""

    name: str
    role: str
    networks: tuple[str, ...] = ()
    # Addresses or host names in the zone to scan besides its hosts (networks wider than
    # 256 addresses are not swept; see attt.network.targets).
    targets: tuple[str, ...] = ()
    # Why the zone has no IPv6 by decision (inventory ``ipv6: false``); "" = none declared.
    # Such a zone is shown in the IPv6 readiness finding but not scored as missing.
    ipv6_exempt: str = ""
    # Zone workers whose signed results are accepted for the zone's hosts (attt.distributed).
    workers: tuple[ZoneWorker, ...] = ()


@dataclass(frozen=True)
class LanRule:
    """One documented flow between zones (``*`` = any zone), first match wins."""

    source: str
    target: str
    action: str  # allow | deny
    services: tuple[str, ...]  # tcp/80, udp/161, tcp/8000-8100, a name (ssh, https), any
    reason: str = ""


@dataclass(frozen=True)
class VantagePoint:
    """A zone a network scan runs from; ``local``: attt runs on a machine inside it."""

    zone: str
    via: str = "local"
    resolver: str = ""  # DNS server as IP or IP:PORT seen from this zone; "" = system's
    ports: tuple[str, ...] = ()  # more ports to scan, as rule service specs
    max_rate: int = 300  # packets per second (nmap --max-rate)
    host_timeout: int = 120  # seconds per target (nmap --host-timeout)


@dataclass(frozen=True)
class PublicService:
    """A service published to the outside, checked for IPv6 readiness and TLS."""

    name: str
    host: str  # host name (A/AAAA looked up) or IP address
    ports: tuple[int, ...]
    domain: str = ""  # its name servers and mail exchangers are checked for IPv6
    ca_file: str = ""  # extra trust anchors (a private PKI), resolved path
    # Every entry of ``host:`` (names and addresses, e.g. one IPv4 and one IPv6 address);
    # ``host`` is the first.  Empty: just ``host``.
    hosts: tuple[str, ...] = ()

    @property
    def all_hosts(self) -> tuple[str, ...]:
        """The hosts the service is published on."""

        return self.hosts or (self.host,)


@dataclass(frozen=True)
class Host:
    """One host of a system and how to reach it."""

    name: str
    system: str
    transport: str  # registry key: local | ssh | dir
    address: str = ""
    port: int = 22
    user: str = ""
    roles: tuple[str, ...] = ("server",)
    zone: str = ""
    tags: tuple[str, ...] = ()
    options: Mapping[str, JSONValue] = field(default_factory=dict)
    # Where each connection setting came from (attt.ssh_config): setting -> {"value",
    # "source"}, source "inventory", "ssh_config FILE:LINE" or "default"; {} = not resolved.
    connection: Mapping[str, JSONValue] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """``system/host``: the host's name across the inventory."""

        return f"{self.system}/{self.name}"


@dataclass(frozen=True)
class System:
    """One information system: its level, zones, hosts and LAN rules."""

    name: str
    owner: str
    operating_unit: str
    regime: str
    level: int
    zones: tuple[Zone, ...]
    hosts: tuple[Host, ...]
    description: str = ""
    rules: tuple[LanRule, ...] = ()
    rules_default: str = "deny"
    vantage_points: tuple[VantagePoint, ...] = ()
    public_services: tuple[PublicService, ...] = ()
    evidence: str = ""  # the system's evidence file (resolved path), if any
    coverage: str = ""  # the system's attt coverage result (resolved path), if any
    # Dossier particulars (owner details, devices, services ...); see attt.particulars.
    particulars: Particulars | None = None


@dataclass(frozen=True)
class Inventory:
    """Everything an inventory file declares."""

    source: str
    systems: tuple[System, ...]
    known_hosts: str = ""  # inventory-level known_hosts file, resolved path
    # What reading the inventory noticed and the report must say (an Ansible variable attt
    # does not use, an ssh_config setting it will not loosen its rules for ...).
    notes: tuple[Msg, ...] = ()

    def hosts(self) -> list[Host]:
        """Every host of every system."""

        return [h for s in self.systems for h in s.hosts]


@dataclass(frozen=True)
class Finding:
    """One check on one host for one requirement: the unit streamed to findings.jsonl."""

    system: str
    host: str
    requirement_id: str
    check_id: str
    params: Mapping[str, JSONValue]
    status: Status
    message: str
    evidence: Mapping[str, JSONValue]
    waiver: Mapping[str, JSONValue] | None = None
    # The Vietnamese text of ``message`` (English); empty in documents older than it.
    message_vi: str = ""

    def to_json(self) -> dict[str, JSONValue]:
        """The finding as findings.jsonl and results.json store it."""

        doc: dict[str, JSONValue] = {
            "system": self.system,
            "host": self.host,
            "requirement": self.requirement_id,
            "check": self.check_id,
            "params": dict(self.params),
            "status": self.status.value,
            "message": self.message,
            "evidence": plain(dict(self.evidence)),
            "waiver": dict(self.waiver) if self.waiver else None,
        }
        if self.message_vi:
            doc["message_vi"] = self.message_vi
        return doc

    @classmethod
    def from_json(cls, data: Mapping[str, JSONValue]) -> Finding:
        """A finding read back from findings.jsonl or results.json."""

        return cls(
            system=str(data["system"]),
            host=str(data["host"]),
            requirement_id=str(data["requirement"]),
            check_id=str(data["check"]),
            params=dict(data.get("params") or {}),
            status=Status(data["status"]),
            message=str(data["message"]),
            evidence=dict(data.get("evidence") or {}),
            waiver=data.get("waiver"),
            message_vi=str(data.get("message_vi") or ""),
        )
