"""Logging configuration: journald, logrotate, and the remote forwarders
(rsyslog, syslog-ng, systemd-journal-upload).

journald settings follow systemd's drop-in order: /etc/systemd/journald.conf, then the
journald.conf.d drop-ins of /etc, /run and /usr/lib sorted by file name (a name in /etc hides
the same name further down); later assignments win.  ``Storage=auto`` (the default) is
persistent only when /var/log/journal exists: a live host shows it, and so does an offline
tree (an unpacked image keeps the directory, which systemd's tmpfiles or the package made).

Retention of a log file = ``rotate`` count x rotation period, in months (monthly = 1,
yearly = 12, weekly = 7/30, daily = 1/30, hourly = 1/720), capped by ``maxage`` (days / 30)
when that is set.  ``rotate -1`` keeps rotated files for ever (unless maxage).  A block
without a period is rotated on every logrotate run (daily timer): counted as daily.  A
``size``/``maxsize`` limit can rotate sooner than the period; it is reported, not computed.
The configuration is read in logrotate's own order: /etc/logrotate.conf, with ``include``
pulling in /etc/logrotate.d at that point, global settings applying to the blocks that
follow them.  journald (MaxRetentionSec/SystemMaxUse) and auditd (max_log_file x num_logs,
space-based) are reported beside the result.

Recognised forwarders: rsyslog (legacy ``*.* @host`` / ``@@host:port`` / ``:omrelp:`` and
RainerScript ``action(type="omfwd"|"omrelp" target=...)``), syslog-ng (a network/tcp/udp/
syslog destination used in a ``log`` path) and systemd-journal-upload (``URL=``).  rsyslog.d
files only count when rsyslog.conf includes them.  On live hosts the forwarding daemon must
be running; offline it must be enabled at boot when the tree has systemd unit directories.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from attt.messages import Msg, T
from attt.registry import FactParseError, OfflineTree, Section, probe

from .text import glob_regex, split_error

JOURNALD_MAIN = "/etc/systemd/journald.conf"
_DROPIN_DIRS = ("/etc/systemd/journald.conf.d", "/run/systemd/journald.conf.d",
                "/usr/local/lib/systemd/journald.conf.d", "/usr/lib/systemd/journald.conf.d",
                "/lib/systemd/journald.conf.d")


@dataclass(frozen=True)
class JournaldConf:
    """journald settings after its drop-in order, each with the file that set it."""

    present: bool  # journald.conf or a drop-in was read
    settings: Mapping[str, str] = field(default_factory=dict)
    where: Mapping[str, str] = field(default_factory=dict)

    @property
    def storage(self) -> str:
        """The Storage= value in force (default ``auto``)."""

        return self.settings.get("Storage", "auto").lower()

    def describe(self, key: str, default: str) -> Msg | str:
        """A setting with the file that sets it (tokens: ``key=value (file:line)``), or a
        message giving its default."""

        if key in self.settings:
            return f"{key}={self.settings[key]} ({self.where[key]})"
        return T("{key} not set (default {default})", key=key, default=default)


def journald_order(files: Mapping[str, str]) -> list[str]:
    """journald.conf and its drop-ins in the order journald reads them."""

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
    """The ``journald_conf`` probe's output parsed (systemd-journald settings)."""

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
                raise FactParseError(T("{path}:{lineno}: not a key=value line: {line}",
                                       path=path, lineno=lineno, line=repr(line[:60])))
            if group == "Journal":
                settings[key.strip()] = value.strip()
                where[key.strip()] = f"{path}:{lineno}"
    return JournaldConf(bool(section.files), settings, where)


def journal_dir_offline(tree: OfflineTree) -> str:
    """What the journal_dir command prints, read from an offline tree."""

    return "present\n" if tree.is_dir("/var/log/journal") else "absent\n"


