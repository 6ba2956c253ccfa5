"""Logging: the journal survives a reboot, a syslog daemon runs, logs are kept
long enough and forwarded to a central collector.

Facts and how they are read: :mod:`attt.probes.logs`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from attt.messages import Msg, T
from attt.model import Result, Status
from attt.probes.logs import Forwarders, JournaldConf, Logrotate
from attt.probes.processes import ProcessTable
from attt.probes.systemd import EnabledUnits
from attt.registry import ScopedFacts, check


@dataclass(frozen=True)
class Persistence:
    persistent: bool
    why: Msg | str


def journal_persistence(facts: ScopedFacts) -> Persistence:
    conf: JournaldConf = facts.get("journald_conf")
    storage = conf.describe("Storage", "auto")
    if conf.storage == "persistent":
        return Persistence(True, storage)
    if conf.storage in ("volatile", "none"):
        return Persistence(False, storage)
    if conf.storage != "auto":
        return Persistence(False, T("{storage}: not a valid value, journald falls back to auto",
                                    storage=storage))
    exists: bool = facts.get("journal_dir")
    if exists:
        return Persistence(True, T("{storage} and /var/log/journal exists", storage=storage))
    return Persistence(False, T("{storage} and /var/log/journal does not exist", storage=storage))


@check(
    "logging.journald_persistent",
    title_vi="Nhật ký systemd-journald được lưu bền vững trên đĩa",
    title_en="The systemd journal is stored persistently",
    severity="medium",
    probes=("journald_conf", "journal_dir", "processes", "systemd_enabled"),
    remediation_vi=(
        "Đặt 'Storage=persistent' trong mục [Journal] của /etc/systemd/journald.conf (hoặc tệp "
        "/etc/systemd/journald.conf.d/60-persistent.conf), tạo thư mục 'mkdir -p "
        "/var/log/journal && systemd-tmpfiles --create --prefix /var/log/journal' rồi "
        "'systemctl restart systemd-journald'; đặt SystemMaxUse phù hợp dung lượng đĩa."
    ),
    remediation_en=(
        "Set 'Storage=persistent' in the [Journal] section of /etc/systemd/journald.conf (or a "
        "drop-in such as /etc/systemd/journald.conf.d/60-persistent.conf), create the directory "
        "with 'mkdir -p /var/log/journal && systemd-tmpfiles --create --prefix "
        "/var/log/journal', then 'systemctl restart systemd-journald'; size SystemMaxUse for "
        "the disk."
    ),
)
def journald_persistent(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """A volatile journal lives in /run and is lost at every reboot, together with the
    records of what happened before it, which is exactly what an investigation needs."""

    conf: JournaldConf = facts.get("journald_conf")
    expected = "Storage=persistent, or Storage=auto with /var/log/journal present"
    if facts.mode == "live":
        procs: ProcessTable = facts.get("processes")
        if not procs.running("systemd-journald"):
            return Result(Status.NOT_APPLICABLE, T("systemd-journald is not running on this "
                                                   "host (no systemd journal to keep)."),
                          observed="no systemd-journald process",
                          expected=expected, source="processes")
    else:
        units: EnabledUnits = facts.get("systemd_enabled")
        if not units.systemd and not conf.present:
            return Result(Status.NOT_APPLICABLE, T("The tree has neither systemd nor a "
                                                   "journald.conf (no systemd journal)."),
                          observed=None,
                          expected=expected, source="systemd_enabled, journald_conf")
    p = journal_persistence(facts)
    observed = {"storage": str(p.why),
                "SystemMaxUse": str(conf.describe("SystemMaxUse", "10% of disk")),
                "MaxRetentionSec": str(conf.describe("MaxRetentionSec", "0, no time limit")),
                "ForwardToSyslog": str(conf.describe("ForwardToSyslog", "no"))}
    source = "journald_conf" + (", journal_dir" if conf.storage == "auto" else "")
    if p.persistent:
        return Result(Status.PASS, T("The systemd journal is persistent ({why}).", why=p.why),
                      observed=observed, expected=expected, source=source)
    return Result(Status.FAIL, T("The systemd journal is not persistent ({why}).", why=p.why),
                  observed=observed, expected=expected, source=source)


_SYSLOG_DAEMONS = (
    ("rsyslog", ("rsyslogd",), ("rsyslog.service",)),
    ("syslog-ng", ("syslog-ng",), ("syslog-ng.service", "syslog-ng@default.service")),
    ("sysklogd", ("syslogd",), ("syslogd.service", "sysklogd.service",
                                "inetutils-syslogd.service")),
)


@check(
    "logging.rsyslog_running",
    title_vi="Có dịch vụ ghi nhật ký hệ thống đang hoạt động (rsyslog/syslog-ng hoặc journald "
             "lưu bền vững)",
    title_en="A system logging service is active (rsyslog/syslog-ng, or a persistent journal)",
    severity="medium",
    probes=("processes", "systemd_enabled", "journald_conf", "journal_dir"),
    remediation_vi=(
        "Cài và bật dịch vụ ghi nhật ký: 'apt-get install rsyslog && systemctl enable --now "
        "rsyslog' (RHEL: 'dnf install rsyslog && systemctl enable --now rsyslog'), hoặc cấu hình "
        "journald lưu bền vững (Storage=persistent trong /etc/systemd/journald.conf)."
    ),
    remediation_en=(
        "Install and enable a logging daemon: 'apt-get install rsyslog && systemctl enable --now "
        "rsyslog' (RHEL: 'dnf install rsyslog && systemctl enable --now rsyslog'), or make the "
        "journal persistent (Storage=persistent in /etc/systemd/journald.conf)."
    ),
)
def rsyslog_running(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Logins, errors and configuration changes are only recorded if a logging service
    writes them to disk; without one, the host keeps no trace to investigate."""

    expected = "rsyslog or syslog-ng active, or a persistent systemd journal"
    units: EnabledUnits = facts.get("systemd_enabled")
    daemons = _syslog_daemons(facts, units)
    if daemons:
        return Result(Status.PASS, T("A syslog daemon is active: {daemons}.", daemons=daemons),
                      observed={"syslog": [str(d) for d in daemons]}, expected=expected,
                      source="processes" if facts.mode == "live" else "systemd_enabled")
    journald = (facts.get("processes").running("systemd-journald") if facts.mode == "live"
                else units.systemd)
    observed: dict[str, Any] = {"syslog": [], "journald": journald}
    if journald:
        p = journal_persistence(facts)
        observed["journal"] = str(p.why)
        if p.persistent:
            return Result(Status.PASS, T("No syslog daemon, but the systemd journal is "
                                         "persistent ({why}).", why=p.why),
                          observed=observed, expected=expected,
                          source="journald_conf, journal_dir")
        message = (T("No syslog daemon is running and the systemd journal is not persistent "
                     "({why}).", why=p.why) if facts.mode == "live" else
                   T("No syslog daemon is enabled at boot and the systemd journal is not "
                     "persistent ({why}).", why=p.why))
        return Result(Status.FAIL, message, observed=observed, expected=expected,
                      source="processes, journald_conf")
    if facts.mode != "live":  # offline, journald stands for "the tree has systemd"
        return Result(Status.ERROR, T("The tree has no systemd unit directories: services "
                                      "enabled at boot cannot be read."), observed=observed,
                      expected=expected, source="systemd_enabled")
    return Result(Status.FAIL, T("No syslog daemon (rsyslogd, syslog-ng, syslogd) is running "
                                 "and systemd-journald is not in use."), observed=observed,
                  expected=expected, source="processes")


