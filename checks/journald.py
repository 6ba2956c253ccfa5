"""Local logging: the journal survives a reboot, and a syslog daemon (or that journal) runs.

journald settings follow systemd's drop-in order: /etc/systemd/journald.conf, then the
journald.conf.d drop-ins of /etc, /run and /usr/lib sorted by file name (a name in /etc hides
the same name further down); later assignments win.  ``Storage=auto`` (the default) is
persistent only when /var/log/journal exists: a live host shows it, and so does an offline
tree (an unpacked image keeps the directory, which systemd's tmpfiles or the package made).
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from attt.model import Result, Status
from attt.probes.processes import ProcessTable
from attt.probes.systemd import EnabledUnits
from attt.registry import OfflineTree, ScopedFacts, Section, check, probe

JOURNALD_MAIN = "/etc/systemd/journald.conf"
_DROPIN_DIRS = ("/etc/systemd/journald.conf.d", "/run/systemd/journald.conf.d",
                "/usr/local/lib/systemd/journald.conf.d", "/usr/lib/systemd/journald.conf.d",
                "/lib/systemd/journald.conf.d")


@dataclass(frozen=True)
class JournaldConf:
    present: bool  # journald.conf or a drop-in was read
    settings: Mapping[str, str] = field(default_factory=dict)
    where: Mapping[str, str] = field(default_factory=dict)

    @property
    def storage(self) -> str:
        return self.settings.get("Storage", "auto").lower()

    def describe(self, key: str, default: str) -> str:
        if key in self.settings:
            return f"{key}={self.settings[key]} ({self.where[key]})"
        return f"{key} not set (default {default})"


def journald_order(files: Mapping[str, str]) -> list[str]:
    chosen: dict[str, str] = {}
    for directory in _DROPIN_DIRS:
        for path in files:
            if posixpath.dirname(path) == directory:
                chosen.setdefault(posixpath.basename(path), path)
    return ([JOURNALD_MAIN] if JOURNALD_MAIN in files else []) + [chosen[n] for n in
                                                                 sorted(chosen)]


@probe(
    "journald_conf",
    files=(JOURNALD_MAIN, *(f"{d}/*.conf" for d in _DROPIN_DIRS)),
    description="systemd-journald settings (journald.conf and drop-ins)",
)
def parse_journald_conf(section: Section) -> JournaldConf:
    settings: dict[str, str] = {}
    where: dict[str, str] = {}
    for path in journald_order(section.files):
        group = ""
        for lineno, raw in enumerate(section.files[path].splitlines(), 1):
            line = raw.strip()
            if not line or line[0] in "#;":
                continue
            if line.startswith("[") and line.endswith("]"):
                group = line[1:-1]
                continue
            key, sep, value = line.partition("=")
            if not sep:
                raise ValueError(f"{path}:{lineno}: not a key=value line: {line[:60]!r}")
            if group == "Journal":
                settings[key.strip()] = value.strip()
                where[key.strip()] = f"{path}:{lineno}"
    return JournaldConf(bool(section.files), settings, where)


def journal_dir_offline(tree: OfflineTree) -> str:
    return "present\n" if tree.is_dir("/var/log/journal") else "absent\n"


@probe(
    "journal_dir",
    command="if [ -d /var/log/journal ]; then echo 'present'; else echo 'absent'; fi",
    description="whether /var/log/journal exists (Storage=auto persists only then)",
    offline=journal_dir_offline,
)
def parse_journal_dir(section: Section) -> bool:
    text = section.text.strip()
    if text not in ("present", "absent"):
        raise ValueError(f"unexpected journal_dir output: {text[:40]!r}")
    return text == "present"


@dataclass(frozen=True)
class Persistence:
    persistent: bool
    why: str


def journal_persistence(facts: ScopedFacts) -> Persistence:
    conf: JournaldConf = facts.get("journald_conf")
    storage = conf.describe("Storage", "auto")
    if conf.storage == "persistent":
        return Persistence(True, storage)
    if conf.storage in ("volatile", "none"):
        return Persistence(False, storage)
    if conf.storage != "auto":
        return Persistence(False, f"{storage}: not a valid value, journald falls back to auto")
    exists: bool = facts.get("journal_dir")
    return Persistence(exists, f"{storage} and /var/log/journal "
                               f"{'exists' if exists else 'does not exist'}")


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
            return Result(Status.NOT_APPLICABLE, "systemd-journald is not running on this host "
                          "(no systemd journal to keep).", observed="no systemd-journald process",
                          expected=expected, source="processes")
    else:
        units: EnabledUnits = facts.get("systemd_enabled")
        if not units.systemd and not conf.present:
            return Result(Status.NOT_APPLICABLE, "The tree has neither systemd nor a "
                          "journald.conf (no systemd journal).", observed=None,
                          expected=expected, source="systemd_enabled, journald_conf")
    p = journal_persistence(facts)
    observed = {"storage": p.why, "SystemMaxUse": conf.describe("SystemMaxUse", "10% of disk"),
                "MaxRetentionSec": conf.describe("MaxRetentionSec", "0, no time limit"),
                "ForwardToSyslog": conf.describe("ForwardToSyslog", "no")}
    source = "journald_conf" + (", journal_dir" if conf.storage == "auto" else "")
    if p.persistent:
        return Result(Status.PASS, f"The systemd journal is persistent ({p.why}).",
                      observed=observed, expected=expected, source=source)
    return Result(Status.FAIL, f"The systemd journal is not persistent ({p.why}).",
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
    daemons: list[str] = []
    for label, procs_names, unit_names in _SYSLOG_DAEMONS:
        if facts.mode == "live":
            procs: ProcessTable = facts.get("processes")
            found = procs.find(procs_names)
            if found:
                daemons.append(f"{label} ({', '.join(found)} running)")
        else:
            on = [u for u in unit_names if units.enabled(u)]
            if on:
                daemons.append(f"{label} ({', '.join(on)} enabled at boot)")
    if daemons:
        return Result(Status.PASS, f"A syslog daemon is active: {'; '.join(daemons)}.",
                      observed={"syslog": daemons}, expected=expected,
                      source="processes" if facts.mode == "live" else "systemd_enabled")
    journald = (facts.get("processes").running("systemd-journald") if facts.mode == "live"
                else units.systemd)
    observed: dict[str, Any] = {"syslog": [], "journald": journald}
    if journald:
        p = journal_persistence(facts)
        observed["journal"] = p.why
        if p.persistent:
            return Result(Status.PASS, f"No syslog daemon, but the systemd journal is persistent "
                          f"({p.why}).", observed=observed, expected=expected,
                          source="journald_conf, journal_dir")
        return Result(Status.FAIL, f"No syslog daemon is "
                      f"{'running' if facts.mode == 'live' else 'enabled at boot'} and the "
                      f"systemd journal is not persistent ({p.why}).", observed=observed,
                      expected=expected, source="processes, journald_conf")
    if facts.mode != "live" and not units.systemd:
        return Result(Status.ERROR, "The tree has no systemd unit directories: services enabled "
                      "at boot cannot be read.", observed=observed, expected=expected,
                      source="systemd_enabled")
    return Result(Status.FAIL, f"No syslog daemon (rsyslogd, syslog-ng, syslogd) is "
                  f"{'running' if facts.mode == 'live' else 'enabled at boot'} and "
                  "systemd-journald is not in use.", observed=observed, expected=expected,
                  source="processes" if facts.mode == "live" else "systemd_enabled")
