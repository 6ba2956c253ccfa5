"""Time: the host's clock (``clock_now``, so that checks comparing ages stay
pure) and the time-synchronisation daemons' state and configuration (timedatectl,
chrony, systemd-timesyncd, ntpd).

Live hosts: ``timedatectl`` (NTPSynchronized reflects the kernel's sync flag, whichever
daemon sets it), ``chronyc -n tracking`` (Leap status Normal) or ``ntpq -pn`` (a peer marked
'*').  Offline trees: chrony, systemd-timesyncd or ntpd configured with at least one source
and enabled at boot.

chrony's sources are found the way chronyd finds them (:func:`chrony_config`): from the main
file through ``confdir`` (*.conf), ``include`` (a file or glob) and ``sourcedir`` (*.sources),
so a file in a directory that no active directive names is not a source.  Live, the probe's
script follows those directives on the host; a dir: tree can only read fixed patterns
(``_CHRONY_FILES``: Debian's, RHEL's and chrony's documented directories), and a directive
naming any other directory is reported as not collected: if chrony then has no source, the
verdict is ``error``, not ``fail``.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from attt.messages import T
from attt.registry import FactParseError, Section, probe

from .text import glob_regex

DAY = 86400


@probe("clock_now", command="date -u +%s", description="the host's clock (UTC epoch seconds)")
def parse_clock_now(section: Section) -> int:
    """The ``clock_now`` probe's output parsed: the host's clock (UTC epoch seconds)."""

    text = section.text.strip()
    if not re.fullmatch(r"\d{9,11}", text):
        raise FactParseError(T("not an epoch timestamp: {text}", text=repr(text[:40])))
    return int(text)


def iso(epoch: int) -> str:
    """An epoch as 'YYYY-MM-DD HH:MM UTC'."""

    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")


@probe(
    "timedatectl_ntp",
    command="command -v timedatectl >/dev/null || exit 127; "
    "timedatectl show -p NTPSynchronized -p NTP",
    description="systemd's view of clock synchronisation",
)
def parse_timedatectl(section: Section) -> dict[str, str]:
    """The ``timedatectl_ntp`` probe's output parsed: systemd's view of clock synchronisation."""

    out: dict[str, str] = {}
    for line in section.text.splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep or key not in ("NTP", "NTPSynchronized"):
            raise FactParseError(T("unexpected timedatectl line: {line}", line=repr(line[:60])))
        out[key] = value.strip()
    if "NTPSynchronized" not in out:
        raise FactParseError(T("timedatectl did not report NTPSynchronized"))
    return out


@dataclass(frozen=True)
class ChronyTracking:
    """``chronyc -n tracking``: reference, leap status and stratum."""

    reference: str
    leap: str
    stratum: str


@probe(
    "chrony_tracking",
    command="command -v chronyc >/dev/null || exit 127; chronyc -n tracking",
    description="chronyd synchronisation state",
)
def parse_chrony_tracking(section: Section) -> ChronyTracking:
    """The ``chrony_tracking`` probe's output parsed: chronyd synchronisation state."""

    fields: dict[str, str] = {}
    for line in section.text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip()] = value.strip()
    if "Leap status" not in fields or "Reference ID" not in fields:
        raise FactParseError(T("chronyc tracking output lacks Reference ID / Leap status"))
    return ChronyTracking(fields["Reference ID"], fields["Leap status"], fields.get("Stratum", ""))


@probe(
    "ntpq_peers",
    command="command -v ntpq >/dev/null || exit 127; ntpq -pn",
    description="ntpd peers (ntpq -pn)",
)
def parse_ntpq(section: Section) -> list[str]:
    """The tally code and address of each peer row."""

    rows: list[str] = []
    header = False
    for line in section.text.splitlines():
        if line.lstrip().startswith("remote"):
            header = True
            continue
        if not line.strip() or line.startswith("="):
            continue
        if not header:
            raise FactParseError(T("ntpq output before its header: {line}", line=repr(line[:60])))
        rows.append(line.rstrip())
    if not header:
        raise FactParseError(T("no ntpq peer table header"))
    return rows


