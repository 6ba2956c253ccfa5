"""sudo: rules that grant everything without a password, and logging of sudo use.

A '#' starts a comment except in '#include'/'#includedir' and in '#<uid>' user names.

How the facts are read (sources, order, offline limits): :mod:`attt.probes.sudo`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from attt.messages import Msg, T
from attt.model import Result, Status
from attt.probes.packages import Packages
from attt.probes.sudo import (
    SUDOERS,
    Sudoers,
    SudoersError,
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
            return Result(Status.NOT_APPLICABLE, T("sudo is not installed (no sudo command)."),
                          observed="sudo not found", expected=None, source="sudo_installed")
        info: dict[str, str] = facts.get("sudo_installed")
        if info["sudoers"] == "unreadable":
            return Result(Status.ERROR, T("{file} is readable by root only; run the scan as "
                                          "root (or with sudo) to evaluate sudo rules.",
                                          file=SUDOERS),
                          observed={"sudoers": "unreadable"}, expected=None,
                          source="sudo_installed")
    sudoers: Sudoers = facts.get("sudoers_files")
    if not sudoers.present:
        if facts.mode == "live" and facts.get("sudo_installed")["sudoers"] == "readable":
            return Result(Status.ERROR, T("{file} is readable but was not collected.",
                                          file=SUDOERS),
                          observed=None, expected=None, source="sudoers_files")
        return Result(Status.NOT_APPLICABLE, T("sudo is not installed ({file} is absent).",
                                               file=SUDOERS),
                      observed=f"{SUDOERS} absent", expected=None, source=SUDOERS)
    if sudoers.unread:
        return Result(Status.ERROR, T("sudoers includes {include}, which was not read; the "
                                      "policy cannot be fully evaluated.",
                                      include=sudoers.unread[0]),
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
        return Result(Status.ERROR, T("sudoers could not be parsed: {error}.",
                                      error=exc.msg if isinstance(exc, SudoersError)
                                      else str(exc)),
                      observed=None, expected=None, source=source)
    no_auth_all = any(b == "" and n == "authenticate" and v == "!" for b, n, v, _ in defaults)
    no_auth_for = {u for b, n, v, _ in defaults if b.startswith(":") and n == "authenticate"
                   and v == "!" for u in expand_aliases(split_top(b[1:]), aliases)}
    offenders: dict[str, str] = {}  # data for observed
    shown: list[Msg] = []  # the same, for the message
    for g in grants:
        if g.command != "ALL":
            continue
        for user in g.users:
            if user in allowed or user in offenders:
                continue
            if g.nopasswd:
                offenders[user] = f"NOPASSWD: ALL at {g.where}"
                shown.append(T("{user} (NOPASSWD: ALL at {where})", user=user, where=g.where))
            elif no_auth_all or user in no_auth_for:
                offenders[user] = f"ALL at {g.where} with Defaults !authenticate"
                shown.append(T("{user} (ALL at {where} with Defaults !authenticate)", user=user,
                               where=g.where))
    observed = {"nopasswd_all": offenders, "allowed": sorted(allowed),
                "files_read": list(sudoers.files_read)}
    expected = {"nopasswd_all": "none outside 'allowed'"}
    if offenders:
        return Result(Status.FAIL, T("sudo grants every command without a password to: {who}.",
                                     who=shown),
                      observed=observed, expected=expected, source=source)
    full = sorted({u for g in grants if g.command == "ALL" and not g.nopasswd
                   and not no_auth_all for u in g.users if u not in no_auth_for})
    excused = sorted({u for g in grants if g.command == "ALL" for u in g.users} - set(full))
    files = len(sudoers.files_read)
    who = full or T("nobody")
    msg = (T("No sudo rule grants ALL without a password outside the allowed list ({files} "
             "file(s) read; ALL with a password for {who}; allowed without a password: "
             "{excused}).", files=files, who=who, excused=excused) if excused
           else T("No sudo rule grants ALL without a password outside the allowed list ({files} "
                  "file(s) read; ALL with a password for {who}).", files=files, who=who))
    return Result(Status.PASS, msg,
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
        return Result(Status.ERROR, T("sudoers could not be parsed: {error}.",
                                      error=exc.msg if isinstance(exc, SudoersError)
                                      else str(exc)),
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
    problems: list[Msg] = []
    if not (syslog_on or logfile_on):
        problems.append(T("syslog is off ({where}) and no logfile is set",
                          where=_origin(state["syslog"][1], version)))
    if not pty_on:
        problems.append(T("use_pty is not set ({where})", where=state["use_pty"][1])
                        if state["use_pty"][0] == "!" else T("use_pty is not set"))
    if scoped_off:
        problems.append(T("logging options are turned off for some users/hosts: {rules}",
                          rules=scoped_off))
    if problems:
        return Result(Status.FAIL, T("sudo logging is incomplete: {problems}.",
                                     problems=problems),
                      observed=observed, expected=expected, source=source)
    to = (T("logfile {file}", file=state["logfile"][0]) if logfile_on
             else T("syslog ({where})", where=_origin(state["syslog"][1], version)))
    pty = _origin(state["use_pty"][1], version)
    msg = (T("sudo logs to {where} with use_pty ({pty}), log_output on.", where=to, pty=pty)
           if state["log_output"][0] == "on"
           else T("sudo logs to {where} with use_pty ({pty}).", where=to, pty=pty))
    return Result(Status.PASS, msg, observed=observed, expected=expected, source=source)


def _origin(where: str, version: str) -> Msg | str:
    """Where a Defaults value came from, for a message: a file line, or sudo's default."""

    if where == "sudo default":
        return T("sudo default")
    if where == f"sudo {version} default":
        return T("sudo {version} default", version=version)
    return where
