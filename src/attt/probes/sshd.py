"""OpenSSH server configuration: the ``sshd_effective`` (``sshd -T``) and
``sshd_config_files`` probes, the one table of OpenSSH defaults (:data:`DEFAULTS`),
:class:`SshdView` (the values a check reads) and the access-list lines of the files.
The compiled-in crypto lists are in :mod:`attt.probes.sshd_crypto`, the banner file in
:mod:`attt.probes.ssh_banner`.

The effective configuration (``sshd -T``) wins.  Offline, or when ``sshd -T`` cannot run
(not root, missing privilege-separation directory), the files are parsed the way sshd reads
them: first value wins, ``Include`` expands in place (globs sorted), relative includes are
under /etc/ssh, settings inside a ``Match`` block do not set the global value, and a Match
inside an included file ends with that file.

Checks start from :func:`prepared_view` (or :func:`sshd_view`): an ``SshdView`` with the
value and origin of each keyword, unset keywords taking the OpenSSH default, or the
``Result`` that ends the check (no sshd installed, no configuration, an unread Include
deciding the keyword).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from attt.messages import Msg, T
from attt.model import Result, Status
from attt.registry import FactParseError, ScopedFacts, Section, probe

from .text import glob_regex

MAIN_CONFIG = "/etc/ssh/sshd_config"
# RHEL's 50-redhat.conf includes the crypto-policies back end (ciphers only, but it must be
# read to know that).
CRYPTO_POLICY = "/etc/crypto-policies/back-ends/opensshserver.config"
_KEYWORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
CONFIG_LINE = re.compile(r"^(?P<kw>[^\s=]+)(?:\s*=\s*|\s+|$)(?P<rest>.*)$")
_MAX_DEPTH = 16

# Keywords sshd treats as one option (the later name is the canonical one in sshd -T).
_ALIASES = {
    "challengeresponseauthentication": "kbdinteractiveauthentication",
    "dsaauthentication": "pubkeyauthentication",
    "pubkeyacceptedkeytypes": "pubkeyacceptedalgorithms",
}

# OpenSSH defaults (sshd_config(5), upstream) of every option the ssh checks read: the one
# table of them.  Debian's shipped sshd_config sets X11Forwarding yes explicitly, which
# the files show.
DEFAULTS = {
    "permitrootlogin": "prohibit-password",
    "passwordauthentication": "yes",
    "kbdinteractiveauthentication": "yes",
    "usepam": "no",
    "authenticationmethods": "any",
    "clientaliveinterval": "0",
    "clientalivecountmax": "3",
    "channeltimeout": "none",
    "maxauthtries": "6",
    "port": "22",
    "permitemptypasswords": "no",
    "gssapikeyexchange": "no",
    "x11forwarding": "no",
    "logingracetime": "120",
    "banner": "none",
    "hostbasedauthentication": "no",
    "ignorerhosts": "yes",
}


# The origin of a value no line sets (data in ``observed``; messages say it in their language).
DEFAULT_ORIGIN = "OpenSSH default"


def _canon_value(keyword: str, value: str) -> str:
    value = value.strip()
    if keyword in ("permitrootlogin", "passwordauthentication", "kbdinteractiveauthentication",
                   "usepam"):
        value = value.lower()
        if value == "without-password":
            # Deprecated alias that sshd -T still prints on OpenSSH <= 9.x.
            value = "prohibit-password"
    return value


@probe(
    "sshd_effective",
    command="command -v sshd >/dev/null || exit 127; sshd -T",
    description="effective OpenSSH server configuration (sshd -T)",
    needs_root=True,
)
def parse_sshd_effective(section: Section) -> dict[str, list[str]]:
    """The ``sshd_effective`` probe's output parsed (effective OpenSSH server configuration)."""

    values: dict[str, list[str]] = {}
    for line in section.text.splitlines():
        if not line.strip():
            continue
        keyword, _, value = line.strip().partition(" ")
        if not _KEYWORD.fullmatch(keyword) or keyword != keyword.lower():
            raise FactParseError(T("not an sshd -T line: {line}", line=repr(line[:60])))
        keyword = _ALIASES.get(keyword, keyword)
        values.setdefault(keyword, []).append(_canon_value(keyword, value))
    if "permitrootlogin" not in values or "passwordauthentication" not in values:
        raise FactParseError(T("sshd -T output lacks permitrootlogin/passwordauthentication"))
    return values