def _syslog_daemons(facts: ScopedFacts, units: EnabledUnits) -> list[Msg]:
    """Syslog daemons running (live) or enabled at boot (offline)."""

    daemons: list[Msg] = []
    for label, procs_names, unit_names in _SYSLOG_DAEMONS:
        if facts.mode == "live":
            procs: ProcessTable = facts.get("processes")
            found = procs.find(procs_names)
            if found:
                daemons.append(T("{daemon} ({processes} running)", daemon=label,
                                 processes=found))
        else:
            on = [u for u in unit_names if units.enabled(u)]
            if on:
                daemons.append(T("{daemon} ({units} enabled at boot)", daemon=label, units=on))
    return daemons


_DEFAULT_LOGS = ("/var/log/auth.log", "/var/log/secure", "/var/log/syslog", "/var/log/messages")


@check(
    "logging.retention_months",
    title_vi="Nhật ký hệ thống và xác thực được lưu giữ đủ số tháng quy định",
    title_en="System and authentication logs are kept for the required number of months",
    severity="medium",
    probes=("logrotate_conf", "journald_conf", "auditd_conf"),
    params={"min_months": 3, "log_files": list(_DEFAULT_LOGS)},
    stricter={"min_months": "higher"},
    remediation_vi=(
        "Trong khối của các tệp nhật ký (Debian: /etc/logrotate.d/rsyslog; RHEL: "
        "/etc/logrotate.d/rsyslog hoặc syslog) đặt chu kỳ và số bản giữ lại đủ thời gian, ví dụ "
        "'weekly' với 'rotate 13' (3 tháng), 'rotate 26' (6 tháng) hoặc 'monthly' với "
        "'rotate 12' (12 tháng), bỏ 'maxage' ngắn hơn; kiểm tra bằng 'logrotate -d "
        "/etc/logrotate.conf'. Nếu nhật ký được lưu tập trung, bảo đảm máy chủ thu thập giữ đủ "
        "thời hạn."
    ),
    remediation_en=(
        "In the block of the log files (Debian: /etc/logrotate.d/rsyslog; RHEL: "
        "/etc/logrotate.d/rsyslog or syslog) set a period and count that cover the requirement, "
        "for example 'weekly' with 'rotate 13' (3 months) or 'rotate 26' (6 months), or "
        "'monthly' with 'rotate 12' (12 months), and drop a shorter 'maxage'; check with "
        "'logrotate -d /etc/logrotate.conf'. Where logs are kept centrally, make sure the "
        "collector keeps them that long."
    ),
)
def retention_months(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Incidents are often discovered months after they start; the logs of that period must
    still exist. The national standard sets the minimum retention per level (1, 3, 6 or 12
    months)."""

    min_months = params.get("min_months")
    logs = params.get("log_files")
    if isinstance(min_months, bool) or not isinstance(min_months, int | float) or min_months < 0:
        return Result(Status.ERROR, T("Invalid parameter: min_months must be a non-negative "
                                      "number."), observed=None, expected=None, source="params")
    if not isinstance(logs, Sequence) or isinstance(logs, str) or not all(
            isinstance(x, str) and x for x in logs):
        return Result(Status.ERROR, T("Invalid parameter: log_files must be a list of paths."),
                      observed=None, expected=None, source="params")
    rot: Logrotate = facts.get("logrotate_conf")
    journald: JournaldConf = facts.get("journald_conf")
    auditd: dict[str, str] | None = facts.get("auditd_conf")
    # Notes are evidence (observed, in English), not part of the message.
    notes = [f"journald: {journald.describe('MaxRetentionSec', '0, no time limit')}, "
             f"{journald.describe('SystemMaxUse', '10% of the file system')}"]
    if auditd is not None:
        size, num = auditd.get("max_log_file", "8"), auditd.get("num_logs", "5")
        action = auditd.get("max_log_file_action", "ROTATE")
        notes.append(f"auditd: max_log_file {size} MB x num_logs {num} ({action}), space-based: "
                     "retention depends on the event rate")
    rows: dict[str, Msg] = {}
    short: list[Msg] = []
    for log in logs:
        policy = rot.policy_for(log)
        if policy is None:
            continue
        rows[log] = policy.formula(log)
        if policy.months + 1e-9 < float(min_months):
            short.append(rows[log])
    observed = {"logs": {log: str(row) for log, row in rows.items()}, "notes": notes}
    expected = f"at least {min_months} months (rotate x period, capped by maxage)"
    source = "logrotate_conf, journald_conf, auditd_conf"
    if not rot.present:
        return Result(Status.FAIL, T("No /etc/logrotate.conf: the retention of {logs} cannot be "
                                     "shown.", logs=list(logs)), observed=observed,
                      expected=expected, source=source)
    if not rows:
        return Result(Status.FAIL, T("No logrotate policy names any of {logs}: their retention "
                                     "cannot be shown.", logs=list(logs)), observed=observed,
                      expected=expected, source=source)
    if short:
        return Result(Status.FAIL, T("Logs are kept less than {months} months: {logs}.",
                                     months=min_months, logs=short),
                      observed=observed, expected=expected, source=source)
    first = next(iter(rows.values()))
    message = (T("Logs are kept at least {months} months: {first} and {more} more.",
                 months=min_months, first=first, more=len(rows) - 1) if len(rows) > 1 else
               T("Logs are kept at least {months} months: {first}.", months=min_months,
                 first=first))
    return Result(Status.PASS, message, observed=observed, expected=expected, source=source)


_DAEMONS = {
    "rsyslog_conf": ("rsyslog", "rsyslogd", ("rsyslog.service", "syslog.service")),
    "syslog_ng_conf": ("syslog-ng", "syslog-ng", ("syslog-ng.service", "syslog.service")),
    "journal_upload_conf": ("systemd-journal-upload", "systemd-journal-upload",
                            ("systemd-journal-upload.service",)),
}
_EXPECTED = "logs forwarded to a remote collector by a running daemon"


@check(
    "logging.remote_forwarding",
    title_vi="Nhật ký hệ thống được chuyển về máy chủ thu thập tập trung",
    title_en="System logs are forwarded to a central log server",
    severity="medium",
    probes=("rsyslog_conf", "syslog_ng_conf", "journal_upload_conf", "processes",
            "systemd_enabled"),
    remediation_vi=(
        "Cấu hình chuyển nhật ký về máy chủ thu thập tập trung của đơn vị, ví dụ với rsyslog "
        "tạo /etc/rsyslog.d/90-remote.conf chứa 'action(type=\"omfwd\" target=\"<máy chủ log>\" "
        "port=\"514\" protocol=\"tcp\")' (hoặc '*.* @@<máy chủ log>:514'), rồi 'systemctl "
        "enable --now rsyslog' và 'systemctl restart rsyslog'; kiểm tra máy chủ log đã nhận "
        "được bản ghi."
    ),
    remediation_en=(
        "Forward logs to the agency's central collector, for example with rsyslog create "
        "/etc/rsyslog.d/90-remote.conf containing 'action(type=\"omfwd\" target=\"<log server>\" "
        "port=\"514\" protocol=\"tcp\")' (or '*.* @@<log server>:514'), then run 'systemctl "
        "enable --now rsyslog' and 'systemctl restart rsyslog'; confirm the collector receives "
        "the records."
    ),
)
def remote_forwarding(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Logs kept only on the host they describe can be erased by an intruder who gains root
    there, and cannot be correlated across systems; forwarding them to a central collector
    preserves the evidence and enables monitoring."""

    configured: list[tuple[str, str, Forwarders]] = []
    observed: dict[str, Any] = {}
    for probe_name, (label, _, _) in _DAEMONS.items():
        fw: Forwarders = facts.get(probe_name)
        if fw.present:
            observed[label] = list(fw.targets) or "no remote target"
        if fw.targets:
            configured.append((probe_name, label, fw))
    expected = _EXPECTED
    source = "rsyslog_conf, syslog_ng_conf, journal_upload_conf"
    if not configured:
        found: list[Msg] = ([T("{daemon}: no remote target", daemon=lbl) for lbl in observed]
                            or [T("no rsyslog, syslog-ng or journal-upload configuration")])
        return Result(Status.FAIL, T("No remote log forwarding is configured ({found}).",
                                     found=found),
                      observed=observed, expected=expected, source=source)
    if facts.mode == "live":
        procs: ProcessTable = facts.get("processes")
        running = [(lbl, fw) for name, lbl, fw in configured if procs.running(_DAEMONS[name][1])]
        observed["running"] = [lbl for lbl, _ in running]
        if running:
            lbl, fw = running[0]
            return Result(Status.PASS, T("{daemon} forwards logs to {target} and is running.",
                                         daemon=lbl, target=fw.targets[0]),
                          observed=observed, expected=expected, source=source + ", processes")
        names = [f"{lbl} ({fw.targets[0]})" for _, lbl, fw in configured]
        return Result(Status.FAIL, T("Log forwarding is configured but the daemon is not "
                                     "running: {daemons}.", daemons=names),
                      observed=observed, expected=expected, source=source + ", processes")
    units: EnabledUnits = facts.get("systemd_enabled")
    if not units.systemd:
        _, lbl, fw = configured[0]
        return Result(Status.PASS, T("{daemon} forwards logs to {target} (configuration only; "
                                     "the tree has no systemd unit directories to show it "
                                     "starts at boot).", daemon=lbl, target=fw.targets[0]),
                      observed=observed, expected=expected, source=source)
    for name, lbl, fw in configured:
        unit = next((u for u in _DAEMONS[name][2] if units.enabled(u)), None)
        if unit:
            observed["enabled_at_boot"] = unit
            return Result(Status.PASS, T("{daemon} forwards logs to {target} and {unit} is "
                                         "enabled at boot.", daemon=lbl, target=fw.targets[0],
                                         unit=unit), observed=observed, expected=expected,
                          source=source + ", systemd_enabled")
    names = [f"{lbl} ({fw.targets[0]})" for _, lbl, fw in configured]
    return Result(Status.FAIL, T("Log forwarding is configured but its service is not enabled "
                                 "at boot: {daemons}.", daemons=names),
                  observed=observed, expected=expected, source=source + ", systemd_enabled")