_SOURCE_DIRECTIVES = ("server", "pool", "peer", "refclock")


def _source_lines(path: str, text: str) -> list[str]:
    out = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = re.split(r"[#;!%]", raw, maxsplit=1)[0].strip()
        words = line.split()
        if words and words[0].lower() in _SOURCE_DIRECTIVES and len(words) > 1:
            out.append(f"{words[0].lower()} {words[1]} ({path}:{lineno})")
    return out


# ----------------------------------------------------------------- chrony

# chronyd's compiled-in main file: Debian's, then upstream's (RHEL).
_CHRONY_MAIN = ("/etc/chrony/chrony.conf", "/etc/chrony.conf")
# What a dir: tree can read: the directories Debian 12, RHEL and chrony.conf(5) name.
_CHRONY_DIRS = (("/etc/chrony/conf.d", ".conf"), ("/etc/chrony/sources.d", ".sources"),
                ("/run/chrony-dhcp", ".sources"), ("/etc/chrony.d", ".conf"),
                ("/etc/chrony.d", ".sources"), ("/run/chrony.d", ".conf"),
                ("/usr/lib/chrony.d", ".conf"))
_CHRONY_FILES = (*_CHRONY_MAIN, *(f"{d}/*{suffix}" for d, suffix in _CHRONY_DIRS))
_CHRONY_MAX_FILES = 64
_CHRONY_MAX_DEPTH = 4  # nested include/confdir levels followed (chronyd allows 10)
_CHRONY_MAX_DIRS = 10  # directories one confdir/sourcedir directive may name (chrony's limit)
_CHRONY_FILE_CAP = 65_536
# Live: print the main files, then, round by round, the files that the confdir, sourcedir and
# include directives of the files just printed name; the parser then applies chronyd's rules
# to what arrived.  Records are framed with the run's boundary (see ssh_banner.py); paths come
# from the host's files, so they are only ever expanded, never evaluated.
_CHRONY_CLEAN = 'rm -f "$T/cs" "$T/cn" "$T/cc" "$T/cd"; exit 0'
_CHRONY_COMMAND = (
    'B=$(cat "$1/b"); T="$1"; n=0; : >"$T/cs"; : >"$T/cn"; '
    'show() { [ -f "$1" ] && [ -r "$1" ] || return 0; '
    'grep -qxF -e "$1" "$T/cs" && return 0; n=$((n+1)); '
    f'if [ "$n" -gt {_CHRONY_MAX_FILES} ]; then printf "%s LIMIT\\n" "$B"; {_CHRONY_CLEAN}; fi; '
    'printf "%s\\n" "$1" >>"$T/cs"; printf "%s\\n" "$1" >>"$T/cn"; '
    f'printf "%s FILE %s\\n" "$B" "$1"; head -c {_CHRONY_FILE_CAP} "$1"; printf "\\n"; }}; '
    'printf "%s CHRONY-FILES\\n" "$B"; '
    "for f in " + " ".join(_CHRONY_MAIN) + '; do show "$f"; done; r=0; '
    f'while [ -s "$T/cn" ] && [ "$r" -lt {_CHRONY_MAX_DEPTH} ]; do r=$((r+1)); '
    'mv "$T/cn" "$T/cc"; : >"$T/cn"; '
    'while IFS= read -r f; do awk \'{ sub(/^[ \\t]+/, ""); c = substr($0, 1, 1); '
    'if (c == "#" || c == "!" || c == ";" || c == "%") next; k = tolower($1); '
    'if (k == "confdir" || k == "sourcedir") '
    f'{{ for (i = 2; i <= NF && i <= {_CHRONY_MAX_DIRS + 1}; i++) print k, $i }} '
    'else if (k == "include" && NF >= 2) print k, $2 }\' "$f"; done <"$T/cc" >"$T/cd"; '
    'while read -r k a; do case "$a" in /*) ;; *) continue ;; esac; case "$k" in '
    'confdir) for f in "$a"/*.conf; do show "$f"; done ;; '
    'sourcedir) for f in "$a"/*.sources; do show "$f"; done ;; '
    'include) for f in $a; do show "$f"; done ;; esac; done <"$T/cd"; done; '
    f'{_CHRONY_CLEAN}'
)


