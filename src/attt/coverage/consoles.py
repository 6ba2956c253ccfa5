"""Anti-malware console exports for ``attt coverage``: which machines a console manages, when
it last saw them, how old their bases are and whether real-time protection runs.

Formats (sources in tests/fixtures/coverage/PROVENANCE.md):

- Kaspersky Security Center: CSV or XML whose columns (or child elements / attributes) are the
  Open API host attributes ``KLHST_WKS_*`` (DN, FQDN, WINHOSTNAME, IP_LONG, LAST_VISIBLE,
  RTP_AV_BASES_TIME, RTP_STATE, STATUS).
- Microsoft Defender for Endpoint: the device antivirus health export (JSON response
  ``{"value": [...]}``, a list, or one JSON object per line).
- Trend Micro Apex Central and any other console (BKAV included): a CSV read through a
  column-mapping YAML.  Apex Central's CSV columns are not published: attt ships
  ``apex-central.yaml`` as a documented guess to confirm against a real export.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from ..errors import InputError
from ..messages import Msg, T
from ..yamlio import Node, load_file, load_text
from .sources import (
    Loaded,
    Record,
    Table,
    check_name,
    norm_ip,
    norm_mac,
    parse_time,
    parse_xml,
    read_table,
    read_text,
)

KSC_PREFIX = "KLHST_WKS_"
# KLHST_WKS_RTP_STATE (KSC Open API, list of host attributes): 4-8 are "running" variants
# (running, maximum protection, maximum speed, recommended settings, custom settings).
RTP_STATES: Mapping[int, Msg] = {
    0: T("real-time protection state unknown"), 1: T("real-time protection stopped"),
    2: T("real-time protection suspended"), 3: T("real-time protection starting"),
    9: T("real-time protection failed"),
}
RTP_RUNNING = frozenset(range(4, 9))
# KLHST_WKS_STATUS bit: real-time protection installed.
KSC_STATUS_RTP_INSTALLED = 0x10
# avMode of the MDE antivirus health export.
MDE_MODES: Mapping[str, Msg] = {
    "1": T("Defender in passive mode"),
    "2": T("Defender disabled"),
    "3": T("Defender mode 'other'"),
    "4": T("Defender in EDR block mode only"),
    "5": T("Defender in passive audit mode"),
    "": T("Defender mode 'other'"),
}


@dataclass(frozen=True)
class Mapping_:
    """A column mapping: which CSV column holds each field of a console export."""

    source: str
    console: str
    name: str
    ip: str = ""
    mac: str = ""
    last_seen: str = ""
    bases_time: str = ""
    rtp: str = ""
    rtp_on: tuple[str, ...] = ()

    def columns(self) -> list[str]:
        """The columns the export must have."""

        return [c for c in (self.name, self.ip, self.mac, self.last_seen, self.bases_time,
                            self.rtp) if c]


FIELDS = ("name", "ip", "mac", "last_seen", "bases_time", "rtp")


def load_mapping(path: str, text: str | None = None) -> Mapping_:
    """A mapping YAML: ``console``, ``columns`` (``name`` required; ``ip``, ``mac``,
    ``last_seen``, ``bases_time``, ``rtp``), ``rtp_on`` (values meaning "running")."""

    raw = load_text(text, path) if text is not None else load_file(path)
    node = Node(raw, path)
    node.allow("console", "columns", "rtp_on")
    columns = Node(node.raw("columns"), path, "columns")
    columns.allow(*FIELDS)
    if not columns.has("name"):
        raise columns.error("name", T("required: the column with the machine name"))
    values = {f: columns.text(f, "") for f in FIELDS}
    if values["rtp"] and not node.has("rtp_on"):
        raise node.error("rtp_on", T("required with columns.rtp: the values meaning running"))
    return Mapping_(path, node.text("console"), rtp_on=tuple(
        v.casefold() for v in node.texts("rtp_on")) if node.has("rtp_on") else (), **values)


def default_mappings() -> list[Mapping_]:
    """The mappings attt ships (Apex Central's, a documented guess)."""

    ref = resources.files("attt.coverage").joinpath("apex-central.yaml")
    return [load_mapping(f"attt:coverage/{ref.name}", ref.read_text(encoding="utf-8"))]


def from_mapped(path: str, table: Table, mapping: Mapping_) -> list[Record]:
    """Rows of a CSV export read through ``mapping``."""

    records = []
    for line, row in table.rows:
        def cell(field: str, row: dict[str, str] = row) -> str:
            column = getattr(mapping, field)
            return row.get(column, "").strip() if column else ""

        def where(field: str, line: int = line) -> Msg:
            return table.where(line, getattr(mapping, field))

        name = check_name(cell("name"), path, where("name"))
        ips = tuple(norm_ip(i, path, where("ip")) for i in _split(cell("ip")))
        macs = tuple(m for m in (norm_mac(x) for x in _split(cell("mac"))) if m)
        seen = parse_time(cell("last_seen"), path, where("last_seen"))
        bases = parse_time(cell("bases_time"), path, where("bases_time"))
        problems: list[Msg] = []
        if mapping.bases_time and bases is None:
            problems.append(T("bases date not reported"))
        rtp = (cell("rtp").casefold() in mapping.rtp_on) if mapping.rtp else None
        records.append(Record(path, mapping.console, f"line {line}", (name,) if name else (),
                              macs, ips, seen, True, bases, rtp, tuple(problems)))
    return records


def _split(value: str) -> list[str]:
    # Consoles list several addresses of one machine in one cell.
    return [v for v in value.replace(";", ",").replace(" ", ",").split(",") if v]


def _ksc_ip(value: str, source: str, where: str | Msg) -> tuple[str, ...]:
    text = value.strip()
    if not text:
        return ()
    if text.lstrip("-").isdigit():
        # KLHST_WKS_IP_LONG: the address as a 32-bit number (to confirm on a pilot export).
        try:
            return (str(ipaddress.IPv4Address(int(text) & 0xFFFFFFFF)),)
        except ValueError:
            pass
    return (norm_ip(text, source, where),)


def _ksc_record(source: str, where: str, get: Mapping[str, str],
                line_where: Any) -> Record:
    names = [check_name(get[k], source, line_where(k)) for k in
             ("KLHST_WKS_FQDN", "KLHST_WKS_WINHOSTNAME", "KLHST_WKS_DN") if get.get(k, "").strip()]
    if not names:
        raise InputError(source, where, T(
            "no machine name (KLHST_WKS_DN, KLHST_WKS_FQDN or KLHST_WKS_WINHOSTNAME)"))
    ip_key = "KLHST_WKS_IP_LONG" if "KLHST_WKS_IP_LONG" in get else "KLHST_WKS_IP"
    ips = _ksc_ip(get.get(ip_key, ""), source, line_where(ip_key))
    seen = parse_time(get.get("KLHST_WKS_LAST_VISIBLE", ""), source,
                      line_where("KLHST_WKS_LAST_VISIBLE"))
    bases = parse_time(get.get("KLHST_WKS_RTP_AV_BASES_TIME", ""), source,
                       line_where("KLHST_WKS_RTP_AV_BASES_TIME"))
    problems: list[Msg] = []
    if bases is None:
        problems.append(T("bases date not reported"))
    rtp: bool | None = None
    state_text = get.get("KLHST_WKS_RTP_STATE", "").strip()
    if state_text:
        try:
            state = int(state_text)
        except ValueError:
            raise InputError(source, line_where("KLHST_WKS_RTP_STATE"), T(
                "not an integer: {value}", value=repr(state_text))) from None
        rtp = state in RTP_RUNNING
        if not rtp:
            problems.append(RTP_STATES.get(state, T("real-time protection state {state}",
                                                    state=state)))
    status_text = get.get("KLHST_WKS_STATUS", "").strip()
    if status_text:
        try:
            status = int(status_text, 0)
        except ValueError:
            raise InputError(source, line_where("KLHST_WKS_STATUS"), T(
                "not an integer: {value}", value=repr(status_text))) from None
        if not status & KSC_STATUS_RTP_INSTALLED:
            problems.append(T("real-time protection not installed"))
            rtp = False
    # A name the console shows twice (DN and FQDN) is one machine: keep each once.
    unique = tuple(dict.fromkeys(names))
    return Record(source, "ksc", where, unique, (), ips, seen, True, bases, rtp,
                  tuple(problems))


def from_ksc_csv(path: str, table: Table) -> list[Record]:
    """A KSC host list or report as CSV with ``KLHST_WKS_*`` columns."""

    out = []
    for line, row in table.rows:
        out.append(_ksc_record(path, f"line {line}", {k: v or "" for k, v in row.items()},
                               lambda key, line=line: table.where(line, key)))
    return out


def from_ksc_xml(path: str, root: Any) -> list[Record]:
    """A KSC XML export: every element whose attributes or child elements are
    ``KLHST_WKS_*`` attributes is one host."""

    out = []
    for index, element in enumerate(e for e in root.iter() if _ksc_fields(e)):
        fields = _ksc_fields(element)
        where = f"{element.tag}[{index}]"
        out.append(_ksc_record(path, where, fields,
                               lambda key, where=where: f"{where}.{key}"))
    if not out:
        raise InputError(path, "", T("no host element with KLHST_WKS_* attributes"))
    return out


def _ksc_fields(element: Any) -> dict[str, str]:
    fields = {k: v for k, v in element.attrib.items() if k.startswith(KSC_PREFIX)}
    for child in element:
        if isinstance(child.tag, str) and child.tag.startswith(KSC_PREFIX) and len(child) == 0:
            fields[child.tag] = child.text or ""
    return fields


def from_mde(path: str, text: str) -> list[Record]:
    """Defender for Endpoint device antivirus health: ``computerDnsName``, ``lastSeenTime``,
    ``avMode``, ``avIsSignatureUpToDate``, ``avSignatureUpdateTime`` (``lastIpAddress``
    used when present: the machine entity has it, the health export may not)."""

    devices = _json_devices(path, text)
    out = []
    for index, device in enumerate(devices):
        where = f"value[{index}]"
        if not isinstance(device, dict):
            raise InputError(path, where, T("expected an object"))

        def field(key: str, device: dict[str, Any] = device, where: str = where) -> str:
            value = device.get(key)
            if value is None:
                return ""
            if isinstance(value, (str, int, float, bool)):
                return str(value)
            raise InputError(path, f"{where}.{key}", T("expected text"))

        name = field("computerDnsName").strip()
        if not name:
            raise InputError(path, f"{where}.computerDnsName", T("missing machine name"))
        names = (check_name(name, path, f"{where}.computerDnsName"),)
        ip_text = field("lastIpAddress").strip()
        ips = (norm_ip(ip_text, path, f"{where}.lastIpAddress"),) if ip_text else ()
        seen = parse_time(field("lastSeenTime"), path, f"{where}.lastSeenTime")
        bases = parse_time(field("avSignatureUpdateTime"), path,
                           f"{where}.avSignatureUpdateTime")
        problems: list[Msg] = []
        mode = field("avMode").strip()
        rtp = mode == "0"
        if not rtp:
            problems.append(MDE_MODES.get(mode, T("Defender mode {mode}", mode=repr(mode))))
        if field("avIsSignatureUpToDate").strip().lower() != "true":
            problems.append(T("the console reports signatures not up to date ({value})",
                              value=field("avIsSignatureUpToDate") or "-"))
        out.append(Record(path, "mde", where, names, (), ips, seen, True, bases, rtp,
                          tuple(problems)))
    return out


def _json_devices(path: str, text: str) -> list[Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as first:
        # The "via files" export: one JSON object per line.
        rows = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    raise InputError(path, T("line {line}", line=number), T(
                        "not JSON: {problem}", problem=first.msg)) from None
        return rows
    if isinstance(data, dict):
        value = data.get("value")
        if not isinstance(value, list):
            raise InputError(path, "value", T("expected the list of devices"))
        return value
    if isinstance(data, list):
        return data
    raise InputError(path, "", T("expected the list of devices"))


def load_console(path: str, mappings: Iterable[Mapping_]) -> Loaded:
    """One console export, its format recognised from its content."""

    text = read_text(path)
    head = text.lstrip()[:1]
    if head in ("{", "["):
        return Loaded(path, "mde", tuple(from_mde(path, text)))
    if head == "<":
        return Loaded(path, "ksc", tuple(from_ksc_xml(path, parse_xml(path, text))))
    table = read_table(path, text)
    if any(c.startswith(KSC_PREFIX) for c in table.columns):
        return Loaded(path, "ksc", tuple(from_ksc_csv(path, table)))
    tried = list(mappings)
    for mapping in tried:
        if all(c in table.columns for c in mapping.columns()):
            return Loaded(path, mapping.console, tuple(from_mapped(path, table, mapping)))
    raise InputError(path, "", T(
        "unknown console export: not KSC (KLHST_WKS_* columns), not Defender JSON, and no "
        "mapping matches its columns {have} (mappings tried: {tried}); give --mapping",
        have=list(table.columns), tried=[m.source for m in tried]))

