"""Windows hosts: the sections of the Windows collector document (docs/windows-collector.md).

The collector (``collector.ps1``) prints one JSON document per host; the transport that
fetched it (WinRM, OpenSSH, a ``collected:`` folder) checks its SHA-256, parses its body and
calls :func:`sections_from_document`, which gives one registry :class:`Section` per collector
section, named ``win_<section>``, whose text is the JSON of the section's data, plus
``win_host`` (the envelope: host, collection time, elevation).  The parsers below turn those
texts into typed values; the ``win.*`` checks read only those.

A section the collector could not read keeps its reason: ``denied`` becomes a failed section
whose reason is "needs administrator rights", so a check that reads it ends as ``error``,
never ``pass``.

On a POSIX host these probes' commands print nothing: ``win_host`` then parses to ``None``
and the ``win.*`` checks answer "not a Windows host" (not applicable) without reading the
other sections.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from attt.messages import Msg, T
from attt.registry import FactParseError, OfflineTree, Section, SectionState, probe

# The sections of the collector contract, in its order.
SECTIONS = (
    "av_products", "defender", "services", "processes", "uninstall", "firewall", "ipv6",
    "smb", "rdp", "password_policy", "audit_policy", "updates", "usb_storage", "bitlocker",
    "local_accounts", "screen_lock",
)
PREFIX = "win_"
# POSIX hosts: the Windows sections come from the collector document, not from a command.
POSIX = ":"


# ---------------------------------------------------------------------------- the document


def _failed(status: str, reason: str) -> tuple[SectionState, Msg]:
    code = reason or "-"
    if status == "denied":
        return "failed", T("needs administrator rights ({code})", code=code)
    if status == "timeout":
        return "timeout", T("timed out on the host ({code})", code=code)
    if status == "not_applicable":
        return "unavailable", T("not applicable on this host ({code})", code=code)
    return "failed", T("the collector could not read it ({code})", code=code)


def sections_from_document(doc: Mapping[str, Any]) -> dict[str, Section]:
    """The registry sections of one collector document.

    ``doc`` is the envelope with its body already checked (SHA-256) and parsed by the caller
    into ``doc["sections"]`` (the sections object).  Unknown sections are ignored; a section
    absent from the document is absent here (its facts are "not collected").
    """

    host = doc.get("host")
    host = host if isinstance(host, Mapping) else {}
    envelope = {
        "name": host.get("name"), "domain": host.get("domain"),
        "os_build": host.get("os_build"), "product_type": host.get("product_type"),
        "ui_language": host.get("ui_language"), "collected_at": doc.get("collected_at"),
        "elevated": doc.get("elevated"),
    }
    out = {"win_host": Section("win_host", json.dumps(envelope, sort_keys=True), exit_code=0)}
    raw = doc.get("sections")
    sections: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    for name in SECTIONS:
        sec = sections.get(name)
        if not isinstance(sec, Mapping):
            continue
        full = PREFIX + name
        status = str(sec.get("status", "error"))
        if status == "ok":
            text = json.dumps(sec.get("data"), sort_keys=True, ensure_ascii=False)
            out[full] = Section(full, text, exit_code=0)
        else:
            state, reason = _failed(status, str(sec.get("reason") or ""))
            out[full] = Section(full, "", state=state, reason=reason)
    return out


# ---------------------------------------------------------------------------- value helpers


def json_of(section: Section) -> Any:
    """A section's text as JSON."""

    try:
        return json.loads(section.text)
    except json.JSONDecodeError as exc:
        raise FactParseError(T("not JSON: {error}", error=str(exc))) from exc


def bad(what: str, value: Any) -> FactParseError:
    """A parse error naming the unexpected value."""

    return FactParseError(T("unexpected {what}: {value}", what=what, value=repr(value)[:60]))


def to_obj(value: Any, what: str) -> Mapping[str, Any]:
    """``value`` as an object."""

    if not isinstance(value, Mapping):
        raise bad(what, value)
    return value


def to_list(value: Any, what: str) -> list[Any]:
    """``value`` as a list."""

    if not isinstance(value, list):
        raise bad(what, value)
    return value


def to_int(value: Any, what: str) -> int:
    """``value`` as an integer (not a boolean)."""

    if isinstance(value, bool) or not isinstance(value, int):
        raise bad(what, value)
    return value


def opt_int(value: Any, what: str) -> int | None:
    """``value`` as an integer or None."""

    return None if value is None else to_int(value, what)