@dataclass(frozen=True)
class ChronyConfig:
    """chrony's time sources as chronyd finds them, and the files read on the way."""

    sources: tuple[str, ...]  # "server ntp.example (file:line)", in reading order
    files_read: tuple[str, ...]
    # Collected files that no active directive reads (a commented-out sourcedir, say).
    unused: tuple[str, ...] = ()
    # Directives whose targets this transport could not collect ("sourcedir /srv/x").
    not_collected: tuple[str, ...] = ()


def _chrony_words(raw: str) -> list[str]:
    """chronyd's line normalisation: a comment is a line whose first non-blank character is
    one of ! ; # %; elsewhere those characters are ordinary."""

    line = raw.strip()
    return [] if not line or line[0] in "!;#%" else line.split()


def _chrony_records(text: str) -> dict[str, str]:
    """Files of the live script's output; the first line carries the run's boundary."""

    first, _, rest = text.partition("\n")
    m = re.fullmatch(r"(@@ATTT-[0-9a-f]+@@) CHRONY-FILES", first)
    if m is None:
        raise FactParseError(T("not a chrony probe output: {line}", line=repr(first[:60])))
    b = re.escape(m.group(1))
    if re.search(rf"^{b} LIMIT$", rest, re.MULTILINE):
        raise FactParseError(T("chrony's directives name more than {count} files",
                               count=_CHRONY_MAX_FILES))
    marker = re.compile(rf"^{b} FILE (.+)$", re.MULTILINE)
    matches = list(marker.finditer(rest))
    if rest.strip() and (not matches or matches[0].start() != 0):
        raise FactParseError(T("chrony probe output does not start with a record"))
    files: dict[str, str] = {}
    for i, mm in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(rest)
        body = rest[mm.end() + 1 : end]
        files.setdefault(mm.group(1), body[:-1] if body.endswith("\n") else body)
    return files


def _offline_collected(kind: str, target: str) -> bool:
    """Whether the dir: transport's fixed patterns cover a directive's target."""

    if kind == "include":
        parent, name = posixpath.split(target)
        return target in _CHRONY_MAIN or any(
            d == parent and name.endswith(suffix) for d, suffix in _CHRONY_DIRS)
    return (target, ".conf" if kind == "confdir" else ".sources") in _CHRONY_DIRS


class _ChronyWalk:
    """chronyd's reading of its configuration over the collected files."""

    def __init__(self, files: Mapping[str, str], collected: Callable[[str, str], bool]) -> None:
        self.files = files
        self.collected = collected
        self.sources: list[str] = []
        self.read: list[str] = []
        self.not_collected: list[str] = []
        self.sourcedirs: list[list[str]] = []

    def _in_dirs(self, dirs: Iterable[str], suffix: str, kind: str) -> list[str]:
        """confdir/sourcedir: *suffix files of the directories; a name in an earlier directory
        hides the same name in later ones; all sorted by name."""

        chosen: dict[str, str] = {}
        for d in dirs:
            d = d.rstrip("/") or "/"
            if not self.collected(kind, d):
                self.not_collected.append(f"{kind} {d}")
            for path in sorted(self.files):
                name = posixpath.basename(path)
                if (posixpath.dirname(path) == d and name.endswith(suffix)
                        and not name.startswith(".")):
                    chosen.setdefault(name, path)
        return [chosen[n] for n in sorted(chosen)]

    def _included(self, pattern: str) -> list[str]:
        if not self.collected("include", pattern):
            self.not_collected.append(f"include {pattern}")
        regex = glob_regex(pattern)
        return sorted(p for p in self.files if regex.fullmatch(p)
                      and not (posixpath.basename(p).startswith(".")
                               and not posixpath.basename(pattern).startswith(".")))

    def conf(self, path: str, depth: int = 0) -> None:
        if path in self.read or depth > _CHRONY_MAX_DEPTH:
            return
        self.read.append(path)
        for lineno, raw in enumerate(self.files[path].splitlines(), 1):
            words = _chrony_words(raw)
            if not words:
                continue
            key = words[0].lower()
            if key in _SOURCE_DIRECTIVES and len(words) > 1:
                self.sources.append(f"{key} {words[1]} ({path}:{lineno})")
            elif key == "confdir":
                for sub in self._in_dirs(words[1 : _CHRONY_MAX_DIRS + 1], ".conf", key):
                    self.conf(sub, depth + 1)
            elif key == "include" and len(words) > 1:
                for sub in self._included(words[1]):
                    self.conf(sub, depth + 1)
            elif key == "sourcedir":
                self.sourcedirs.append(words[1 : _CHRONY_MAX_DIRS + 1])

    def source_files(self) -> None:
        """sourcedir files hold only server, pool and peer lines (chrony.conf(5))."""

        for dirs in self.sourcedirs:
            for path in self._in_dirs(dirs, ".sources", "sourcedir"):
                if path in self.read:
                    continue
                self.read.append(path)
                for lineno, raw in enumerate(self.files[path].splitlines(), 1):
                    words = _chrony_words(raw)
                    if len(words) > 1 and words[0].lower() in ("server", "pool", "peer"):
                        self.sources.append(f"{words[0].lower()} {words[1]} ({path}:{lineno})")