@dataclass(frozen=True)
class Setting:
    """One sshd keyword's value and where it was read."""

    value: str
    where: str  # file:line
    seq: int  # position in sshd's reading order


@dataclass(frozen=True)
class SshdConfig:
    """The sshd configuration as read from the files (global values)."""

    present: bool  # /etc/ssh/sshd_config exists
    settings: Mapping[str, Setting]  # global (outside Match) first values
    unread_includes: tuple[Setting, ...] = ()  # includes that name files we did not read
    files_read: tuple[str, ...] = field(default_factory=tuple)


def argv_split(rest: str) -> list[str]:
    """sshd's argv_split: whitespace separated, double or single quotes, '#' starts a comment."""

    out: list[str] = []
    i, n = 0, len(rest)
    while i < n:
        if rest[i].isspace():
            i += 1
            continue
        if rest[i] == "#":
            break
        if rest[i] in "\"'":
            quote = rest[i]
            end = rest.find(quote, i + 1)
            if end < 0:
                raise FactParseError(T("unterminated quoted string"))
            out.append(rest[i + 1 : end])
            i = end + 1
            continue
        j = i
        while j < n and not rest[j].isspace():
            j += 1
        out.append(rest[i:j])
        i = j
    return out


def _covered(pattern: str) -> bool:
    dropins = "/etc/ssh/sshd_config.d/"
    if pattern in (MAIN_CONFIG, CRYPTO_POLICY):
        return True
    rest = pattern[len(dropins) :] if pattern.startswith(dropins) else None
    return rest is not None and "/" not in rest and rest.endswith(".conf")


