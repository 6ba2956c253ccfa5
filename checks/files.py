"""Ownership and modes of account/authentication files, and world-writable system files.

How the facts are read (sources, order, offline limits): :mod:`attt.probes.files`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attt.messages import Msg, T
from attt.model import Result, Status
from attt.probes.files import SENSITIVE, WW_DIRS, WW_LIMIT, FileMeta
from attt.registry import ScopedFacts, check

REQUIRED = ("/etc/passwd", "/etc/group")


@check(
    "files.sensitive_permissions",
    title_vi="Quyền truy cập đúng trên các tệp tài khoản và xác thực",
    title_en="Account and authentication files have safe ownership and modes",
    severity="high",
    probes=("sensitive_file_modes",),
    remediation_vi=(
        "Đặt lại quyền: 'chown root:root /etc/passwd /etc/group && chmod 644 /etc/passwd "
        "/etc/group'; 'chown root:shadow /etc/shadow /etc/gshadow && chmod 640 /etc/shadow "
        "/etc/gshadow' (RHEL: 'chown root:root' và 'chmod 000'); 'chown root:root "
        "/etc/ssh/sshd_config && chmod 600 /etc/ssh/sshd_config'; 'chown root:root "
        "/etc/sudoers && chmod 440 /etc/sudoers'. Tìm nguyên nhân thay đổi (công cụ, người sửa)."
    ),
    remediation_en=(
        "Reset them: 'chown root:root /etc/passwd /etc/group && chmod 644 /etc/passwd "
        "/etc/group'; 'chown root:shadow /etc/shadow /etc/gshadow && chmod 640 /etc/shadow "
        "/etc/gshadow' (RHEL: 'chown root:root' and 'chmod 000'); 'chown root:root "
        "/etc/ssh/sshd_config && chmod 600 /etc/ssh/sshd_config'; 'chown root:root /etc/sudoers "
        "&& chmod 440 /etc/sudoers'. Find out what changed them."
    ),
)
def sensitive_permissions(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """If /etc/passwd, /etc/group, sudoers or sshd_config are writable by others, any local user
    can make themselves root or open the SSH server; readable /etc/shadow or /etc/gshadow hand
    out the password hashes for offline cracking. Each file must be owned by root with at most
    the mode listed (passwd/group 644, shadow/gshadow 640 with group root or shadow,
    sshd_config 644, sudoers 440)."""

    metas: dict[str, FileMeta] = facts.get("sensitive_file_modes")
    missing = [p for p in REQUIRED if p not in metas]
    if missing:
        return Result(Status.ERROR, T("stat did not report {files}.", files=missing),
                      observed=dict.fromkeys(missing), expected=None,
                      source="sensitive_file_modes")
    observed: dict[str, Any] = {}
    expected: dict[str, str] = {}
    problems: list[Msg] = []
    for path, (max_mode, owners, groups) in SENSITIVE.items():
        expected[path] = f"<= {max_mode:o}, owner {'/'.join(owners)}, group {'/'.join(groups)}"
        meta = metas.get(path)
        if meta is None:
            observed[path] = "absent"
            continue
        observed[path] = f"{meta.mode:o} {meta.owner}:{meta.group}"
        bad = []
        if meta.mode & ~max_mode:
            bad.append(T("mode {mode}", mode=format(meta.mode, "o")))
        if meta.owner not in owners:
            bad.append(T("owner {owner}", owner=meta.owner))
        if meta.group not in groups:
            bad.append(T("group {group}", group=meta.group))
        if bad:
            problems.append(T("{path} ({problems})", path=path, problems=bad))
    if problems:
        return Result(Status.FAIL, T("Unsafe ownership or mode: {files}.", files=problems),
                      observed=observed, expected=expected, source="stat")
    checked = [p for p in SENSITIVE if p in metas]
    return Result(Status.PASS,
                  T("{count} sensitive files have safe ownership and modes ({files}).",
                    count=len(checked), files=[f"{p} {observed[p]}" for p in checked]),
                  observed=observed, expected=expected, source="stat")


@check(
    "files.world_writable_none",
    title_vi="Không có tệp ghi được bởi mọi người trong thư mục hệ thống",
    title_en="No world-writable files in system directories",
    severity="high",
    probes=("world_writable",),
    remediation_vi=(
        "Với mỗi tệp được liệt kê: 'chmod o-w <tệp>' và xác định gói/tiến trình đã tạo ra nó "
        "('dpkg -S <tệp>' hoặc 'rpm -qf <tệp>'); với thư mục dùng chung cần quyền ghi chung, "
        "đặt sticky bit: 'chmod +t <thư mục>'. Kiểm tra lại bằng 'find /etc /usr/bin /usr/sbin "
        "-xdev -type f -perm -0002'."
    ),
    remediation_en=(
        "For each listed file: 'chmod o-w <file>' and find the package or process that created "
        "it ('dpkg -S <file>' or 'rpm -qf <file>'); a shared directory that must stay writable "
        "gets the sticky bit: 'chmod +t <dir>'. Re-check with 'find /etc /usr/bin /usr/sbin "
        "-xdev -type f -perm -0002'."
    ),
)
def world_writable_none(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """A world-writable file under /etc or a binary directory lets any local user or
    compromised service change configuration or replace a program that root later runs. A
    world-writable directory without the sticky bit lets anyone delete or replace others'
    files. System directories must contain neither."""

    paths, more = facts.get("world_writable")
    observed = {"world_writable": paths, "more_than_listed": more, "searched": list(WW_DIRS)}
    expected: dict[str, list[str]] = {"world_writable": []}
    if paths:
        shown: list[str | Msg] = list(paths[:10])
        if len(paths) > 10:
            shown.append(T("and {count} more", count=len(paths) - 10))
        msg = (T("More than {count} world-writable path(s) in system directories: {paths}.",
                 count=WW_LIMIT, paths=shown) if more
               else T("{count} world-writable path(s) in system directories: {paths}.",
                      count=len(paths), paths=shown))
        return Result(Status.FAIL, msg, observed=observed, expected=expected, source="find")
    return Result(Status.PASS, T("No world-writable file or non-sticky world-writable directory "
                                 "in {dirs}.", dirs=list(WW_DIRS)),
                  observed=observed, expected=expected, source="find")
