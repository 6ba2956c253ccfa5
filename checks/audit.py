"""Linux audit: auditd runs, and its rules record logins, privilege use and config changes.

How the facts are read (sources, order, offline limits): :mod:`attt.probes.audit`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from typing import Any

from attt.messages import Msg, T
from attt.model import Result, Status
from attt.probes.audit import TIME_REQUIRED, AuditRule, AuditRules, arch_ok, time_coverage, watched
from attt.probes.packages import Packages
from attt.probes.processes import ProcessTable
from attt.probes.systemd import EnabledUnits
from attt.registry import ScopedFacts, check

_EXPECTED_RUNNING = "auditd installed, enabled at boot and running (kernel auditing on)"


@check(
    "audit.auditd_running",
    title_vi="Dịch vụ kiểm toán auditd được cài đặt và hoạt động",
    title_en="The audit daemon (auditd) is installed and running",
    severity="medium",
    probes=("processes", "packages", "systemd_enabled", "audit_status"),
    remediation_vi=(
        "Cài và bật auditd: 'apt-get install auditd audispd-plugins' (RHEL: 'dnf install "
        "audit'), rồi 'systemctl enable --now auditd'; kiểm tra 'auditctl -s' báo 'enabled 1' "
        "(hoặc 2 khi khóa cấu hình). Thêm 'audit=1' vào GRUB_CMDLINE_LINUX để ghi cả tiến trình "
        "khởi động trước auditd."
    ),
    remediation_en=(
        "Install and enable auditd: 'apt-get install auditd audispd-plugins' (RHEL: 'dnf "
        "install audit'), then 'systemctl enable --now auditd'; check that 'auditctl -s' shows "
        "'enabled 1' (or 2 when locked). Add 'audit=1' to GRUB_CMDLINE_LINUX so processes "
        "started before auditd are audited too."
    ),
)
def auditd_running(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """The kernel audit system records security-relevant events (logins, privilege use, file
    and configuration changes) with the identity behind them; without auditd those records are
    not written to disk."""

    units: EnabledUnits = facts.get("systemd_enabled")
    pkgs: Packages | None = facts.get("packages") if facts.has("packages") else None
    installed = [f"{p} {pkgs.version(p)}" for p in ("auditd", "audit")
                 if pkgs is not None and pkgs.version(p) is not None]
    enabled = units.enabled("auditd.service")
    observed: dict[str, Any] = {"installed": installed or (pkgs.source if pkgs and
                                                            pkgs.manager == "none" else []),
                                "enabled_at_boot": enabled}
    if facts.mode == "live":
        procs: ProcessTable = facts.get("processes")
        running = procs.running("auditd")
        observed["running"] = running
        status: dict[str, str] | None = (facts.get("audit_status") if facts.has("audit_status")
                                         else None)
        observed["kernel"] = (f"enabled {status['enabled']}" if status
                              else "auditctl -s unavailable")
        source = "processes, packages, systemd_enabled, audit_status"
        if not running:
            message = (T("auditd is not running (package {package}; enabled at boot).",
                         package=_package(installed)) if enabled else
                       T("auditd is not running (package {package}; not enabled at boot).",
                         package=_package(installed)))
            return Result(Status.FAIL, message, observed=observed, expected=_EXPECTED_RUNNING,
                          source=source)
        if status is not None and status["enabled"].split()[0] == "0":
            return Result(Status.FAIL, T("auditd is running but kernel auditing is disabled "
                                         "(auditctl -s: enabled 0)."), observed=observed,
                          expected=_EXPECTED_RUNNING, source=source)
        if units.systemd and not enabled:
            return Result(Status.FAIL, T("auditd is running but auditd.service is not enabled "
                                         "at boot."),
                          observed=observed, expected=_EXPECTED_RUNNING, source=source)
        kernel = (T("auditctl -s reports enabled {state}", state=status["enabled"]) if status
                  else T("auditctl -s unavailable"))
        message = (T("auditd is running ({kernel}; enabled at boot).", kernel=kernel) if enabled
                   else T("auditd is running ({kernel}; no systemd unit directories).",
                          kernel=kernel))
        return Result(Status.PASS, message, observed=observed, expected=_EXPECTED_RUNNING,
                      source=source)
    source = "packages, systemd_enabled"
    if enabled:
        message = (T("auditd.service is enabled at boot (package {packages}).",
                     packages=installed) if installed else
                   T("auditd.service is enabled at boot."))
        return Result(Status.PASS, message, observed=observed, expected=_EXPECTED_RUNNING,
                      source=source)
    if not units.systemd:
        return Result(Status.ERROR, T("The tree has no systemd unit directories: whether auditd "
                                      "starts at boot cannot be read."), observed=observed,
                      expected=_EXPECTED_RUNNING, source=source)
    return Result(Status.FAIL, T("auditd.service is not enabled at boot (package {package}).",
                                 package=_package(installed)),
                  observed=observed, expected=_EXPECTED_RUNNING, source=source)


def _package(installed: list[str]) -> Msg:
    """Which audit package is installed, as a finding says it."""

    if installed:
        return T("installed: {packages}", packages=installed)
    return T("not installed")


def _group_list(value: Any, name: str) -> list[list[str]] | Result:
    """Watch paths, alternatives split on '|'; an ERROR result if the parameter is not a list
    of paths."""

    if not isinstance(value, Sequence) or isinstance(value, str) or not all(
            isinstance(v, str) and v for v in value):
        return Result(Status.ERROR, T("Invalid parameter: {name} must be a list of paths "
                                      "(alternatives joined by '|').", name=name),
                      observed=None, expected=None, source="params")
    return [[p.strip() for p in v.split("|") if p.strip()] for v in value]


def _rules(facts: ScopedFacts) -> AuditRules | Result:
    rules: AuditRules = facts.get("audit_rules")
    if not rules.auditctl:
        return Result(Status.FAIL, T("auditctl is not installed: no audit rules are loaded."),
                      observed="auditctl absent", expected="audit rules loaded",
                      source="audit_rules")
    return rules


def _alternatives(paths: list[str]) -> str | Msg:
    """A required watch as a finding names it: one path, or any one of several."""

    return paths[0] if len(paths) == 1 else T("one of ({paths})", paths=paths)


def _watch_report(rules: AuditRules,
                  groups: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    """Watches found (path, rule, file:line) and the groups of alternatives none of which is
    watched."""

    found, missing = [], []
    for alternatives in groups:
        hit = next(((p, r) for p in alternatives if (r := watched(rules.rules, p))), None)
        if hit:
            found.append(f"{hit[0]} ({hit[1].text}; {hit[1].where})")
        else:
            missing.append(alternatives)
    return found, missing


_RULES_VI = (
    "Thêm quy tắc vào tệp /etc/audit/rules.d/{file}.rules, ví dụ:\n{rules}\nrồi nạp bằng "
    "'augenrules --load' (hoặc 'service auditd restart') và kiểm tra bằng 'auditctl -l'."
)
_RULES_EN = (
    "Add the rules to /etc/audit/rules.d/{file}.rules, for example:\n{rules}\nthen load them "
    "with 'augenrules --load' (or 'service auditd restart') and verify with 'auditctl -l'."
)
_LOGIN_RULES = ("-w /var/log/lastlog -p wa -k logins\n-w /var/run/faillock -p wa -k logins\n"
                "-w /var/log/wtmp -p wa -k session\n-w /var/log/btmp -p wa -k session")
_DEFAULT_LOGIN_WATCHES = (
    "/var/log/lastlog",
    "/var/run/faillock|/var/log/faillog|/var/log/tallylog",
    "/var/log/wtmp|/var/log/btmp|/var/run/utmp",
)


@check(
    "audit.rules_logins",
    title_vi="Quy tắc kiểm toán ghi nhận sự kiện đăng nhập",
    title_en="Audit rules record login events",
    severity="medium",
    probes=("audit_rules",),
    params={"required_watches": list(_DEFAULT_LOGIN_WATCHES)},
    remediation_vi=_RULES_VI.format(file="50-logins", rules=_LOGIN_RULES),
    remediation_en=_RULES_EN.format(file="50-logins", rules=_LOGIN_RULES),
)
def rules_logins(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Successful and failed logins are the first thing an investigation looks at; watching
    lastlog, the faillock/faillog records and wtmp/btmp puts each change in the audit trail
    with the identity that caused it."""

    groups = _group_list(params.get("required_watches"), "required_watches")
    if isinstance(groups, Result):
        return groups
    rules = _rules(facts)
    if isinstance(rules, Result):
        return rules
    found, missing = _watch_report(rules, groups)
    observed = {"watched": found, "missing": [" or ".join(g) for g in missing],
                "rules": len(rules.rules)}
    expected = "write and attribute watches (-p wa) on " + "; ".join(" or ".join(g)
                                                                     for g in groups)
    if missing:
        return Result(Status.FAIL, T("Login records are not audited: no watch with -p wa on "
                                     "{paths} ({count} rules in {source}).",
                                     paths=[_alternatives(g) for g in missing],
                                     count=len(rules.rules), source=rules.source),
                      observed=observed, expected=expected, source=rules.source)
    return Result(Status.PASS, T("Login records are audited: {watches}.", watches=found),
                  observed=observed, expected=expected, source=rules.source)