@probe(
    "journal_dir",
    command="if [ -d /var/log/journal ]; then echo 'present'; else echo 'absent'; fi",
    description="whether /var/log/journal exists (Storage=auto persists only then)",
    offline=journal_dir_offline,
)
def parse_journal_dir(section: Section) -> bool:
    """The ``journal_dir`` probe's output parsed (whether /var/log/journal exists)."""

    text = section.text.strip()
    if text not in ("present", "absent"):
        raise FactParseError(T("unexpected journal_dir output: {text}", text=repr(text[:40])))
    return text == "present"


LOGROTATE_MAIN = "/etc/logrotate.conf"
_PERIOD_MONTHS = {"hourly": 1 / 720, "daily": 1 / 30, "weekly": 7 / 30, "monthly": 1.0,
                  "yearly": 12.0}
_SKIP_BLOCKS = ("postrotate", "prerotate", "firstaction", "lastaction", "preremove")


@dataclass(frozen=True)
class RotatePolicy:
    """One logrotate stanza: the logs it covers and how long it keeps them."""

    patterns: tuple[str, ...]
    where: str
    period: str  # hourly | daily | weekly | monthly | yearly | "" (every run)
    rotate: int
    maxage: int | None
    size: str | None

    @property
    def months(self) -> float:
        """How many months of logs the policy keeps."""

        per = _PERIOD_MONTHS.get(self.period, 1 / 30)
        kept = float("inf") if self.rotate < 0 else self.rotate * per
        if self.maxage is not None and self.maxage > 0:
            kept = min(kept, self.maxage / 30)
        return kept

    def formula(self, log: str) -> Msg:
        """How months() was computed for ``log``, for the finding's message."""

        period = self.period or T("no period (every run, counted daily)")
        rotate = T("rotate -1 (never removed)") if self.rotate < 0 else f"rotate {self.rotate}"
        limits = []
        if self.maxage:
            limits.append(T("maxage {days} days", days=self.maxage))
        if self.size:
            limits.append(T("size limit {size} may rotate sooner", size=self.size))
        kept = f"{self.months:.1f}"
        months = T("unlimited") if self.months == float("inf") else T("{months} months",
                                                                         months=kept)
        if limits:
            return T("{log}: {rotate} x {period}, {limits} = {months} (set in {where})", log=log,
                     rotate=rotate, period=period, limits=limits, months=months,
                     where=self.where)
        return T("{log}: {rotate} x {period} = {months} (set in {where})", log=log,
                 rotate=rotate, period=period, months=months, where=self.where)


class _Reader:
    """logrotate's configuration walk: globals, includes, blocks."""

    def __init__(self, files: Mapping[str, str]) -> None:
        self.files = files
        self.globals: dict[str, Any] = {"period": "", "rotate": 0, "maxage": None, "size": None}
        self.policies: list[RotatePolicy] = []
        self.seen: set[str] = set()

    def apply(self, state: dict[str, Any], words: list[str], where: str) -> None:
        key = words[0].lower()
        if key in _PERIOD_MONTHS:
            state["period"] = key
        elif key in ("rotate", "maxage") and len(words) > 1:
            try:
                state[key] = int(words[1])
            except ValueError:
                raise FactParseError(T("{where}: {key} needs a number", where=where,
                                       key=key)) from None
        elif key in ("size", "maxsize") and len(words) > 1:
            state["size"] = words[1]

    def read(self, path: str) -> None:
        if path in self.seen:
            return
        self.seen.add(path)
        lines = self.files[path].splitlines()
        block: dict[str, Any] | None = None
        patterns: list[str] = []
        pending: list[str] = []
        pending_start = start = 0
        skipping = False
        for lineno, raw in enumerate(lines, 1):
            line = raw.strip()
            if skipping:
                if line == "endscript":
                    skipping = False
                continue
            if not line or line.startswith("#"):
                continue
            where = f"{path}:{lineno}"
            try:
                words = shlex.split(line, comments=True)
            except ValueError as exc:
                raise FactParseError(split_error(exc, where)) from None
            if not words:
                continue
            if words[0].lower() in _SKIP_BLOCKS:
                skipping = True
                continue
            if block is None:
                if "{" in line:
                    names = [w.rstrip("{") for w in words if w != "{"]
                    patterns = pending + [n for n in names if n]
                    start = pending_start if pending else lineno
                    pending = []
                    block = dict(self.globals)
                    continue
                if words[0].startswith(("/", "~")) or "*" in words[0]:
                    if not pending:
                        pending_start = lineno
                    pending += words  # a path list whose '{' follows on a later line
                    continue
                if words[0].lower() == "include" and len(words) > 1:
                    self.include(words[1])
                    continue
                self.apply(self.globals, words, where)
                continue
            if words[0] == "}":
                self.policies.append(RotatePolicy(
                    tuple(patterns), f"{path}:{start}", block["period"], block["rotate"],
                    block["maxage"], block["size"]))
                block = None
                continue
            self.apply(block, words, where)
        if block is not None:
            raise FactParseError(T("{path}:{start}: unterminated logrotate block",
                                   path=path, start=start))

    def include(self, target: str) -> None:
        inside = sorted(p for p in self.files if posixpath.dirname(p) == target.rstrip("/"))
        if inside:
            for path in inside:
                name = posixpath.basename(path)
                # logrotate skips backup and package-manager leftovers in included dirs.
                if name.endswith(("~", ".dpkg-old", ".dpkg-dist", ".dpkg-new", ".rpmsave",
                                  ".rpmnew", ".disabled", ".bak")):
                    continue
                self.read(path)
        elif target in self.files:
            self.read(target)


