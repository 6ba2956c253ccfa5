"""Time synchronisation: the clock follows an NTP source.

How the facts are read (sources, order, offline limits): :mod:`attt.probes.time`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attt.messages import Msg, T
from attt.model import Result, Status
from attt.probes.systemd import EnabledUnits
from attt.probes.time import ChronyConfig, ChronyTracking
from attt.registry import MissingFact, ScopedFacts, check

_EXPECTED = "clock synchronised with an NTP source"


def _english(items: list[Msg]) -> list[str]:
    # observed stays data: the English rendering of the phrases the message lists.
    return [str(m) for m in items]


def _unreadable(facts: ScopedFacts, name: str) -> Msg:
    try:
        facts.get(name)
    except MissingFact as exc:
        return T("{probe}: {reason}", probe=name, reason=exc.reason)
    return T("{probe}: {reason}", probe=name, reason=T("not collected"))


def _live(facts: ScopedFacts) -> Result:
    synced: list[Msg] = []
    unsynced: list[Msg] = []
    absent: list[str] = []
    unreadable: list[Msg] = []
    for name in ("timedatectl_ntp", "chrony_tracking", "ntpq_peers"):
        if not facts.has(name):
            sec = facts.section(name)
            if sec is not None and sec.state == "failed" and sec.exit_code == 127:
                absent.append(name)
            else:
                unreadable.append(_unreadable(facts, name))
    if facts.has("timedatectl_ntp"):
        td: dict[str, str] = facts.get("timedatectl_ntp")
        text = T("timedatectl NTPSynchronized={synced} NTP={ntp}",
                 synced=td["NTPSynchronized"], ntp=td.get("NTP", "?"))
        (synced if td["NTPSynchronized"] == "yes" else unsynced).append(text)
    if facts.has("chrony_tracking"):
        ct: ChronyTracking = facts.get("chrony_tracking")
        text = T("chronyc Leap status {leap}, Reference ID {reference}", leap=ct.leap,
                 reference=ct.reference)
        (synced if ct.leap == "Normal" and not ct.reference.startswith("00000000")
         else unsynced).append(text)
    if facts.has("ntpq_peers"):
        rows: list[str] = facts.get("ntpq_peers")
        peer = next((r for r in rows if r.startswith("*")), None)
        if peer:
            synced.append(T("ntpq system peer {peer}", peer=peer.split()[0][1:]))
        else:
            unsynced.append(T("ntpq: no system peer among {count} peers", count=len(rows)))
    observed = {"synchronised": _english(synced), "not_synchronised": _english(unsynced),
                "absent": absent, "unreadable": _english(unreadable)}
    source = "timedatectl, chronyc, ntpq"
    if synced:
        return Result(Status.PASS, T("The clock is synchronised ({source}).", source=synced[0]),
                      observed=observed, expected=_EXPECTED, source=source)
    if unsynced:
        return Result(Status.FAIL, T("The clock is not synchronised ({sources}).",
                                     sources=unsynced),
                      observed=observed, expected=_EXPECTED, source=source)
    if not unreadable:
        return Result(Status.FAIL, T("No time synchronisation tool is installed (timedatectl, "
                                     "chronyc and ntpq are all absent)."),
                      observed=observed, expected=_EXPECTED, source=source)
    return Result(Status.ERROR, T("The synchronisation state could not be read ({sources}).",
                                  sources=unreadable),
                  observed=observed, expected=_EXPECTED, source=source)


_CHRONY_UNITS = ("chrony.service", "chronyd.service")


def _chrony_note(cfg: ChronyConfig) -> Msg | None:
    """Configuration files chronyd does not read, or the offline reader did not collect."""

    if cfg.unused and cfg.not_collected:
        return T("not read by chronyd: {unused}; not collected: {uncollected}",
                 unused=list(cfg.unused), uncollected=list(cfg.not_collected))
    if cfg.unused:
        return T("not read by chronyd: {files}", files=list(cfg.unused))
    if cfg.not_collected:
        return T("not collected: {files}", files=list(cfg.not_collected))
    return None


def _boot_state(unit: str | None) -> Msg:
    return T("{unit} enabled at boot", unit=unit) if unit else T("not enabled at boot")


def _offline(facts: ScopedFacts) -> Result:
    units: EnabledUnits = facts.get("systemd_enabled")
    chrony_cfg: ChronyConfig | None = facts.get("chrony_conf")
    chrony = list(chrony_cfg.sources) if chrony_cfg is not None else None
    timesyncd: dict[str, str] | None = facts.get("timesyncd_conf")
    ntp: list[str] | None = facts.get("ntp_conf")
    good: list[Msg] = []
    seen: list[Msg] = []

    def unit(*names: str) -> str | None:
        return next((n for n in names if units.enabled(n)), None)

    for label, sources, unit_names in (
        ("chrony", chrony, _CHRONY_UNITS),
        ("ntpd", ntp, ("ntp.service", "ntpd.service", "ntpsec.service")),
    ):
        if sources is None:
            continue
        on = unit(*unit_names)
        note = _chrony_note(chrony_cfg) if label == "chrony" and chrony_cfg else None
        if note:
            seen.append(T("{daemon}: {count} source(s) [{note}] ({state})", daemon=label,
                          count=len(sources), note=note, state=_boot_state(on)))
        else:
            seen.append(T("{daemon}: {count} source(s) ({state})", daemon=label,
                          count=len(sources), state=_boot_state(on)))
        if sources and on:
            good.append(T("{daemon} with {source}, {unit} enabled at boot", daemon=label,
                          source=sources[0], unit=on))
    if timesyncd is not None:
        _timesyncd(timesyncd, unit("systemd-timesyncd.service"), good, seen)
    observed = {"configured": _english(seen)}
    source = "chrony_conf, timesyncd_conf, ntp_conf, systemd_enabled"
    if good:
        return Result(Status.PASS, T("Time synchronisation is configured ({what}).",
                                     what=good[0]),
                      observed=observed, expected=_EXPECTED, source=source)
    if (chrony_cfg is not None and chrony_cfg.not_collected and not chrony_cfg.sources
            and unit(*_CHRONY_UNITS)):
        return Result(Status.ERROR, T("chrony may take its sources from {paths}, which the "
                                      "offline tree reader does not collect.",
                                      paths=list(chrony_cfg.not_collected)),
                      observed=observed, expected=_EXPECTED, source=source)
    if not units.systemd and seen:
        return Result(Status.ERROR, T("Time synchronisation is configured but no systemd unit "
                                      "directories are in the tree to show it starts at boot."),
                      observed=observed, expected=_EXPECTED, source=source)
    what: list[Msg] = seen or [T("no chrony, timesyncd or ntpd configuration")]
    return Result(Status.FAIL, T("No time synchronisation service is configured and enabled at "
                                 "boot ({seen}).", seen=what),
                  observed=observed, expected=_EXPECTED, source=source)


def _timesyncd(conf: dict[str, str], on: str | None, good: list[Msg], seen: list[Msg]) -> None:
    servers: str | Msg | None = conf.get("NTP") or conf.get("FallbackNTP")
    if "FallbackNTP" not in conf and not conf.get("NTP"):
        servers = T("compiled-in FallbackNTP servers")
    state = T("enabled at boot") if on else T("not enabled at boot")
    seen.append(T("systemd-timesyncd: {servers} ({state})", servers=servers or T("no servers"),
                  state=state))
    if servers and on:
        good.append(T("systemd-timesyncd with {servers}, enabled at boot", servers=servers))


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
