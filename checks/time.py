"""Time synchronisation: the clock follows an NTP source.

How the facts are read (sources, order, offline limits): :mod:`attt.probes.time`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attt.model import Result, Status
from attt.probes.systemd import EnabledUnits
from attt.probes.time import ChronyConfig, ChronyTracking
from attt.registry import ScopedFacts, check

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


_CHRONY_UNITS = ("chrony.service", "chronyd.service")


def _chrony_note(cfg: ChronyConfig) -> str:
    parts = []
    if cfg.unused:
        parts.append(f"not read by chronyd: {', '.join(cfg.unused)}")
    if cfg.not_collected:
        parts.append(f"not collected: {', '.join(cfg.not_collected)}")
    return f" [{'; '.join(parts)}]" if parts else ""


def _offline(facts: ScopedFacts) -> Result:
    units: EnabledUnits = facts.get("systemd_enabled")
    chrony_cfg: ChronyConfig | None = facts.get("chrony_conf")
    chrony = list(chrony_cfg.sources) if chrony_cfg is not None else None
    timesyncd: dict[str, str] | None = facts.get("timesyncd_conf")
    ntp: list[str] | None = facts.get("ntp_conf")
    good: list[str] = []
    seen: list[str] = []

    def unit(*names: str) -> str | None:
        return next((n for n in names if units.enabled(n)), None)

    for label, sources, unit_names in (
        ("chrony", chrony, _CHRONY_UNITS),
        ("ntpd", ntp, ("ntp.service", "ntpd.service", "ntpsec.service")),
    ):
        if sources is None:
            continue
        on = unit(*unit_names)
        note = _chrony_note(chrony_cfg) if label == "chrony" and chrony_cfg else ""
        seen.append(f"{label}: {len(sources)} source(s){note}, "
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
    if (chrony_cfg is not None and chrony_cfg.not_collected and not chrony_cfg.sources
            and unit(*_CHRONY_UNITS)):
        return Result(Status.ERROR, f"chrony may take its sources from "
                      f"{', '.join(chrony_cfg.not_collected)}, which the offline tree reader "
                      "does not collect.", observed=observed, expected=_EXPECTED, source=source)
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