@dataclass(frozen=True)
class Logrotate:
    """logrotate's configuration, read in logrotate's order: one policy per block."""

    present: bool
    policies: tuple[RotatePolicy, ...]

    def policy_for(self, log: str) -> RotatePolicy | None:
        """The policy that rotates a log file, None if none does."""

        hit = None
        for p in self.policies:
            if any(fnmatch.fnmatchcase(log, pat) for pat in p.patterns):
                hit = p  # logrotate rejects duplicates; the last definition is the useful one
        return hit


@probe(
    "logrotate_conf",
    files=(LOGROTATE_MAIN, "/etc/logrotate.d/*"),
    description="logrotate rotation policies",
)
def parse_logrotate_conf(section: Section) -> Logrotate:
    """The ``logrotate_conf`` probe's output parsed: logrotate rotation policies."""

    if LOGROTATE_MAIN not in section.files:
        return Logrotate(False, ())
    reader = _Reader(section.files)
    reader.read(LOGROTATE_MAIN)
    return Logrotate(True, tuple(reader.policies))


RSYSLOG_MAIN = "/etc/rsyslog.conf"


def _strip_comments(text: str, hash_comments: bool = True) -> str:
    """Remove /* */ blocks and '#' line comments outside double quotes."""

    out: list[str] = []
    i, n, quote = 0, len(text), False
    while i < n:
        c = text[i]
        if quote:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            quote = c != '"'
        elif c == '"':
            quote = True
            out.append(c)
        elif text.startswith("/*", i) and (i == 0 or text[i - 1].isspace()):
            # Only a '/*' that starts a word opens a comment: '$IncludeConfig /etc/x.d/*.conf'
            # does not.
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        elif c == "#" and hash_comments:
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        else:
            out.append(c)
        i += 1
    return "".join(out)


_LEGACY = re.compile(r"^\s*[^\s#$]\S*\s+(@@?|:omrelp:)(\([^)]*\))?\[?([\w.:-]+?)\]?(?::(\d+))?"
                     r"(?:;\S+)?\s*$")
_ACTION = re.compile(r"action\s*\(([^)]*)\)", re.IGNORECASE | re.DOTALL)


def _rsyslog_targets(path: str, text: str) -> list[str]:
    targets: list[str] = []
    clean = _strip_comments(text)
    for m in _ACTION.finditer(clean):
        params = dict(re.findall(r'([\w.]+)\s*=\s*"([^"]*)"', m.group(1)))
        params = {k.lower(): v for k, v in params.items()}
        if params.get("type", "").lower() in ("omfwd", "omrelp") and params.get("target"):
            proto = params.get("protocol", "udp" if params["type"].lower() == "omfwd" else "relp")
            port = params.get("port", "514")
            targets.append(f"{params['target']}:{port}/{proto.lower()} ({path})")
    for line in clean.splitlines():
        lm = _LEGACY.match(line)
        if lm:
            proto = {"@": "udp", "@@": "tcp", ":omrelp:": "relp"}[lm.group(1)]
            targets.append(f"{lm.group(3)}:{lm.group(4) or '514'}/{proto} ({path})")
    return targets