def to_bool(value: Any, what: str) -> bool:
    """``value`` as a boolean."""

    if not isinstance(value, bool):
        raise bad(what, value)
    return value


def to_str(value: Any, what: str) -> str:
    """``value`` as a string."""

    if not isinstance(value, str):
        raise bad(what, value)
    return value


def opt_str(value: Any, what: str) -> str | None:
    """``value`` as a string or None."""

    return None if value is None else to_str(value, what)


def iso_when(value: Any, what: str) -> datetime | None:
    """``value`` as an ISO date-time or None."""

    if value is None:
        return None
    try:
        return datetime.fromisoformat(to_str(value, what))
    except ValueError as exc:
        raise bad(what, value) from exc


def day(value: Any, what: str) -> date | None:
    """``value`` as the date of an ISO date-time, or None."""

    moment = iso_when(value, what)
    return None if moment is None else moment.date()


# ---------------------------------------------------------------------------- host


@dataclass(frozen=True)
class WinHost:
    """The collector envelope: who, when, with which rights."""

    name: str
    domain: str
    os_build: str
    product_type: int  # 1 workstation, 2 domain controller, 3 server
    ui_language: str
    collected_at: datetime | None
    elevated: bool

    @property
    def server(self) -> bool:
        """Windows Server (a domain controller included)."""

        return self.product_type in (2, 3)


def _host_offline(tree: OfflineTree) -> str:
    # An unpacked POSIX tree is not a Windows host.
    return ""


@probe("win_host", command=POSIX, offline=_host_offline,
       description="Windows collector envelope (host, collected_at, elevated)")
def parse_win_host(section: Section) -> WinHost | None:
    """The ``win_host`` section parsed; None on a POSIX host (nothing printed)."""

    if not section.text.strip():
        return None
    d = to_obj(json_of(section), "envelope")
    return WinHost(
        name=to_str(d.get("name"), "host name"), domain=opt_str(d.get("domain"), "domain") or "",
        os_build=opt_str(d.get("os_build"), "os_build") or "",
        product_type=to_int(d.get("product_type"), "product_type"),
        ui_language=opt_str(d.get("ui_language"), "ui_language") or "",
        collected_at=iso_when(d.get("collected_at"), "collected_at"),
        elevated=to_bool(d.get("elevated"), "elevated"),
    )


# ---------------------------------------------------------------------------- anti-malware


@dataclass(frozen=True)
class AvProduct:
    """One SecurityCenter2 AntiVirusProduct; productState decoded the community way
    (bits 0xF000 engine state, 0x0F00 owner, 0x00F0 signature status)."""

    name: str
    product_state: int
    path: str

    @property
    def enabled(self) -> bool:
        """Engine on (0x1000); 0x2000 snoozed and 0x3000 expired are not on."""

        return self.product_state & 0xF000 == 0x1000

    @property
    def up_to_date(self) -> bool:
        """Signatures not flagged out of date (0x10)."""

        return self.product_state & 0x00F0 == 0

    @property
    def microsoft(self) -> bool:
        """Owner Windows (0x100): Microsoft Defender's own entry."""

        return self.product_state & 0x0F00 == 0x0100


@probe("win_av_products", command=POSIX, description="SecurityCenter2 AntiVirusProduct")
def parse_win_av_products(section: Section) -> list[AvProduct]:
    """The ``win_av_products`` section parsed."""

    out = []
    for item in to_list(json_of(section), "av_products"):
        d = to_obj(item, "product")
        out.append(AvProduct(to_str(d.get("name"), "name"), to_int(d.get("product_state"),
                             "product_state"), opt_str(d.get("path"), "path") or ""))
    return out


@dataclass(frozen=True)
class Defender:
    """Get-MpComputerStatus, the fields the checks read."""

    am_service_enabled: bool
    antivirus_enabled: bool
    real_time_protection_enabled: bool
    signature_age_days: int | None  # None: not reported by that Defender platform
    signature_last_updated: datetime | None
    running_mode: str | None  # None: AMRunningMode absent on that platform
    signatures_out_of_date: bool

    @property
    def active(self) -> bool:
        """An engine that scans: service and antivirus on, in Normal mode (or a platform
        too old to report a mode, where "on" can only mean active)."""

        return (self.am_service_enabled and self.antivirus_enabled
                and self.running_mode in ("Normal", None))


