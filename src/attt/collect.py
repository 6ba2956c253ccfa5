"""Plan the probes a host needs, build ONE collector script, split its output into sections.

The script frames each section with a boundary carrying a random token made for this run
(``secrets.token_hex``).  The token exists only in the script text, which reaches the host on
stdin, never in argv or the environment of the commands it runs, so nothing a host prints or
stores can forge a boundary.  Each section carries its exit status and byte count; output
beyond ``cap`` bytes is cut and flagged.
"""

from __future__ import annotations

import re
import secrets
import shlex
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from .messages import T
from .registry import CHECKS, PROBES, Probe, Section

DEFAULT_SECTION_CAP = 8_000_000
DEFAULT_SECTION_TIMEOUT = 30

_FILES_SNIPPET = (
    # The boundary is read from the run's private temp dir ($1, mode 0700): it never appears
    # in any process's argv or environment, where another user of the host could see it.
    'B=$(cat "$1/b"); for p in {globs}; do for f in $p; do '
    '[ -f "$f" ] && [ -r "$f" ] || continue; '
    'printf "%s FILE %s\\n" "$B" "$f"; cat "$f"; printf "\\n"; '
    "done; done; exit 0"
)


def plan(check_ids: Iterable[str]) -> list[Probe]:
    """The union of the probes the given checks declared, in a stable order."""

    names = sorted({p for cid in check_ids for p in CHECKS[cid].probes})
    return [PROBES[n] for n in names]


def new_token() -> str:
    """A fresh random token for one collector run's boundary."""

    return secrets.token_hex(16)


def boundary(token: str) -> str:
    """The section boundary line prefix made from a run's token."""

    return f"@@ATTT-{token}@@"


def _snippet(probe: Probe) -> str:
    if probe.command is not None:
        return probe.command
    globs = " ".join(shlex.quote(g) for g in probe.files)
    return _FILES_SNIPPET.format(globs=globs)


def build_script(
    probes: Iterable[Probe],
    token: str,
    cap: int = DEFAULT_SECTION_CAP,
    section_timeout: int = DEFAULT_SECTION_TIMEOUT,
) -> str:
    """The one collector script for a host: every probe framed as a section."""

    b = boundary(token)
    lines = [
        "LC_ALL=C; export LC_ALL",
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH; export PATH",
        "umask 077",
        f"B='{b}'",
        'T=$(mktemp -d 2>/dev/null) || { T="/tmp/attt.$$"; mkdir -m 700 "$T" || exit 90; }',
        "trap 'rm -rf \"$T\"' EXIT",
        'printf \'%s\' "$B" >"$T/b"',
        f"TO='timeout {section_timeout}'; command -v timeout >/dev/null 2>&1 || TO=''",
        "attt_section() {",
        # $TO is unquoted on purpose: empty, or "timeout N" split into two words.
        '  $TO sh -c "$2" attt "$T" >"$T/o" 2>/dev/null </dev/null',
        "  rc=$?",
        "  n=$(wc -c <\"$T/o\" | tr -d ' ')",
        '  printf \'%s BEGIN %s\\n\' "$B" "$1"',
        f'  head -c {cap} "$T/o"',
        '  printf \'\\n%s END %s rc=%s bytes=%s\\n\' "$B" "$1" "$rc" "$n"',
        "}",
        'printf \'%s START uid=%s\\n\' "$B" "$(id -u)"',
    ]
    for probe in probes:
        lines.append(f"attt_section {probe.name} {shlex.quote(_snippet(probe))}")
    lines.append("printf '%s DONE\\n' \"$B\"")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Collected:
    """The sections of one collector run, whether it ran to the end, and its uid."""

    sections: Mapping[str, Section]
    complete: bool  # the DONE marker arrived: the host ran the whole script
    uid: int | None


def _split_files(text: str, b: str) -> dict[str, str]:
    files: dict[str, str] = {}
    marker = re.compile(rf"^{re.escape(b)} FILE (.+)$", re.MULTILINE)
    matches = list(marker.finditer(text))
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        body = text[m.end() + 1 : end]
        # The collector appends one newline after each file so the next marker starts a line.
        files[m.group(1)] = body[:-1] if body.endswith("\n") else body
    return files


def parse_output(raw: bytes, token: str, probes: Iterable[Probe], cap: int) -> Collected:
    """Split a collector's raw output into sections by the run's boundary."""

    b = boundary(token)
    text = raw.decode("utf-8", errors="replace")
    by_name = {p.name: p for p in probes}
    start = re.search(rf"^{re.escape(b)} START uid=(\d+)$", text, re.MULTILINE)
    complete = re.search(rf"^{re.escape(b)} DONE$", text, re.MULTILINE) is not None
    sections: dict[str, Section] = {}
    pattern = re.compile(
        rf"^{re.escape(b)} BEGIN (\S+)\n(.*?)\n{re.escape(b)} END \1 rc=(\d+) bytes=(\d+)$",
        re.MULTILINE | re.DOTALL,
    )
    for m in pattern.finditer(text):
        name, body, rc, size = m.group(1), m.group(2), int(m.group(3)), int(m.group(4))
        probe = by_name.get(name)
        if probe is None or name in sections:
            continue
        sections[name] = _section(probe, body, rc, size, cap, b)
    for name in by_name:
        if name not in sections:
            sections[name] = Section(name, state="failed",
                                     reason=T("no output: collection stopped"))
    uid = int(start.group(1)) if start else None
    if uid is not None and uid != 0:
        sections = {n: _as_user(by_name[n], s, uid) for n, s in sections.items()}
    return Collected(sections, complete, uid)


def _as_user(probe: Probe, section: Section, uid: int) -> Section:
    """A root-only probe run by another user: its failure (or its silence, e.g. files it
    could not read) is explained as such, so the error finding says what to do."""

    if not probe.needs_root or section.state == "timeout" or section.exit_code in (None, 127):
        return section  # not run, timed out, or the tool is not installed: not about root
    if section.state == "ok" and (section.text.strip() or section.files):
        return section
    why = section.reason or T("no output")
    return replace(section, state="failed",
                   reason=T("needs root: the collector ran as uid {uid} ({why})", uid=uid,
                            why=why))


def _section(probe: Probe, body: str, rc: int, size: int, cap: int, b: str) -> Section:
    truncated = size > cap
    if rc == 124:
        return Section(probe.name, body, rc, state="timeout", reason=T("probe timed out"))
    if probe.command is None:
        return Section(probe.name, body, rc, _split_files(body, b), truncated)
    if rc not in probe.ok_exit and not body.strip():
        return Section(probe.name, body, rc, state="failed",
                       reason=T("command exited {code}", code=rc))
    return Section(probe.name, body, rc, truncated=truncated)