def _rsyslog_includes(text: str) -> list[str]:
    clean = _strip_comments(text)
    pats = re.findall(r"^\s*\$IncludeConfig\s+(\S+)", clean, re.MULTILINE)
    pats += re.findall(r'include\s*\(\s*file\s*=\s*"([^"]+)"', clean)
    return pats


@dataclass(frozen=True)
class Forwarders:
    """Remote destinations one logging daemon's configuration forwards to."""

    present: bool  # the daemon's main configuration exists
    targets: tuple[str, ...]


@probe(
    "rsyslog_conf",
    files=(RSYSLOG_MAIN, "/etc/rsyslog.d/*.conf"),
    description="rsyslog configuration",
)
def parse_rsyslog_conf(section: Section) -> Forwarders:
    """The ``rsyslog_conf`` probe's output parsed: rsyslog configuration."""

    if RSYSLOG_MAIN not in section.files:
        return Forwarders(False, ())
    main = section.files[RSYSLOG_MAIN]
    targets = _rsyslog_targets(RSYSLOG_MAIN, main)
    for pattern in _rsyslog_includes(main):
        regex = glob_regex(pattern)
        for path in sorted(p for p in section.files if regex.fullmatch(p)):
            if path != RSYSLOG_MAIN:
                targets += _rsyslog_targets(path, section.files[path])
    return Forwarders(True, tuple(targets))


SYSLOG_NG_MAIN = "/etc/syslog-ng/syslog-ng.conf"


@probe(
    "syslog_ng_conf",
    files=(SYSLOG_NG_MAIN, "/etc/syslog-ng/conf.d/*.conf"),
    description="syslog-ng configuration",
)
def parse_syslog_ng_conf(section: Section) -> Forwarders:
    """The ``syslog_ng_conf`` probe's output parsed: syslog-ng configuration."""

    if SYSLOG_NG_MAIN not in section.files:
        return Forwarders(False, ())
    text = "\n".join(_strip_comments(section.files[p]) for p in sorted(section.files))
    network: dict[str, str] = {}
    for m in re.finditer(r"destination\s+(\w+)\s*\{(.*?)\}\s*;", text, re.DOTALL):
        d = re.search(r"\b(network|tcp6?|udp6?|syslog)\s*\(\s*\"?([\w.:-]+)\"?", m.group(2))
        if d:
            network[m.group(1)] = f"{d.group(2)} ({d.group(1)})"
    used: list[str] = []
    for m in re.finditer(r"\blog\s*\{(.*?)\}\s*;", text, re.DOTALL):
        for name in re.findall(r"destination\s*\(\s*(\w+)\s*\)", m.group(1)):
            if name in network and network[name] not in used:
                used.append(network[name])
    return Forwarders(True, tuple(used))


JOURNAL_UPLOAD = "/etc/systemd/journal-upload.conf"


@probe(
    "journal_upload_conf",
    files=(JOURNAL_UPLOAD, "/etc/systemd/journal-upload.conf.d/*.conf"),
    description="systemd-journal-upload target",
)
def parse_journal_upload_conf(section: Section) -> Forwarders:
    """The ``journal_upload_conf`` probe's output parsed: systemd-journal-upload target."""

    if not section.files:
        return Forwarders(False, ())
    url = ""
    order = ([JOURNAL_UPLOAD] if JOURNAL_UPLOAD in section.files else []) + sorted(
        p for p in section.files if p != JOURNAL_UPLOAD)
    for path in order:
        for raw in section.files[path].splitlines():
            line = raw.strip()
            if line.startswith("URL="):
                url = line[4:].strip()
    return Forwarders(True, (f"{url} (journal-upload)",) if url else ())