@probe("win_defender", command=POSIX, description="Get-MpComputerStatus")
def parse_win_defender(section: Section) -> Defender:
    """The ``win_defender`` section parsed."""

    d = to_obj(json_of(section), "defender")
    return Defender(
        to_bool(d.get("am_service_enabled"), "am_service_enabled"),
        to_bool(d.get("antivirus_enabled"), "antivirus_enabled"),
        to_bool(d.get("real_time_protection_enabled"), "real_time_protection_enabled"),
        opt_int(d.get("signature_age_days"), "signature_age_days"),
        iso_when(d.get("signature_last_updated"), "signature_last_updated"),
        opt_str(d.get("running_mode"), "running_mode"),
        to_bool(d.get("signatures_out_of_date"), "signatures_out_of_date"),
    )


@dataclass(frozen=True)
class WinProduct:
    """A Windows anti-malware product or management agent, shown by its services/processes.

    Names come from vendor FAQs or public process lists (docs: windows-and-scale.md A2);
    ``confirm`` marks names seen only in third-party lists (to confirm on a pilot host).
    """

    name: str
    vendor: str  # matched (case-folded) against SecurityCenter2 names to avoid counting twice
    services: tuple[str, ...]
    processes: tuple[str, ...]
    protects: bool = True  # False: a management agent, not a scanner
    confirm: bool = False


WIN_PRODUCTS: tuple[WinProduct, ...] = (
    WinProduct("Kaspersky Endpoint Security for Windows", "kaspersky", ("avp",), ("avp",)),
    WinProduct("Kaspersky Security for Windows Server", "kaspersky", ("kavfs",), ("kavfs",),
               confirm=True),
    WinProduct("Kaspersky Network Agent", "kaspersky", ("klnagent",), ("klnagent",),
               protects=False),
    WinProduct("Trend Micro Apex One", "trend micro", ("ntrtscan",), ("ntrtscan", "pccntmon")),
    WinProduct("Trend Micro Apex One listener", "trend micro", ("tmlisten",), ("tmlisten",),
               protects=False),
    WinProduct("BKAV", "bkav", ("bkavservice",), ("bkavservice", "bka"), confirm=True),
)


def _service_named(services: Mapping[str, WinService], name: str) -> WinService | None:
    # KES registers "AVP.KES.<version>": a declared name matches it and its dotted variants.
    for key, svc in services.items():
        if key == name or key.startswith(name + "."):
            return svc
    return None


def running_products(table: tuple[WinProduct, ...], services: Mapping[str, WinService],
                     processes: frozenset[str]) -> list[tuple[WinProduct, str]]:
    """The products of ``table`` that run, with where it shows (service or process)."""

    out = []
    for product in table:
        for name in product.services:
            svc = _service_named(services, name)
            if svc is not None and svc.state == "Running":
                out.append((product, f"service {svc.name}"))
                break
        else:
            procs = [p for p in product.processes if p in processes]
            if procs:
                out.append((product, f"process {procs[0]}"))
    return out


@dataclass(frozen=True)
class WinService:
    """One Win32_Service: name, State, StartMode (non-localised CIM values)."""

    name: str
    state: str
    start_mode: str


@probe("win_services", command=POSIX, description="Win32_Service")
def parse_win_services(section: Section) -> dict[str, WinService]:
    """The ``win_services`` section parsed: case-folded service name -> service."""

    out = {}
    for item in to_list(json_of(section), "services"):
        d = to_obj(item, "service")
        s = WinService(to_str(d.get("name"), "name"), to_str(d.get("state"), "state"),
                       to_str(d.get("start_mode"), "start_mode"))
        out[s.name.casefold()] = s
    return out


@probe("win_processes", command=POSIX, description="Get-Process names")
def parse_win_processes(section: Section) -> frozenset[str]:
    """The ``win_processes`` section parsed: case-folded process names (no .exe)."""

    return frozenset(to_str(p, "process").casefold().removesuffix(".exe")
                     for p in to_list(json_of(section), "processes"))


@dataclass(frozen=True)
class Installed:
    """One Uninstall registry entry."""

    name: str
    version: str
    publisher: str


@probe("win_uninstall", command=POSIX, description="HKLM Uninstall keys")
def parse_win_uninstall(section: Section) -> list[Installed]:
    """The ``win_uninstall`` section parsed."""

    out = []
    for item in to_list(json_of(section), "uninstall"):
        d = to_obj(item, "entry")
        out.append(Installed(to_str(d.get("name"), "name"),
                             opt_str(d.get("version"), "version") or "",
                             opt_str(d.get("publisher"), "publisher") or ""))
    return out