class SshdConfigReader:
    """Reads sshd_config the way sshd does: first value wins, Include expands in place,
    Match blocks set no global value; collects the settings and the includes it could not read.
    """

    def __init__(self, files: Mapping[str, str]) -> None:
        self.files = files
        self.settings: dict[str, Setting] = {}
        self.unread: list[Setting] = []
        self.read: list[str] = []
        self.seq = 0

    def include(self, pattern: str, active: bool, never: bool, where: str, depth: int) -> None:
        """Follow an Include directive as sshd does (sorted glob matches)."""

        if not pattern.startswith("/"):
            pattern = posixpath.join("/etc/ssh", pattern)
        regex = glob_regex(pattern)
        matches = sorted(p for p in self.files if regex.fullmatch(p))
        if not _covered(pattern):
            # The collector reads only sshd_config and sshd_config.d/*.conf.
            self.seq += 1
            if active:
                self.unread.append(Setting(pattern, where, self.seq))
        for path in matches:
            self.parse(path, active, never, depth + 1)

    def parse(self, path: str, active: bool, never: bool, depth: int) -> None:
        """Read one configuration file; the first value of a keyword wins."""

        if depth > _MAX_DEPTH:
            raise FactParseError(T("too many nested Include levels"))
        self.read.append(path)
        for lineno, raw in enumerate(self.files[path].splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            m = CONFIG_LINE.match(line)
            if m is None or not _KEYWORD.fullmatch(m.group("kw")):
                raise FactParseError(T("{path}:{lineno}: not an sshd_config line: {line}",
                                       path=path, lineno=lineno, line=repr(line[:60])))
            keyword = m.group("kw").lower()
            keyword = _ALIASES.get(keyword, keyword)
            args = argv_split(m.group("rest"))
            where = f"{path}:{lineno}"
            self.seq += 1
            if keyword == "match":
                # Without connection data only 'Match all' matches; inside a file included
                # from a non-matching Match block nothing matches (SSHCFG_NEVERMATCH).
                active = not never and [a.lower() for a in args] == ["all"]
            elif keyword == "include":
                if not args:
                    raise FactParseError(T("{where}: Include without a file name", where=where))
                for pattern in args:
                    self.include(pattern, active, never or not active, where, depth)
            elif active and keyword not in self.settings:
                self.settings[keyword] = Setting(" ".join(args), where, self.seq)


@probe(
    "sshd_config_files",
    files=(MAIN_CONFIG, "/etc/ssh/sshd_config.d/*.conf", CRYPTO_POLICY),
    description="sshd_config and its drop-in directory",
)
def parse_sshd_config_files(section: Section) -> SshdConfig:
    """The ``sshd_config_files`` probe's output parsed: sshd_config and its drop-in directory."""

    if MAIN_CONFIG not in section.files:
        return SshdConfig(False, {})
    reader = SshdConfigReader(section.files)
    reader.parse(MAIN_CONFIG, True, False, 0)
    settings = {k: Setting(_canon_value(k, s.value), s.where, s.seq)
                for k, s in reader.settings.items()}
    return SshdConfig(True, settings, tuple(reader.unread), tuple(reader.read))


@dataclass(frozen=True)
class SshdView:
    """sshd's options as a check reads them: keyword -> (value, origin), defaults filled in.

    ``label`` says what was read (effective configuration or files) and ``source`` names it for
    the finding; ``unread``/``decided_at`` tell whether an unread Include came first.
    """

    values: Mapping[str, tuple[str, str]]  # keyword -> (value, where it came from)
    label: Msg  # "effective configuration" | "configuration files ..."
    source: str
    unread: tuple[Setting, ...] = ()
    decided_at: Mapping[str, int] = field(default_factory=dict)

    def get(self, keyword: str) -> tuple[str, str]:
        """A keyword's value and its source (the OpenSSH default if unset)."""

        return self.values.get(keyword, (DEFAULTS[keyword], DEFAULT_ORIGIN))

    def undecided(self, keyword: str) -> Setting | None:
        """An unread Include that sshd reads before the line that decided ``keyword``."""

        limit = self.decided_at.get(keyword)
        for inc in self.unread:
            if limit is None or inc.seq < limit:
                return inc
        return None


def sshd_view(facts: ScopedFacts) -> SshdView | Result:
    """The sshd view of a host: ``sshd -T`` when it ran, else the configuration files.

    A ``Result`` instead when there is nothing to judge: no sshd binary (live) or no
    sshd_config (not_applicable).
    """

    if facts.has("sshd_effective"):
        eff: dict[str, list[str]] = facts.get("sshd_effective")
        values = {k: (v[0], "sshd -T") for k, v in eff.items()}
        return SshdView(values, T("effective configuration"), "sshd -T")
    label = T("configuration files")
    if facts.mode == "live":
        sec = facts.section("sshd_effective")
        if sec is not None and sec.state == "failed" and sec.exit_code == 127:
            return Result(Status.NOT_APPLICABLE,
                          T("No SSH server is installed (no sshd binary)."),
                          observed="sshd not found", expected=None, source="sshd_effective")
        reason = (sec.reason or sec.state) if sec is not None else T("not collected")
        label = T("configuration files; sshd -T unavailable: {reason}", reason=reason)
    cfg: SshdConfig = facts.get("sshd_config_files")
    if not cfg.present:
        return Result(Status.NOT_APPLICABLE,
                      T("No SSH server configuration ({file} is absent).", file=MAIN_CONFIG),
                      observed=f"{MAIN_CONFIG} absent", expected=None, source=MAIN_CONFIG)
    values = {k: (s.value, s.where) for k, s in cfg.settings.items()}
    decided = {k: s.seq for k, s in cfg.settings.items()}
    return SshdView(values, label, ", ".join(cfg.files_read), cfg.unread_includes, decided)


def undecided_include(view: SshdView, keywords: tuple[str, ...]) -> Result | None:
    """An ``error`` Result when an unread Include comes before the line deciding a keyword."""

    for keyword in keywords:
        inc = view.undecided(keyword)
        if inc is not None:
            return Result(
                Status.ERROR,
                T("sshd_config includes '{include}' ({where}), which was not read, before any "
                  "{keyword} setting; the effective value cannot be determined from files.",
                  include=inc.value, where=inc.where, keyword=keyword),
                observed={"unread_include": inc.value}, expected=None, source=inc.where,
            )
    return None


def setting_origin(view: SshdView, where: str) -> Msg:
    """Where a value came from, as the messages show it (the label, and the file line)."""

    if where == "sshd -T":
        return view.label
    if where == DEFAULT_ORIGIN:
        return T("{label}, OpenSSH default", label=view.label)
    return T("{label}, {where}", label=view.label, where=where)


def option_is(option: str, value: str, where: str | None) -> Msg:
    """``Option is 'value'``, with where it was read (None: from ``sshd -T``)."""

    if where is None:
        return T("{option} is '{value}'", option=option, value=value)
    if where == DEFAULT_ORIGIN:
        return T("{option} is '{value}' (OpenSSH default)", option=option, value=value)
    return T("{option} is '{value}' ({where})", option=option, value=value, where=where)


def sshd_seconds(value: str) -> int:
    """sshd time format: 300, 5m, 1h30m (s, m, h, d, w; case-insensitive)."""

    value = value.strip().lower()
    if value.isdigit():
        return int(value)
    parts = re.findall(r"(\d+)([smhdw]?)", value)
    if not parts or "".join(n + u for n, u in parts) != value:
        raise FactParseError(T("not an sshd time value: {value}", value=repr(value)))
    mult = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    return sum(int(n) * mult[u] for n, u in parts)


def prepared_view(facts: ScopedFacts, keywords: tuple[str, ...]) -> SshdView | Result:
    """The view for a check reading ``keywords``, or the Result that ends the check first."""

    view = sshd_view(facts)
    if isinstance(view, Result):
        return view
    if (res := undecided_include(view, keywords)) is not None:
        return res
    return view


# --------------------------------------------------------------------------- access lists

ACCESS_KEYWORDS = ("allowusers", "allowgroups", "denyusers", "denygroups")


def config_lines(facts: ScopedFacts) -> Iterator[tuple[str, int, str, str]]:
    """(file, line number, keyword as written, rest of the line) of every option line of the
    files sshd read, in reading order."""

    section = facts.section("sshd_config_files")
    if section is None or section.state != "ok" or not facts.has("sshd_config_files"):
        return
    cfg: SshdConfig = facts.get("sshd_config_files")
    for path in dict.fromkeys(cfg.files_read):
        for lineno, raw in enumerate(section.files.get(path, "").splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            m = CONFIG_LINE.match(line)
            if m is not None:
                yield path, lineno, m.group("kw"), m.group("rest")


def match_restrictions(facts: ScopedFacts) -> list[str]:
    """Match blocks with Address/Host criteria that set an access list (files, reading order)."""

    found: list[str] = []
    criteria: list[str] | None = None
    current = ""
    for path, lineno, kw, rest in config_lines(facts):
        if path != current:
            current, criteria = path, None
        try:
            args = argv_split(rest)
        except ValueError:
            continue
        keyword = kw.lower()
        if keyword == "match":
            criteria = args
        elif (criteria is not None and keyword in ACCESS_KEYWORDS and args
              and any(c.lower() in ("address", "host", "localaddress") for c in criteria)):
            found.append(f"Match {' '.join(criteria)} -> {kw} {' '.join(args)} "
                         f"({path}:{lineno})")
    return found


def access_list_errors(facts: ScopedFacts) -> list[Msg]:
    """Access-list lines that make sshd refuse the whole configuration (OpenSSH 9.2 sshd -t:
    'no argument after keyword', 'invalid AllowUsers pattern')."""

    errors: list[Msg] = []
    for path, lineno, kw, rest in config_lines(facts):
        if kw.lower() not in ACCESS_KEYWORDS:
            continue
        try:
            args = argv_split(rest)
        except ValueError:
            continue
        where = f"{path}:{lineno}"
        if not rest.strip():
            errors.append(T("{keyword} with no argument ({where})", keyword=kw, where=where))
        elif "" in args:
            errors.append(T("{keyword} with an empty pattern ({where})", keyword=kw,
                            where=where))
    return errors
