"""Time synchronisation: the clock follows an NTP source.

Live hosts: ``timedatectl`` (NTPSynchronized reflects the kernel's sync flag, whichever
daemon sets it), ``chronyc -n tracking`` (Leap status Normal) or ``ntpq -pn`` (a peer marked
'*').  Offline trees: chrony, systemd-timesyncd or ntpd configured with at least one source
and enabled at boot.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from attt.model import Result, Status
from attt.registry import ScopedFacts, Section, check, probe

from .system import EnabledUnits


@probe(
    "timedatectl_ntp",
    command="command -v timedatectl >/dev/null || exit 127; "
    "timedatectl show -p NTPSynchronized -p NTP",
    description="systemd's view of clock synchronisation",
)
def parse_timedatectl(section: Section) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in section.text.splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep or key not in ("NTP", "NTPSynchronized"):
            raise ValueError(f"unexpected timedatectl line: {line[:60]!r}")
        out[key] = value.strip()
    if "NTPSynchronized" not in out:
        raise ValueError("timedatectl did not report NTPSynchronized")
    return out


@dataclass(frozen=True)
class ChronyTracking:
    reference: str
    leap: str
    stratum: str


@probe(
    "chrony_tracking",
    command="command -v chronyc >/dev/null || exit 127; chronyc -n tracking",
    description="chronyd synchronisation state",
)
def parse_chrony_tracking(section: Section) -> ChronyTracking:
    fields: dict[str, str] = {}
    for line in section.text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    if "Leap status" not in fields or "Reference ID" not in fields:
        raise ValueError("chronyc tracking output lacks Reference ID / Leap status")
    return ChronyTracking(fields["Reference ID"], fields["Leap status"], fields.get("Stratum", ""))


@probe(
    "ntpq_peers",
    command="command -v ntpq >/dev/null || exit 127; ntpq -pn",
    description="ntpd peers (ntpq -pn)",
)
def parse_ntpq(section: Section) -> list[str]:
    """The tally code and address of each peer row."""

    rows: list[str] = []
    header = False
    for line in section.text.splitlines():
        if line.lstrip().startswith("remote"):
            header = True
            continue
        if not line.strip() or line.startswith("="):
            continue
        if not header:
            raise ValueError(f"ntpq output before its header: {line[:60]!r}")
        rows.append(line.rstrip())
    if not header:
        raise ValueError("no ntpq peer table header")
    return rows


_CHRONY_FILES = ("/etc/chrony.conf", "/etc/chrony/chrony.conf", "/etc/chrony/conf.d/*.conf",
                 "/etc/chrony/sources.d/*.sources", "/etc/chrony.d/*.conf")
_SOURCE_DIRECTIVES = ("server", "pool", "peer", "refclock")


def _source_lines(path: str, text: str) -> list[str]:
    out = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = re.split(r"[#;!%]", raw, maxsplit=1)[0].strip()
        words = line.split()
        if words and words[0].lower() in _SOURCE_DIRECTIVES and len(words) > 1:
            out.append(f"{words[0].lower()} {words[1]} ({path}:{lineno})")
    return out


@probe("chrony_conf", files=_CHRONY_FILES, description="chrony sources")
def parse_chrony_conf(section: Section) -> list[str] | None:
    if not section.files:
        return None
    out: list[str] = []
    for path in sorted(section.files):
        out += _source_lines(path, section.files[path])
    return out


@probe(
    "timesyncd_conf",
    files=("/etc/systemd/timesyncd.conf", "/etc/systemd/timesyncd.conf.d/*.conf",
           "/usr/lib/systemd/timesyncd.conf.d/*.conf"),
    description="systemd-timesyncd servers",
)
def parse_timesyncd_conf(section: Section) -> dict[str, str] | None:
    if not section.files:
        return None
    out: dict[str, str] = {}
    # systemd drop-in order: main file, then drop-ins sorted by name; later assignments win.
    main = "/etc/systemd/timesyncd.conf"
    order = ([main] if main in section.files else []) + sorted(
        (p for p in section.files if p != main), key=lambda p: p.rsplit("/", 1)[1])
    for path in order:
        for raw in section.files[path].splitlines():
            line = raw.strip()
            if not line or line[0] in "#;" or line.startswith("["):
                continue
            key, sep, value = line.partition("=")
            if not sep:
                raise ValueError(f"{path}: not a setting: {line[:60]!r}")
            if key.strip() in ("NTP", "FallbackNTP"):
                out[key.strip()] = value.strip()
    return out


@probe("ntp_conf", files=("/etc/ntp.conf", "/etc/ntpsec/ntp.conf"), description="ntpd sources")
def parse_ntp_conf(section: Section) -> list[str] | None:
    if not section.files:
        return None
    out: list[str] = []
    for path in sorted(section.files):
        out += _source_lines(path, section.files[path])
    return out


_EXPECTED = "clock synchronised with an NTP source"


def _live(facts: ScopedFacts) -> Result:
    synced: list[str] = []
    unsynced: list[str] = []
    absent: list[str] = []
    unreadable: list[str] = []
    for name in ("timedatectl_ntp", "chrony_tracking", "ntpq_peers"):
        if not facts.has(name):
            sec = facts.section(name)
            if sec is not None and sec.state == "failed" and sec.exit_code == 127:
                absent.append(name)
            else:
                unreadable.append(f"{name}: {sec.reason or sec.state if sec else 'not collected'}")
    if facts.has("timedatectl_ntp"):
        td: dict[str, str] = facts.get("timedatectl_ntp")
        text = f"timedatectl NTPSynchronized={td['NTPSynchronized']} NTP={td.get('NTP', '?')}"
        (synced if td["NTPSynchronized"] == "yes" else unsynced).append(text)
    if facts.has("chrony_tracking"):
        ct: ChronyTracking = facts.get("chrony_tracking")
        text = f"chronyc Leap status {ct.leap}, Reference ID {ct.reference}"
        (synced if ct.leap == "Normal" and not ct.reference.startswith("00000000")
         else unsynced).append(text)
    if facts.has("ntpq_peers"):
        rows: list[str] = facts.get("ntpq_peers")
        peer = next((r for r in rows if r.startswith("*")), None)
        if peer:
            synced.append(f"ntpq system peer {peer.split()[0][1:]}")
        else:
            unsynced.append(f"ntpq: no system peer among {len(rows)} peers")
    observed = {"synchronised": synced, "not_synchronised": unsynced, "absent": absent,
                "unreadable": unreadable}
    source = "timedatectl, chronyc, ntpq"
    if synced:
        return Result(Status.PASS, f"The clock is synchronised ({synced[0]}).",
                      observed=observed, expected=_EXPECTED, source=source)
    if unsynced:
        return Result(Status.FAIL, f"The clock is not synchronised ({'; '.join(unsynced)}).",
                      observed=observed, expected=_EXPECTED, source=source)
    if not unreadable:
        return Result(Status.FAIL, "No time synchronisation tool is installed (timedatectl, "
                      "chronyc and ntpq are all absent).", observed=observed,
                      expected=_EXPECTED, source=source)
    return Result(Status.ERROR, f"The synchronisation state could not be read "
                  f"({'; '.join(unreadable)}).", observed=observed, expected=_EXPECTED,
                  source=source)


def _offline(facts: ScopedFacts) -> Result:
    units: EnabledUnits = facts.get("systemd_enabled")
    chrony: list[str] | None = facts.get("chrony_conf")
    timesyncd: dict[str, str] | None = facts.get("timesyncd_conf")
    ntp: list[str] | None = facts.get("ntp_conf")
    good: list[str] = []
    seen: list[str] = []

    def unit(*names: str) -> str | None:
        return next((n for n in names if units.enabled(n)), None)

    for label, sources, unit_names in (
        ("chrony", chrony, ("chrony.service", "chronyd.service")),
        ("ntpd", ntp, ("ntp.service", "ntpd.service", "ntpsec.service")),
    ):
        if sources is None:
            continue
        on = unit(*unit_names)
        seen.append(f"{label}: {len(sources)} source(s), "
                    f"{on + ' enabled at boot' if on else 'not enabled at boot'}")
        if sources and on:
            good.append(f"{label} with {sources[0]}, {on} enabled at boot")
    if timesyncd is not None:
        on = unit("systemd-timesyncd.service")
        servers = timesyncd.get("NTP") or timesyncd.get("FallbackNTP")
        if "FallbackNTP" not in timesyncd and not timesyncd.get("NTP"):
            servers = "compiled-in FallbackNTP servers"
        seen.append(f"systemd-timesyncd: {servers or 'no servers'}, "
                    f"{'enabled at boot' if on else 'not enabled at boot'}")
        if servers and on:
            good.append(f"systemd-timesyncd with {servers}, enabled at boot")
    observed = {"configured": seen}
    source = "chrony_conf, timesyncd_conf, ntp_conf, systemd_enabled"
    if good:
        return Result(Status.PASS, f"Time synchronisation is configured ({good[0]}).",
                      observed=observed, expected=_EXPECTED, source=source)
    if not units.systemd and seen:
        return Result(Status.ERROR, "Time synchronisation is configured but no systemd unit "
                      "directories are in the tree to show it starts at boot.",
                      observed=observed, expected=_EXPECTED, source=source)
    what = "; ".join(seen) if seen else "no chrony, timesyncd or ntpd configuration"
    return Result(Status.FAIL, f"No time synchronisation service is configured and enabled at "
                  f"boot ({what}).", observed=observed, expected=_EXPECTED, source=source)


@check(
    "time.synchronised",
    title_vi="Đồng bộ thời gian với máy chủ NTP",
    title_en="Clock is synchronised with an NTP source",
    severity="medium",
    probes=("timedatectl_ntp", "chrony_tracking", "ntpq_peers", "chrony_conf", "timesyncd_conf",
            "ntp_conf", "systemd_enabled"),
    remediation_vi=(
        "Cấu hình đồng bộ thời gian với máy chủ NTP của đơn vị hoặc nguồn tin cậy: chrony "
        "('server <máy chủ NTP> iburst' trong /etc/chrony/chrony.conf hoặc /etc/chrony.conf) "
        "hoặc systemd-timesyncd ('NTP=<máy chủ NTP>' trong /etc/systemd/timesyncd.conf), bật "
        "dịch vụ khi khởi động ('systemctl enable --now chrony' hoặc 'timedatectl set-ntp "
        "true') và kiểm tra bằng 'chronyc tracking' hoặc 'timedatectl'."
    ),
    remediation_en=(
        "Synchronise with the agency's NTP server or another trusted source: chrony ('server "
        "<ntp server> iburst' in /etc/chrony/chrony.conf or /etc/chrony.conf) or "
        "systemd-timesyncd ('NTP=<ntp server>' in /etc/systemd/timesyncd.conf); enable it at "
        "boot ('systemctl enable --now chrony' or 'timedatectl set-ntp true') and verify with "
        "'chronyc tracking' or 'timedatectl'."
    ),
)
def synchronised(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Logs from different systems can only be correlated during an incident if their clocks
    agree; certificate validation and Kerberos also fail on a drifting clock."""

    return _live(facts) if facts.mode == "live" else _offline(facts)