_PRIV_RULES = (
    "-w /etc/sudoers -p wa -k scope\n-w /etc/sudoers.d -p wa -k scope\n"
    "-a always,exit -F arch=b64 -S execve -C euid!=uid -F auid!=unset -k user_emulation\n"
    "-a always,exit -F arch=b32 -S execve -C euid!=uid -F auid!=unset -k user_emulation\n"
    "-a always,exit -F path=/usr/bin/sudo -F perm=x -F auid>=1000 -F auid!=unset -k privileged\n"
    "-a always,exit -F path=/usr/bin/su -F perm=x -F auid>=1000 -F auid!=unset -k privileged"
)


def _elevation_rule(rules: Sequence[AuditRule]) -> AuditRule | None:
    """execve recorded when the effective uid differs from the real one, or is root."""

    for r in rules:
        if not r.records or "execve" not in r.syscalls or not arch_ok(r):
            continue
        compares = {(n, op, v) for n, op, v in r.fields}
        if ({("uid", "!=", "euid"), ("euid", "!=", "uid")} & compares
                or ("euid", "=", "0") in compares):
            return r
    return None


def _exec_rule(rules: Sequence[AuditRule], name: str) -> AuditRule | None:
    for r in rules:
        if not r.records or r.watch is None or "x" not in r.perms:
            continue
        if posixpath.basename(r.watch) == name and r.watch.startswith(("/usr/bin", "/bin",
                                                                        "/usr/sbin", "/sbin")):
            return r
    return None


