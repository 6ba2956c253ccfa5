"""Ownership and modes of account/authentication files, and world-writable system files.

Live, ``stat`` and ``find`` report them.  An offline tree (an unpacked image) carries the
same metadata: its probes print the same lines from the tree, owners named by the tree's own
/etc/passwd and /etc/group (an id the tree does not name is shown as a number).  The verdict
is on the tree as given: a tree unpacked without its owners (by a non-root user) shows the
unpacking user's ids, and the message names them.  The offline world-writable walk covers the
same directories as ``find -H -xdev`` live and stops with an error beyond
``WALK_LIMIT`` entries rather than judge a partial walk.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from attt.model import Result, Status
from attt.registry import OfflineTree, ScopedFacts, Section, check, probe

# path -> (maximum mode bits, accepted owners, accepted groups)
SENSITIVE: dict[str, tuple[int, tuple[str, ...], tuple[str, ...]]] = {
    "/etc/passwd": (0o644, ("root",), ("root",)),
    "/etc/group": (0o644, ("root",), ("root",)),
    "/etc/shadow": (0o640, ("root",), ("root", "shadow")),
    "/etc/gshadow": (0o640, ("root",), ("root", "shadow")),
    "/etc/ssh/sshd_config": (0o644, ("root",), ("root",)),
    "/etc/sudoers": (0o440, ("root",), ("root",)),
}
REQUIRED = ("/etc/passwd", "/etc/group")
_STAT_LINE = re.compile(r"^(?P<path>/\S+) (?P<mode>[0-7]{1,4}) (?P<owner>\S+) (?P<group>\S+)$")


@dataclass(frozen=True)
class FileMeta:
    path: str
    mode: int
    owner: str
    group: str


def stat_offline(tree: OfflineTree) -> str:
    """``stat -c '%n %a %U %G'`` of the sensitive files (lstat, as stat without -L)."""

    lines = []
    for path in SENSITIVE:
        st = tree.stat(path)
        if st is not None:
            lines.append(f"{path} {st.mode:o} {st.owner} {st.group}\n")
    return "".join(lines)


@probe(
    "sensitive_file_modes",
    command=("command -v stat >/dev/null || exit 127; stat -c '%n %a %U %G' "
             + " ".join(SENSITIVE) + " 2>/dev/null"),
    ok_exit=(0, 1),  # 1: some of the files do not exist (sudoers without sudo)
    description="mode and ownership of passwd, shadow, group, gshadow, sshd_config, sudoers",
    offline=stat_offline,
)
def parse_sensitive_file_modes(section: Section) -> dict[str, FileMeta]:
    out: dict[str, FileMeta] = {}
    for line in section.text.splitlines():
        if not line.strip():
            continue
        m = _STAT_LINE.match(line.strip())
        if m is None:
            raise ValueError(f"not a 'stat -c %n %a %U %G' line: {line[:60]!r}")
        out[m.group("path")] = FileMeta(m.group("path"), int(m.group("mode"), 8),
                                        m.group("owner"), m.group("group"))
    if not out:
        raise ValueError("stat printed nothing")
    return out


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
        return Result(Status.ERROR, f"stat did not report {', '.join(missing)}.",
                      observed=dict.fromkeys(missing), expected=None,
                      source="sensitive_file_modes")
    observed: dict[str, Any] = {}
    expected: dict[str, str] = {}
    problems: list[str] = []
    for path, (max_mode, owners, groups) in SENSITIVE.items():
        expected[path] = f"<= {max_mode:o}, owner {'/'.join(owners)}, group {'/'.join(groups)}"
        meta = metas.get(path)
        if meta is None:
            observed[path] = "absent"
            continue
        observed[path] = f"{meta.mode:o} {meta.owner}:{meta.group}"
        bad = []
        if meta.mode & ~max_mode:
            bad.append(f"mode {meta.mode:o}")
        if meta.owner not in owners:
            bad.append(f"owner {meta.owner}")
        if meta.group not in groups:
            bad.append(f"group {meta.group}")
        if bad:
            problems.append(f"{path} ({', '.join(bad)})")
    if problems:
        return Result(Status.FAIL, f"Unsafe ownership or mode: {'; '.join(problems)}.",
                      observed=observed, expected=expected, source="stat")
    checked = [p for p in SENSITIVE if p in metas]
    return Result(Status.PASS,
                  f"{len(checked)} sensitive files have safe ownership and modes "
                  f"({', '.join(f'{p} {observed[p]}' for p in checked)}).",
                  observed=observed, expected=expected, source="stat")


WW_DIRS = ("/etc", "/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin", "/usr/local/sbin")
WW_LIMIT = 200
# Entries an offline walk visits at most (a full Debian image has about 15,000 in WW_DIRS).
WALK_LIMIT = 1_000_000


def world_writable_offline(tree: OfflineTree) -> str:
    """The live probe's output: 'file PATH' / 'dir PATH' lines, at most WW_LIMIT + 1, 'end'."""

    lines: list[str] = []
    for top in WW_DIRS:
        if len(lines) > WW_LIMIT:
            break
        for st in tree.walk(top, WALK_LIMIT):
            if len(lines) > WW_LIMIT:
                break
            if not st.mode & 0o002:
                continue
            if st.kind == "file":
                lines.append(f"file {st.path}")
            elif st.kind == "dir" and not st.mode & 0o1000:
                lines.append(f"dir {st.path}")
    return "\n".join([*lines[: WW_LIMIT + 1], "end"]) + "\n"


@probe(
    "world_writable",
    command=(
        "command -v find >/dev/null || exit 127; "
        f"for d in {' '.join(WW_DIRS)}; do [ -d \"$d\" ] || continue; "
        "find -H \"$d\" -xdev -type f -perm -0002 -print 2>/dev/null | sed 's/^/file /'; "
        "find -H \"$d\" -xdev -type d -perm -0002 ! -perm -1000 -print 2>/dev/null "
        f"| sed 's/^/dir /'; done | head -n {WW_LIMIT + 1}; echo end"
    ),
    description="world-writable files (and non-sticky world-writable directories) in system "
                "directories",
    offline=world_writable_offline,
)
def parse_world_writable(section: Section) -> tuple[list[str], bool]:
    """(paths, more than the limit were found)."""

    lines = [ln for ln in section.text.splitlines() if ln.strip()]
    if not lines or lines[-1] != "end":
        raise ValueError("world_writable output lacks its end marker")
    out: list[str] = []
    for line in lines[:-1]:
        kind, _, path = line.partition(" ")
        if kind not in ("file", "dir") or not path.startswith("/"):
            raise ValueError(f"not a world_writable line: {line[:60]!r}")
        shown = f"{path}/" if kind == "dir" else path
        if shown not in out:
            out.append(shown)
    return out[:WW_LIMIT], len(lines) - 1 > WW_LIMIT


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
        count = f"More than {WW_LIMIT}" if more else str(len(paths))
        shown = ", ".join(paths[:10]) + (" ..." if len(paths) > 10 else "")
        return Result(Status.FAIL, f"{count} world-writable path(s) in system directories: "
                      f"{shown}.", observed=observed, expected=expected, source="find")
    return Result(Status.PASS, "No world-writable file or non-sticky world-writable directory in "
                  f"{', '.join(WW_DIRS)}.", observed=observed, expected=expected, source="find")
