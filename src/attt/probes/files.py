"""Ownership and modes of account/authentication files, and world-writable
system files (``stat`` and ``find`` live, the same lines from an offline tree).

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
from dataclasses import dataclass

from attt.messages import T
from attt.registry import FactParseError, OfflineTree, Section, probe

# path -> (maximum mode bits, accepted owners, accepted groups)
SENSITIVE: dict[str, tuple[int, tuple[str, ...], tuple[str, ...]]] = {
    "/etc/passwd": (0o644, ("root",), ("root",)),
    "/etc/group": (0o644, ("root",), ("root",)),
    "/etc/shadow": (0o640, ("root",), ("root", "shadow")),
    "/etc/gshadow": (0o640, ("root",), ("root", "shadow")),
    "/etc/ssh/sshd_config": (0o644, ("root",), ("root",)),
    "/etc/sudoers": (0o440, ("root",), ("root",)),
}


_STAT_LINE = re.compile(r"^(?P<path>/\S+) (?P<mode>[0-7]{1,4}) (?P<owner>\S+) (?P<group>\S+)$")


@dataclass(frozen=True)
class FileMeta:
    """Mode and owners of one file."""

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
    """The ``sensitive_file_modes`` probe's output parsed."""

    out: dict[str, FileMeta] = {}
    for line in section.text.splitlines():
        if not line.strip():
            continue
        m = _STAT_LINE.match(line.strip())
        if m is None:
            raise FactParseError(T("not a 'stat -c %n %a %U %G' line: {line}",
                                   line=repr(line[:60])))
        out[m.group("path")] = FileMeta(m.group("path"), int(m.group("mode"), 8),
                                        m.group("owner"), m.group("group"))
    if not out:
        raise FactParseError(T("stat printed nothing"))
    return out


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
        for st in tree.walk(top, WALK_LIMIT, mode_any=0o002):
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
        raise FactParseError(T("world_writable output lacks its end marker"))
    out: list[str] = []
    for line in lines[:-1]:
        kind, _, path = line.partition(" ")
        if kind not in ("file", "dir") or not path.startswith("/"):
            raise FactParseError(T("not a world_writable line: {line}", line=repr(line[:60])))
        shown = f"{path}/" if kind == "dir" else path
        if shown not in out:
            out.append(shown)
    return out[:WW_LIMIT], len(lines) - 1 > WW_LIMIT