def chrony_config(files: Mapping[str, str],
                  collected: Callable[[str, str], bool] | None = None) -> ChronyConfig | None:
    """Sources chronyd would use, following confdir, include and sourcedir from the main
    file(s); None when there is no chrony main file.  ``collected(kind, target)`` says whether
    the files a directive names could be collected at all (default: yes)."""

    mains = [m for m in _CHRONY_MAIN if m in files]
    if not mains:
        return None
    walk = _ChronyWalk(files, collected or (lambda kind, target: True))
    for main in mains:
        walk.conf(main)
    walk.source_files()
    unused = tuple(p for p in sorted(files) if p not in walk.read)
    return ChronyConfig(tuple(walk.sources), tuple(walk.read), unused,
                        tuple(dict.fromkeys(walk.not_collected)))


@probe(
    "chrony_conf",
    command=_CHRONY_COMMAND,
    files=_CHRONY_FILES,
    description="chrony sources (main file, confdir, include and sourcedir files)",
)
def parse_chrony_conf(section: Section) -> ChronyConfig | None:
    """Offline: the files of the fixed patterns.  Live: the files the script followed."""

    if section.files or not section.text.strip():
        return chrony_config(section.files, _offline_collected)
    return chrony_config(_chrony_records(section.text))


@probe(
    "timesyncd_conf",
    files=("/etc/systemd/timesyncd.conf", "/etc/systemd/timesyncd.conf.d/*.conf",
           "/usr/lib/systemd/timesyncd.conf.d/*.conf"),
    description="systemd-timesyncd servers",
)
def parse_timesyncd_conf(section: Section) -> dict[str, str] | None:
    """The ``timesyncd_conf`` probe's output parsed: systemd-timesyncd servers."""

    if not section.files:
        return None
    out: dict[str, str] = {}
    # systemd drop-in order: main file, then drop-ins sorted by name; later assignments win.
    main = "/etc/systemd/timesyncd.conf"
    order = ([main] if main in section.files else []) + sorted(
        (p for p in section.files if p != main), key=lambda p: p.rsplit("/", 1)[1])
    for path in order:
        for raw in section.files[path].splitlines():
            line = raw.strip()
            if not line or line[0] in "#;" or line.startswith("["):
                continue
            key, sep, value = line.partition("=")
            if not sep:
                raise FactParseError(T("{path}: not a setting: {line}",
                                       path=path, line=repr(line[:60])))
            if key.strip() in ("NTP", "FallbackNTP"):
                out[key.strip()] = value.strip()
    return out


@probe("ntp_conf", files=("/etc/ntp.conf", "/etc/ntpsec/ntp.conf"), description="ntpd sources")
def parse_ntp_conf(section: Section) -> list[str] | None:
    """The ``ntp_conf`` probe's output parsed: ntpd sources."""

    if not section.files:
        return None
    out: list[str] = []
    for path in sorted(section.files):
        out += _source_lines(path, section.files[path])
    return out