@check(
    "audit.rules_privileged",
    title_vi="Quy tắc kiểm toán ghi nhận việc sử dụng đặc quyền (sudo, su, sudoers)",
    title_en="Audit rules record privilege use (sudo, su, sudoers)",
    severity="medium",
    probes=("audit_rules",),
    params={"commands": ["sudo", "su"]},
    remediation_vi=_RULES_VI.format(file="50-privileged", rules=_PRIV_RULES),
    remediation_en=_RULES_EN.format(file="50-privileged", rules=_PRIV_RULES),
)
def rules_privileged(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Administrative power is where misuse does most damage; the audit trail must show who
    changed the sudo policy and every command run with elevated rights, whether through sudo,
    su or another set-uid program."""

    commands = params.get("commands")
    if not isinstance(commands, Sequence) or isinstance(commands, str) or not all(
            isinstance(c, str) and c for c in commands):
        return Result(Status.ERROR, T("Invalid parameter: commands must be a list of program "
                                      "names."), observed=None, expected=None, source="params")
    rules = _rules(facts)
    if isinstance(rules, Result):
        return rules
    sudoers = watched(rules.rules, "/etc/sudoers")
    elevation = _elevation_rule(rules.rules)
    per_command = {c: _exec_rule(rules.rules, c) for c in commands}
    observed = {
        "sudoers_watch": f"{sudoers.text} ({sudoers.where})" if sudoers else None,
        "elevated_execve": f"{elevation.text} ({elevation.where})" if elevation else None,
        "command_rules": {c: (f"{r.text} ({r.where})" if r else None)
                          for c, r in per_command.items()},
    }
    expected = ("a watch with -p wa on /etc/sudoers, and execve audited when euid != uid (or the "
                f"execution of {', '.join(commands)})")
    problems: list[Msg] = []
    if sudoers is None:
        problems.append(T("no watch with -p wa on {paths}", paths="/etc/sudoers"))
    missing_cmds = [c for c, r in per_command.items() if r is None]
    if elevation is None and missing_cmds:
        problems.append(T("no execve rule for euid != uid (64-bit) and no execution rule for "
                          "{commands}", commands=missing_cmds))
    if problems:
        return Result(Status.FAIL, T("Privilege use is not fully audited: {problems} ({count} "
                                     "rules in {source}).", problems=problems,
                                     count=len(rules.rules), source=rules.source),
                      observed=observed, expected=expected, source=rules.source)
    how = (T("elevated execve ({rule})", rule=elevation.text) if elevation
           else T("execution of {commands}", commands=list(commands)))
    return Result(Status.PASS, T("Privilege use is audited: /etc/sudoers watched ({rule}) and "
                                 "{how}.", rule=sudoers.text if sudoers else "", how=how),
                  observed=observed, expected=expected, source=rules.source)


_DEFAULT_CONFIG_WATCHES = ("/etc/passwd", "/etc/shadow", "/etc/group", "/etc/gshadow",
                           "/etc/sudoers", "/etc/ssh/sshd_config")


_CONFIG_RULES = (
    "-w /etc/passwd -p wa -k identity\n-w /etc/shadow -p wa -k identity\n"
    "-w /etc/group -p wa -k identity\n-w /etc/gshadow -p wa -k identity\n"
    "-w /etc/sudoers -p wa -k scope\n-w /etc/ssh/sshd_config -p wa -k sshd\n"
    "-a always,exit -F arch=b64 -S adjtimex,settimeofday,clock_settime -k time-change\n"
    "-a always,exit -F arch=b32 -S adjtimex,settimeofday,clock_settime,stime -k time-change\n"
    "-w /etc/localtime -p wa -k time-change"
)


@check(
    "audit.rules_config_changes",
    title_vi="Quy tắc kiểm toán ghi nhận thay đổi tài khoản, cấu hình và thời gian hệ thống",
    title_en="Audit rules record changes to accounts, configuration and system time",
    severity="medium",
    probes=("audit_rules",),
    params={"required_watches": list(_DEFAULT_CONFIG_WATCHES), "require_time_change": True},
    remediation_vi=_RULES_VI.format(file="50-config", rules=_CONFIG_RULES),
    remediation_en=_RULES_EN.format(file="50-config", rules=_CONFIG_RULES),
)
def rules_config_changes(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Changes to the account databases, the sudo and SSH configuration and the system clock
    are how intruders keep access and hide their tracks; each must leave an audit record
    naming who made it."""

    groups = _group_list(params.get("required_watches"), "required_watches")
    if isinstance(groups, Result):
        return groups
    want_time = bool(params.get("require_time_change"))
    rules = _rules(facts)
    if isinstance(rules, Result):
        return rules
    found, missing = _watch_report(rules, groups)
    covered, rejected = time_coverage(rules.rules)
    time_missing = [n for n in TIME_REQUIRED if n not in covered]
    time_rules = list(dict.fromkeys(r.text for r in covered.values()))
    observed = {"watched": found, "missing": [" or ".join(g) for g in missing],
                "time_change": {n: (f"{r.text} ({r.where})" if (r := covered.get(n)) else None)
                                for n in TIME_REQUIRED},
                "time_rules_not_counted": [str(r) for r in rejected]}
    expected = "write and attribute watches (-p wa) on " + ", ".join(
        " or ".join(g) for g in groups) + (
        "; 64-bit rules on adjtimex, settimeofday and clock_settime without argument filters"
        if want_time else "")
    problems: list[Msg] = []
    if missing:
        problems.append(T("no watch with -p wa on {paths}",
                          paths=[_alternatives(g) for g in missing]))
    if want_time and time_missing:
        problems.append(T("no rule records every call of {calls} (not counted: {rejected})",
                          calls=time_missing, rejected=rejected) if rejected else
                        T("no rule records every call of {calls}", calls=time_missing))
    if problems:
        return Result(Status.FAIL, T("Configuration changes are not fully audited: {problems} "
                                     "({count} rules in {source}).", problems=problems,
                                     count=len(rules.rules), source=rules.source),
                      observed=observed, expected=expected, source=rules.source)
    paths = [g[0] for g in groups]
    message = (T("Changes to {paths} and time changes ({rules}) are audited.", paths=paths,
                 rules=time_rules) if want_time else
               T("Changes to {paths} are audited.", paths=paths))
    return Result(Status.PASS, message, observed=observed, expected=expected,
                  source=rules.source)
