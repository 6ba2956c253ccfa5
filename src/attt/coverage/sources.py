"""Asset sources for ``attt coverage``: what machines exist (docs/coverage.md).

Each reader turns one file into ``Record`` rows.  A record is one observation of a machine:
its names, MAC and IP addresses and when it was seen.  Consoles (``consoles.py``) produce the
same records with their protection fields filled.  Every file is read through
``attt.safe_io`` (regular file, bounded size); what is wrong in it is an ``InputError`` naming
the file and the column, key or line.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import ipaddress
import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from .. import safe_io
from ..errors import InputError
from ..inventory_loader import load_inventory
from ..messages import Msg, T

MAX_BYTES = 64 * safe_io.MiB
# Timestamps written without an offset are the agency's local time (Asia/Ho_Chi_Minh).
LOCAL = dt.timezone(dt.timedelta(hours=7))
# Windows FILETIME (100 ns since 1601-01-01): AD's lastLogonTimestamp.
FILETIME_EPOCH = dt.datetime(1601, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Record:
    """One machine as one file (row, lease, host element) describes it."""

    source: str  # the file it came from ("inventory.yaml", "ksc.csv" ...)
    kind: str  # inventory | nmap | dhcpd | windows-dhcp | ad | ksc | apex | mde | mapped
    where: str  # row, line or key in that file, for the lists
    names: tuple[str, ...] = ()
    macs: tuple[str, ...] = ()
    ips: tuple[str, ...] = ()
    seen: dt.datetime | None = None  # last seen / lease end; None: declared, no time
    # Console records only.
    console: bool = False
    bases: dt.datetime | None = None  # anti-malware bases (signatures) date
    rtp: bool | None = None  # real-time protection running; None: not reported
    problems: tuple[Msg, ...] = ()  # what the console itself says is wrong

    @property
    def label(self) -> str:
        """The name to show: the first name, else an address."""

        return (self.names or self.ips or self.macs or (self.where,))[0]


# --- normalisation ---------------------------------------------------------------------

_MAC_SEPARATORS = re.compile(r"[\s:.\-]")


def norm_mac(text: str) -> str | None:
    """``aa:bb:cc:dd:ee:ff`` from ``AA-BB-CC-DD-EE-FF``, ``aabb.ccdd.eeff``, ``aabbccddeeff``;
    None for what is not a 48-bit MAC (a DHCP client id of another kind) or all zeros."""

    digits = _MAC_SEPARATORS.sub("", text.strip()).lower()
    if len(digits) != 12 or not all(c in "0123456789abcdef" for c in digits):
        return None
    if digits == "000000000000":
        return None
    return ":".join(digits[i:i + 2] for i in range(0, 12, 2))


def name_key(name: str) -> tuple[str, str]:
    """(short name, domain), Unicode-normalised (NFC) and case-folded: ``PC-KẾTOÁN-01.So.Local``
    → (``pc-kếtoán-01``, ``so.local``).  Diacritics are kept: ``PC-ĐỨC`` and ``PC-DUC`` are
    two machines."""

    folded = unicodedata.normalize("NFC", name.strip().rstrip(".")).casefold()
    short, _, domain = folded.partition(".")
    return short, domain


def is_ip(text: str) -> bool:
    """Whether ``text`` is an IPv4 or IPv6 address."""

    try:
        ipaddress.ip_address(text.strip())
    except ValueError:
        return False
    return True


def norm_ip(text: str, source: str, where: str | Msg) -> str:
    """The address in its canonical form; an InputError naming the file and column if not one."""

    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        raise InputError(source, where, T("not an IP address: {value}",
                                          value=repr(text))) from None


_US_TIME = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?$")


def parse_time(text: str, source: str, where: str | Msg) -> dt.datetime | None:
    """A timestamp as exports write it: ISO 8601 (``Z``, an offset, or none = local time,
    +07:00), or the en-US form Windows PowerShell writes (``11/30/2026 8:05:00 AM``).  Empty
    or ``never`` is None; anything else is an InputError naming the column."""

    value = text.strip()
    if not value or value.lower() in ("never", "null", "none", "-"):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        match = _US_TIME.match(value)
        if not match:
            raise InputError(source, where, T(
                "not a date and time: {value} (expected ISO 8601, e.g. 2026-11-30T08:05:00Z, or "
                "M/d/yyyy h:mm:ss AM/PM)", value=repr(value))) from None
        month, day, year, hour, minute, second, ampm = match.groups()
        hour_n = int(hour)
        if ampm:
            hour_n = hour_n % 12 + (12 if ampm.lower() == "pm" else 0)
        try:
            parsed = dt.datetime(int(year), int(month), int(day), hour_n, int(minute),
                                 int(second or 0))
        except ValueError:
            raise InputError(source, where, T("not a date and time: {value}",
                                              value=repr(value))) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=LOCAL)
    return parsed.astimezone(dt.UTC)


def check_name(name: str, source: str, where: str | Msg) -> str:
    """A machine name; a ``?`` in it means Windows PowerShell 5.1 wrote the file in ASCII
    (Export-Csv's default) and replaced each Vietnamese letter: refused, with the fix."""

    if "?" in name:
        raise InputError(source, where, T(
            "machine name {name} contains '?': the file was written without Unicode (use "
            "Export-Csv -Encoding UTF8)", name=repr(name)))
    return name.strip()


# --- reading files ---------------------------------------------------------------------


def read_text(path: str) -> str:
    """A text export: UTF-16 or UTF-8 with a byte-order mark (what Windows tools write), else
    UTF-8; bounded and regular-file checked."""

    data = safe_io.read_bytes(path, MAX_BYTES)
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(path, "", safe_io.not_utf8(exc)) from None


@dataclass(frozen=True)
class Table:
    """A CSV export: its columns and rows (with their line numbers)."""

    source: str
    columns: tuple[str, ...]
    rows: tuple[tuple[int, dict[str, str]], ...]

    def need(self, *columns: str) -> None:
        """Refuse the file if a column is missing."""

        for column in columns:
            if column not in self.columns:
                raise InputError(self.source, T("column {column}", column=column), T(
                    "missing column (the file has: {have})", have=list(self.columns)))

    def where(self, line: int, column: str) -> Msg:
        """``line 7, column IPAddress``."""

        return T("line {line}, column {column}", line=line, column=column)


def read_table(path: str, text: str | None = None) -> Table:
    """A CSV file: ``#TYPE`` line (Export-Csv without -NoTypeInformation) skipped, comma or
    semicolon separated (the header decides), quoted fields as RFC 4180."""

    if text is None:
        text = read_text(path)
    lines = text.splitlines(keepends=True)
    first = 0
    while first < len(lines) and (not lines[first].strip() or lines[first].startswith("#")):
        first += 1
    if first >= len(lines):
        raise InputError(path, "", T("no header line: the file is empty"))
    header = lines[first]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    try:
        reader = csv.reader(io.StringIO("".join(lines[first:])), delimiter=delimiter)
        columns = tuple(c.strip() for c in next(reader))
        rows: list[tuple[int, dict[str, str]]] = []
        for number, values in enumerate(reader, start=first + 2):
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(columns):
                raise InputError(path, T("line {line}", line=number), T(
                    "{got} fields, the header has {want}", got=len(values), want=len(columns)))
            rows.append((number, dict(zip(columns, values, strict=False))))
    except csv.Error as exc:
        raise InputError(path, "", T("not a CSV file: {problem}", problem=str(exc))) from None
    return Table(path, columns, tuple(rows))


def parse_xml(path: str, text: str) -> ET.Element:
    """An XML document without entity declarations (which could expand without bound)."""

    if "<!ENTITY" in text.upper():
        raise InputError(path, "", T("XML with entity declarations is refused"))
    try:
        return ET.fromstring(text)
    except ET.ParseError as exc:
        raise InputError(path, "", T("not valid XML: {problem}", problem=str(exc))) from None


# --- asset sources ---------------------------------------------------------------------


def from_inventory(path: str, system: str | None) -> list[Record]:
    """The inventory's hosts (network devices left out: no anti-malware runs on them)."""

    inventory = load_inventory(path)
    systems = inventory.systems
    if system is not None:
        systems = tuple(s for s in systems if s.name == system)
        if not systems:
            raise InputError(path, "systems", T("no system named {name} (known: {known})",
                                                name=repr(system),
                                                known=[s.name for s in inventory.systems]))
    records = []
    for sys_ in systems:
        for host in sys_.hosts:
            if set(host.roles) == {"network-device"}:
                continue
            names = [host.name]
            ips: tuple[str, ...] = ()
            if is_ip(host.address):
                ips = (str(ipaddress.ip_address(host.address)),)
            elif host.address and host.address != host.name:
                names.append(host.address)
            records.append(Record(path, "inventory", host.key, tuple(names), (), ips, None))
    return records


def from_nmap(path: str, root: ET.Element) -> list[Record]:
    """``nmap -sn -oX`` (or attt's own discovery): hosts up, with MAC when nmap saw it on the
    local segment, PTR/user names, and the scan's end as the time seen."""

    finished = root.find("runstats/finished")
    end = _epoch(finished.get("time") if finished is not None else None, path, "runstats")
    records = []
    for index, host in enumerate(root.iter("host")):
        status = host.find("status")
        if status is not None and status.get("state") != "up":
            continue
        ips, macs = [], []
        for address in host.findall("address"):
            kind, addr = address.get("addrtype", ""), address.get("addr", "")
            if kind in ("ipv4", "ipv6"):
                ips.append(norm_ip(addr, path, f"host[{index}].address"))
            elif kind == "mac" and (mac := norm_mac(addr)):
                macs.append(mac)
        names = [h.get("name", "") for h in host.findall("hostnames/hostname") if h.get("name")]
        seen = _epoch(host.get("endtime"), path, f"host[{index}]") or end
        records.append(Record(path, "nmap", f"host[{index}]", tuple(names), tuple(macs),
                              tuple(ips), seen))
    return records


def _epoch(value: str | None, source: str, where: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        return dt.datetime.fromtimestamp(int(value), dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise InputError(source, where, T("not a Unix time: {value}",
                                          value=repr(value))) from None


# A lease block; quoted strings (uid, client-hostname) may hold braces and escaped quotes.
_LEASE = re.compile(r'lease\s+(\S+)\s*\{((?:[^{}"]|"(?:[^"\\]|\\.)*")*)\}', re.S)
_LEASE_TIME = re.compile(r"^\s*(starts|ends|cltt)\s+(?:\d\s+(\S+\s+\S+)|epoch\s+(\d+)|never)\s*;",
                         re.M)


def from_dhcpd(path: str, text: str, as_of: dt.datetime, window: dt.timedelta
               ) -> tuple[list[Record], int]:
    """ISC ``dhcpd.leases``: the last lease of each address; a lease that ended more than
    ``window`` before ``as_of`` is left out (the machine may be gone), and counted."""

    latest: dict[str, Record] = {}
    ended_long_ago: set[str] = set()
    line, counted_to = 1, 0
    for match in _LEASE.finditer(text):
        ip_text, body = match.group(1), match.group(2)
        line += text.count("\n", counted_to, match.start())
        counted_to = match.start()
        where = f"line {line}"
        ip = norm_ip(ip_text, path, where)
        times: dict[str, dt.datetime | None] = {}
        for tm in _LEASE_TIME.finditer(body):
            if tm.group(2):
                times[tm.group(1)] = parse_time(tm.group(2).replace("/", "-") + "+00:00",
                                                path, where)
            elif tm.group(3):
                times[tm.group(1)] = _epoch(tm.group(3), path, where)
            else:
                times[tm.group(1)] = None
        state = re.search(r"^\s*binding state\s+(\w+)\s*;", body, re.M)
        hardware = re.search(r"hardware\s+ethernet\s+([0-9A-Fa-f:]+)\s*;", body)
        hostname = re.search(r'client-hostname\s+"([^"]*)"\s*;', body)
        ends = times.get("ends")
        active = state is None or state.group(1) == "active"
        # 'ends never' (infinite lease) of an active lease: seen now.
        seen = ends if ends is not None else (as_of if active else times.get("cltt"))
        if seen is None or as_of - seen > window:
            ended_long_ago.add(ip)
            latest.pop(ip, None)
            continue
        ended_long_ago.discard(ip)
        mac = norm_mac(hardware.group(1)) if hardware else None
        names = ((check_name(hostname.group(1), path, where),)
                 if hostname and hostname.group(1) else ())
        latest[ip] = Record(path, "dhcpd", where, names, (mac,) if mac else (), (ip,),
                            min(seen, as_of))
    return list(latest.values()), len(ended_long_ago)


def from_windows_dhcp(path: str, table: Table, as_of: dt.datetime, window: dt.timedelta
                      ) -> tuple[list[Record], int]:
    """``Get-DhcpServerv4Lease | Export-Csv``: IPAddress, ClientId (the MAC, ``aa-bb-..``),
    HostName (an FQDN), AddressState, LeaseExpiryTime."""

    table.need("IPAddress", "ClientId", "HostName")
    records, skipped = [], 0
    for line, row in table.rows:
        ip = norm_ip(row["IPAddress"], path, table.where(line, "IPAddress"))
        expiry = (parse_time(row.get("LeaseExpiryTime", ""), path,
                             table.where(line, "LeaseExpiryTime"))
                  if "LeaseExpiryTime" in table.columns else None)
        state = row.get("AddressState", "Active").strip() or "Active"
        # Active leases and reservations in use, and leases expired within the window; not
        # declined addresses nor reservations no machine uses.
        seen = expiry if expiry is not None else as_of
        if not state.startswith(("Active", "Expired")) or as_of - seen > window:
            skipped += 1
            continue
        mac = norm_mac(row["ClientId"])
        host = row["HostName"].strip()
        names = (check_name(host, path, table.where(line, "HostName")),) if host else ()
        records.append(Record(path, "windows-dhcp", f"line {line}", names,
                              (mac,) if mac else (), (ip,), min(seen, as_of)))
    return records, skipped


def from_ad(path: str, table: Table, as_of: dt.datetime,
            max_account_age: dt.timedelta | None = None) -> tuple[list[Record], int]:
    """``Get-ADComputer -Filter * -Properties DNSHostName,IPv4Address,LastLogonTimestamp,...
    | Export-Csv``: Name, DNSHostName, IPv4Address, Enabled, LastLogonTimestamp (FILETIME).
    Disabled computer accounts, and with ``max_account_age`` those whose last logon is older
    (a machine gone long ago; never logged on is kept), are left out and counted."""

    table.need("Name")
    records, disabled = [], 0
    for line, row in table.rows:
        if row.get("Enabled", "True").strip().lower() == "false":
            disabled += 1
            continue
        names = [check_name(row["Name"], path, table.where(line, "Name"))]
        if (dns := row.get("DNSHostName", "").strip()):
            names.append(check_name(dns, path, table.where(line, "DNSHostName")))
        ip_text = row.get("IPv4Address", "").strip()
        ips = (norm_ip(ip_text, path, table.where(line, "IPv4Address")),) if ip_text else ()
        seen = _filetime(row.get("LastLogonTimestamp", ""), path,
                         table.where(line, "LastLogonTimestamp"))
        if max_account_age is not None and seen is not None and as_of - seen > max_account_age:
            disabled += 1
            continue
        records.append(Record(path, "ad", f"line {line}", tuple(n for n in names if n), (),
                              ips, seen))
    return records, disabled


def _filetime(value: str, source: str, where: str | Msg) -> dt.datetime | None:
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return FILETIME_EPOCH + dt.timedelta(microseconds=int(text) // 10)
    return parse_time(text, source, where)


@dataclass(frozen=True)
class Loaded:
    """What one file gave: its records, its kind, and how many entries were left out."""

    path: str
    kind: str
    records: tuple[Record, ...]
    left_out: int = 0


def load_assets(path: str, as_of: dt.datetime, window: dt.timedelta,
                max_account_age: dt.timedelta | None = None) -> Loaded:
    """One asset file, its format recognised from its content."""

    text = read_text(path)
    head = text.lstrip()[:2000]
    if head.startswith("<"):
        root = parse_xml(path, text)
        if root.tag != "nmaprun":
            raise InputError(path, root.tag, T("XML that is not nmap output (<nmaprun>)"))
        return Loaded(path, "nmap", tuple(from_nmap(path, root)))
    if re.search(r"^\s*lease\s+\S+\s*\{", text, re.M):
        records, left = from_dhcpd(path, text, as_of, window)
        return Loaded(path, "dhcpd", tuple(records), left)
    table = read_table(path, text)
    if "ClientId" in table.columns and "IPAddress" in table.columns:
        records, left = from_windows_dhcp(path, table, as_of, window)
        return Loaded(path, "windows-dhcp", tuple(records), left)
    if "DNSHostName" in table.columns or "SamAccountName" in table.columns:
        records, left = from_ad(path, table, as_of, max_account_age)
        return Loaded(path, "ad", tuple(records), left)
    raise InputError(path, "", T(
        "unknown asset file: expected nmap XML, dhcpd.leases, a Get-DhcpServerv4Lease CSV "
        "(IPAddress, ClientId) or a Get-ADComputer CSV (Name, DNSHostName)"))


__all__ = ["Loaded", "Record", "Table", "check_name", "from_ad", "from_dhcpd",
           "from_inventory", "from_nmap", "from_windows_dhcp", "is_ip", "load_assets",
           "name_key", "norm_ip", "norm_mac", "parse_time", "parse_xml", "read_table",
           "read_text"]
