"""The plan as a POSIX shell script for hosts without Ansible.

Same edits as the playbook, byte for byte (``actions``): each helper builds the new file in a
temporary file and replaces the target only when the content differs, so a second run changes
nothing and says so.  ``-n``/``--dry-run`` prints what would change and writes nothing.  The
script runs as root on the host (or ``chroot TREE /bin/sh SCRIPT`` for an offline tree), for
the host named by ``--host NAME`` (needed when the plan covers several hosts).
"""

from __future__ import annotations

import shlex

from .catalog import HANDLERS, SSHD_INCLUDE_CHECK
from .header import header_lines
from .plan import Plan, Task

_PREAMBLE = r"""set -eu
ATTT_DRY_RUN=0
ATTT_HOST=
ATTT_CHANGED=0
while [ $# -gt 0 ]; do
  case $1 in
    -n|--dry-run) ATTT_DRY_RUN=1 ;;
    --host) shift; ATTT_HOST=${1:-} ;;
    *) echo "Tham số không hợp lệ / Unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
if [ -z "$ATTT_HOST" ]; then
  if [ "$ATTT_ONLY_HOST" = "" ]; then
    echo "Cần --host TÊN (kế hoạch có nhiều máy) / Give --host NAME (several hosts)" >&2
    exit 2
  fi
  ATTT_HOST=$ATTT_ONLY_HOST
fi

attt_for() {
  for h in "$@"; do [ "$h" = "$ATTT_HOST" ] && return 0; done
  return 1
}

# attt_commit TARGET MODE NEWFILE: replace TARGET by NEWFILE only if they differ.
attt_commit() {
  if [ -f "$1" ] && cmp -s "$3" "$1"; then rm -f "$3"; return 0; fi
  ATTT_CHANGED=$((ATTT_CHANGED + 1))
  if [ "$ATTT_DRY_RUN" = 1 ]; then
    echo "sẽ sửa / would change: $1"; rm -f "$3"; return 0
  fi
  if [ -f "$1" ]; then
    # A copy beside the file keeps its owner and mode; the rename replaces it whole (a PAM
    # file is never seen half written).
    cp -p "$1" "$1.attt-new"; cat "$3" > "$1.attt-new"; mv -f "$1.attt-new" "$1"; rm -f "$3"
  else
    mkdir -p "$(dirname "$1")"; mv "$3" "$1"; chmod "$2" "$1"
  fi
  echo "đã sửa / changed: $1"
}

# attt_setting FILE REGEX LINE MODE: the last line matching REGEX becomes LINE, or LINE is
# appended (Ansible's lineinfile).
attt_setting() {
  t=$(mktemp)
  if [ -f "$1" ]; then
    ATTT_RE=$2 ATTT_LINE=$3 awk '
      BEGIN { re = ENVIRON["ATTT_RE"]; line = ENVIRON["ATTT_LINE"] }
      NR == FNR { if ($0 ~ re) last = FNR; next }
      { if (FNR == last) print line; else print }
      END { if (!last) print line }' "$1" "$1" > "$t"
  else
    printf '%s\n' "$3" > "$t"
  fi
  attt_commit "$1" "$4" "$t"
}

# attt_block FILE ID MODE < BODY: BODY between "# BEGIN ATTT ID" and "# END ATTT ID",
# replaced in place or appended (Ansible's blockinfile).
attt_block() {
  t=$(mktemp); b=$(mktemp); cat > "$b"
  if [ -f "$1" ]; then
    ATTT_ID=$2 ATTT_BODY=$b awk '
      BEGIN { begin = "# BEGIN ATTT " ENVIRON["ATTT_ID"]; end = "# END ATTT " ENVIRON["ATTT_ID"]
              body = ENVIRON["ATTT_BODY"] }
      function block(  l) { print begin; while ((getline l < body) > 0) print l
                            close(body); print end; done = 1 }
      $0 == begin { skip = 1; block(); next }
      skip { if ($0 == end) skip = 0; next }
      { print }
      END { if (!done) block() }' "$1" > "$t"
  else
    { echo "# BEGIN ATTT $2"; cat "$b"; echo "# END ATTT $2"; } > "$t"
  fi
  rm -f "$b"
  attt_commit "$1" "$3" "$t"
}

# attt_content FILE MODE CHECK < TEXT: the whole file; CHECK (a command, may be empty) is run
# with the new file's path and must succeed first.
attt_content() {
  t=$(mktemp); cat > "$t"; chmod "$2" "$t"
  if [ -n "$3" ] && ! $3 "$t" > /dev/null; then
    rm -f "$t"; echo "Tệp mới không hợp lệ / New file rejected: $1" >&2; return 1
  fi
  attt_commit "$1" "$2" "$t"
}

# attt_pam_arg FILE LINE_REGEX ARG ARG=VALUE: on matching lines, ARG= replaced where it
# stands, else ARG=VALUE appended.
attt_pam_arg() {
  if [ ! -f "$1" ]; then echo "Không có tệp / Missing file: $1" >&2; return 1; fi
  t=$(mktemp)
  ATTT_RE=$2 ATTT_ARG=$3 ATTT_NEW=$4 awk '
    BEGIN { re = ENVIRON["ATTT_RE"]; old = "[ \t]+" ENVIRON["ATTT_ARG"] "=[^ \t]*" }
    $0 ~ re { if ($0 ~ old) sub(old, " " ENVIRON["ATTT_NEW"])
              else sub(/[ \t]*$/, " " ENVIRON["ATTT_NEW"]) }
    { print }' "$1" > "$t"
  attt_commit "$1" 0644 "$t"
}

# attt_symlink LINK TARGET
attt_symlink() {
  if [ -L "$1" ] && [ "$(readlink "$1")" = "$2" ]; then return 0; fi
  ATTT_CHANGED=$((ATTT_CHANGED + 1))
  if [ "$ATTT_DRY_RUN" = 1 ]; then echo "sẽ sửa / would change: $1"; return 0; fi
  mkdir -p "$(dirname "$1")"; ln -sfn "$2" "$1"
  echo "đã sửa / changed: $1"
}
"""


