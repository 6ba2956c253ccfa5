"""sudo: rules that grant everything without a password, and logging of sudo use.

A '#' starts a comment except in '#include'/'#includedir' and in '#<uid>' user names.

How the facts are read (sources, order, offline limits): :mod:`attt.probes.sudo`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from attt.model import Result, Status
from attt.probes.packages import Packages
from attt.probes.sudo import (
    SUDOERS,
    Sudoers,
    defaults_options,
    expand_aliases,
    split_top,
    sudo_aliases,
    sudo_grants,
)
from attt.registry import ScopedFacts, check


def _sudoers_or_result(facts: ScopedFacts) -> Sudoers | Result:
    """The parsed policy, or the N/A / error result that replaces the check."""

    if facts.mode == "live":
        sec = facts.section("sudo_installed")
        if sec is not None and sec.state == "failed" and sec.exit_code == 127:
            return Result(Status.NOT_APPLICABLE, "sudo is not installed (no sudo command).",
                          observed="sudo not found", expected=None, source="sudo_installed")
        info: dict[str, str] = facts.get("sudo_installed")
        if info["sudoers"] == "unreadable":
            return Result(Status.ERROR, f"{SUDOERS} is readable by root only; run the scan as "
                          "root (or with sudo) to evaluate sudo rules.",
                          observed={"sudoers": "unreadable"}, expected=None,
                          source="sudo_installed")
    sudoers: Sudoers = facts.get("sudoers_files")
    if not sudoers.present:
        if facts.mode == "live" and facts.get("sudo_installed")["sudoers"] == "readable":
            return Result(Status.ERROR, f"{SUDOERS} is readable but was not collected.",
                          observed=None, expected=None, source="sudoers_files")
        return Result(Status.NOT_APPLICABLE, f"sudo is not installed ({SUDOERS} is absent).",
                      observed=f"{SUDOERS} absent", expected=None, source=SUDOERS)
    if sudoers.unread:
        return Result(Status.ERROR, f"sudoers includes {sudoers.unread[0]}, which was not read; "
                      "the policy cannot be fully evaluated.",
                      observed={"unread_includes": list(sudoers.unread)}, expected=None,
                      source=", ".join(sudoers.files_read))
    return sudoers


@check(
    "sudo.no_nopasswd_all",
    title_vi="Không cấp toàn quyền sudo mà không cần mật khẩu",
    title_en="No one may run every command through sudo without a password",
    severity="high",
    probes=("sudo_installed", "sudoers_files"),
    params={"allowed": []},
    remediation_vi=(
        "Dùng 'visudo' (hoặc 'visudo -f /etc/sudoers.d/<tệp>') để bỏ 'NOPASSWD:' khỏi các quy "
        "tắc 'ALL' và xóa 'Defaults !authenticate'; nếu tài khoản tự động hóa cần chạy không "
        "mật khẩu, chỉ cho phép các lệnh cụ thể (Cmnd_Alias) và ghi tài khoản đó vào tham số "
        "'allowed' sau khi được phê duyệt. Kiểm tra bằng 'visudo -c'."
    ),
    remediation_en=(
        "With 'visudo' (or 'visudo -f /etc/sudoers.d/<file>') drop 'NOPASSWD:' from 'ALL' rules "
        "and remove 'Defaults !authenticate'; if an automation account must run without a "
        "password, allow only specific commands (a Cmnd_Alias) and, once approved, list it in "
        "the 'allowed' parameter. Verify with 'visudo -c'."
    ),
)
def no_nopasswd_all(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """'NOPASSWD: ALL' turns any session of the account (a stolen SSH key, a hijacked terminal,
    a compromised service) into root with no further barrier, and removes the confirmation step
    that makes administrators notice what they run. Unrestricted sudo must ask for the user's
    password; approved exceptions are listed by name ('user', '%group')."""

    got = _sudoers_or_result(facts)
    if isinstance(got, Result):
        return got
    sudoers = got
    allowed = set(params.get("allowed") or [])
    source = ", ".join(sudoers.files_read)
    try:
        aliases = sudo_aliases(sudoers)
        grants = sudo_grants(sudoers, aliases)
        defaults = defaults_options(sudoers)
    except ValueError as exc:
        return Result(Status.ERROR, f"sudoers could not be parsed: {exc}.",
                      observed=None, expected=None, source=source)
    no_auth_all = any(b == "" and n == "authenticate" and v == "!" for b, n, v, _ in defaults)
    no_auth_for = {u for b, n, v, _ in defaults if b.startswith(":") and n == "authenticate"
                   and v == "!" for u in expand_aliases(split_top(b[1:]), aliases)}
    offenders: dict[str, str] = {}
    for g in grants:
        if g.command != "ALL":
            continue
        for user in g.users:
            if user in allowed:
                continue
            if g.nopasswd:
                offenders.setdefault(user, f"NOPASSWD: ALL at {g.where}")
            elif no_auth_all or user in no_auth_for:
                offenders.setdefault(user, f"ALL at {g.where} with Defaults !authenticate")
    observed = {"nopasswd_all": offenders, "allowed": sorted(allowed),
                "files_read": list(sudoers.files_read)}
    expected = {"nopasswd_all": "none outside 'allowed'"}
    if offenders:
        shown = "; ".join(f"{u} ({w})" for u, w in offenders.items())
        return Result(Status.FAIL, f"sudo grants every command without a password to: {shown}.",
                      observed=observed, expected=expected, source=source)
    full = sorted({u for g in grants if g.command == "ALL" and not g.nopasswd
                   and not no_auth_all for u in g.users if u not in no_auth_for})
    excused = sorted({u for g in grants if g.command == "ALL" for u in g.users} - set(full))
    tail = f"; allowed without a password: {', '.join(excused)}" if excused else ""
    return Result(Status.PASS,
                  f"No sudo rule grants ALL without a password outside the allowed list "
                  f"({len(sudoers.files_read)} file(s) read; ALL with a password for "
                  f"{', '.join(full) or 'nobody'}{tail}).",
                  observed=observed, expected=expected, source=source)


def _version_tuple(raw: str) -> tuple[int, int, int] | None:
    m = re.match(r"^(?:\d+:)?(\d+)\.(\d+)\.(\d+)", raw)
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


@check(
    "sudo.logging_enabled",
    title_vi="Ghi nhật ký các lệnh sudo",
    title_en="sudo use is logged",
    severity="medium",
    probes=("sudo_installed", "sudoers_files", "packages"),
    remediation_vi=(
        "Bằng 'visudo -f /etc/sudoers.d/10-logging' thêm 'Defaults use_pty' và "
        "'Defaults logfile=\"/var/log/sudo.log\"' (tùy chọn thêm 'Defaults log_output'); xóa "
        "mọi 'Defaults !syslog'. Kiểm tra bằng 'visudo -c' và chuyển nhật ký về máy chủ tập "
        "trung."
    ),
    remediation_en=(
        "With 'visudo -f /etc/sudoers.d/10-logging' add 'Defaults use_pty' and 'Defaults "
        "logfile=\"/var/log/sudo.log\"' (optionally 'Defaults log_output'); remove any 'Defaults "
        "!syslog'. Verify with 'visudo -c' and forward the log to the central collector."
    ),
)
def logging_enabled(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Every privileged command run through sudo must leave a record of who ran what, when.
    Pass: sudo writes to syslog (its default; not turned off with '!syslog') or to a
    'Defaults logfile', and commands run in a pseudo-terminal ('use_pty', default from sudo
    1.9.14) so a background process cannot outlive the logged session. 'log_output' (full I/O
    logging) is reported but not required."""

    got = _sudoers_or_result(facts)
    if isinstance(got, Result):
        return got
    sudoers = got
    source = ", ".join(sudoers.files_read)
    try:
        defaults = defaults_options(sudoers)
    except ValueError as exc:
        return Result(Status.ERROR, f"sudoers could not be parsed: {exc}.",
                      observed=None, expected=None, source=source)
    version = ""
    if facts.mode == "live" and facts.has("sudo_installed"):
        version = facts.get("sudo_installed")["version"]
    if not version and facts.has("packages"):
        pkgs: Packages = facts.get("packages")
        version = pkgs.version("sudo") or pkgs.version("sudo-ldap") or ""
    vt = _version_tuple(version)
    pty_default = vt is not None and vt >= (1, 9, 14)
    state: dict[str, tuple[str, str]] = {
        "syslog": ("on", "sudo default"), "logfile": ("", "unset"),
        "use_pty": ("on" if pty_default else "", f"sudo {version} default" if pty_default
                    else "unset"),
        "log_output": ("", "unset")}
    scoped_off: list[str] = []
    for binding, name, value, where in defaults:
        if name not in state:
            continue
        if binding:
            if value == "!":
                scoped_off.append(f"Defaults{binding} !{name} ({where})")
            continue
        state[name] = (value, where)
    syslog_on = state["syslog"][0] not in ("!", "")
    logfile_on = state["logfile"][0] not in ("!", "")
    pty_on = state["use_pty"][0] == "on"
    observed = {k: {"value": v, "from": w} for k, (v, w) in state.items()}
    observed["version"] = {"value": version or "unknown", "from": "sudo -V / packages"}
    if scoped_off:
        observed["scoped_negations"] = {"value": "; ".join(scoped_off), "from": source}
    expected = {"syslog or logfile": "on", "use_pty": "on"}
    problems = []
    if not (syslog_on or logfile_on):
        problems.append(f"syslog is off ({state['syslog'][1]}) and no logfile is set")
    if not pty_on:
        problems.append("use_pty is not set" + (f" ({state['use_pty'][1]})"
                                                 if state["use_pty"][0] == "!" else ""))
    if scoped_off:
        problems.append("logging options are turned off for some users/hosts: "
                        + "; ".join(scoped_off))
    if problems:
        return Result(Status.FAIL, "sudo logging is incomplete: " + "; ".join(problems) + ".",
                      observed=observed, expected=expected, source=source)
    where = (f"logfile {state['logfile'][0]}" if logfile_on
             else f"syslog ({state['syslog'][1]})")
    return Result(Status.PASS,
                  f"sudo logs to {where} with use_pty ({state['use_pty'][1]})"
                  + (", log_output on" if state["log_output"][0] == "on" else "") + ".",
                  observed=observed, expected=expected, source=source)