def _task(task: Task, notify: list[str]) -> str:
    fix = task.fix
    tags = ", ".join([*task.requirements, fix.check])
    lines = [f"# {fix.title_vi} / {fix.title_en} [{tags}]",
             "if attt_for " + " ".join(shlex.quote(h) for h in task.hosts) + "; then",
             "  attt_before=$ATTT_CHANGED"]
    for action in task.actions:
        lines += ["  " + line if i == 0 else line
                  for i, line in enumerate(action.shell().split("\n"))]
    for key in notify:
        lines.append(f'  if [ "$ATTT_CHANGED" -gt "$attt_before" ]; then ATTT_H_{key}=1; fi')
    lines.append("fi")
    return "\n".join(lines)


def render_script(plan: Plan, apply_live: bool = False) -> str:
    """The script text: header comment, helpers, one guarded section per fix, handlers."""

    used = sorted({k for t in plan.tasks for k in t.fix.handlers
                   if apply_live or not HANDLERS[k].live_only})
    hosts = sorted({h for t in plan.tasks for h in t.hosts})
    only = hosts[0] if len(hosts) == 1 else ""
    parts = ["#!/bin/sh", *(f"# {line}" for line in header_lines(plan, apply_live)),
             f"ATTT_ONLY_HOST={shlex.quote(only)}", _PREAMBLE.rstrip("\n"),
             *(f"ATTT_H_{k}=0" for k in used)]
    sshd_hosts = sorted({h for t in plan.tasks if "sshd" in t.fix.handlers for h in t.hosts})
    if sshd_hosts:
        # A drop-in that sshd never reads would change nothing: stop before writing it.
        parts.append("if attt_for " + " ".join(shlex.quote(h) for h in sshd_hosts)
                     + f" && ! {SSHD_INCLUDE_CHECK}; then\n"
                     '  echo "sshd_config phải đọc thư mục sshd_config.d / sshd_config must '
                     'include sshd_config.d" >&2\n  exit 1\nfi')
    for task in plan.tasks:
        parts.append(_task(task, [k for k in task.fix.handlers if k in used]))
    if "sshd" in used:
        # The whole configuration is checked before a running sshd reads it.
        parts.append('if [ "$ATTT_H_sshd" = 1 ] && [ "$ATTT_DRY_RUN" = 0 ]; then\n'
                     # sshd -t wants its privilege separation folder, which only a running
                     # sshd's unit creates.
                     "  [ -d /run/sshd ] || mkdir -p -m 0755 /run/sshd\n"
                     "  /usr/sbin/sshd -t\nfi")
    for key in used:
        h = HANDLERS[key]
        parts.append(f'if [ "$ATTT_H_{key}" = 1 ] && [ "$ATTT_DRY_RUN" = 0 ]; then\n'
                     f"  # {h.name_vi} / {h.name_en}\n  {h.command}\nfi")
    parts.append('echo "Số tệp đã sửa / Files changed: $ATTT_CHANGED"')
    return "\n".join(parts) + "\n"


__all__ = ["render_script"]
