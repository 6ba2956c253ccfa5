"""Registries of probes and checks, filled by decorators in ``attt.probes`` and ``attt.checks``.

A probe is a named fact source (a POSIX-sh snippet for live hosts, and/or a list of files that
the offline directory transport can read) plus a pure parser.  A check is a pure function of
facts.  Checks declare the probes they read; reading an undeclared probe is a bug and raises at
evaluation time, and naming an unknown probe raises when the registry is loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from .messages import Msg, T
from .model import Result, Severity, Status

# ok | failed (non-zero exit with no output) | timeout | unavailable (not collectable here)
SectionState = Literal["ok", "failed", "timeout", "unavailable"]
# live: commands ran on the host; offline: a tree of files (dir:PATH), no command ran
Mode = Literal["live", "offline"]
# What a check reads: a host's probes, network facts, or a system-wide document given to the
# scan (the anti-malware coverage result: attt.coverage.scan).
Scope = Literal["host", "network", "system"]
Stricter = Literal["higher", "lower"]  # which way a numeric parameter gets stricter

Parser = Callable[["Section"], Any]


@dataclass(frozen=True)
class Section:
    """Raw output of one probe on one host."""

    name: str
    text: str = ""
    exit_code: int | None = None
    files: Mapping[str, str] = field(default_factory=dict)
    truncated: bool = False
    state: SectionState = "ok"
    # Why the section is unusable: a message (translated in reports) or a tool's own text.
    reason: str | Msg = ""


class TreeError(Exception):
    """A path of an offline tree that cannot be read (permission, link loop, special file)."""

    def __init__(self, path: str, reason: str | Msg) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")


@dataclass(frozen=True)
class FileStat:
    """``lstat`` of a path in an offline tree, owners named by the tree's own account files."""

    path: str  # as on the imaged host
    kind: str  # file | dir | link | fifo | socket | char | block
    mode: int  # permission bits with setuid/setgid/sticky (st_mode & 0o7777)
    uid: int
    gid: int
    owner: str  # name from the tree's /etc/passwd, else the number
    group: str  # name from the tree's /etc/group, else the number


class OfflineTree(Protocol):
    """What a probe's ``offline`` function may ask of an unpacked root filesystem.

    Every path is absolute as on the imaged host and resolved inside the root (links
    included); methods raise ``TreeError`` for what exists but cannot be read.
    """

    boundary: str  # this run's record boundary, as ``$1/b`` holds it for live snippets

    def read(self, pattern: str) -> dict[str, str]:
        """Path -> text of the readable regular files matching ``pattern``."""

    def stat(self, path: str) -> FileStat | None:
        """The path's ``lstat`` (owners named by the tree), None if absent."""

    def is_dir(self, path: str) -> bool:
        """Whether the path is a directory inside the tree."""

    def walk(self, top: str, limit: int, mode_any: int | None = None
             ) -> Iterator[FileStat]:
        """Every entry under ``top`` (with ``mode_any``: those with one of its permission
        bits), at most ``limit`` entries visited."""


# The offline twin of a probe's ``command``: the same text, computed from the tree.
OfflineReader = Callable[[OfflineTree], str]


@dataclass(frozen=True)
class Probe:
    """A registered probe: how to collect a fact live and offline, and its parser."""

    name: str
    parser: Parser
    command: str | None = None  # live hosts: POSIX sh, run with LC_ALL=C, stdin closed
    files: tuple[str, ...] = ()  # absolute paths or globs; live: read by the collector
    description: str = ""
    # Exit codes that still mean "the answer is in stdout" (grep: 1 = nothing matched).
    ok_exit: tuple[int, ...] = (0,)
    # Offline trees: prints what ``command`` would print on the imaged host (file modes,
    # directory walks, files named by other files); preferred over ``files`` when both exist.
    offline: OfflineReader | None = None
    # Gives a true answer only as root (sshd -T, nft, iptables, /etc/shadow, auditctl): run
    # by another user it fails or reads nothing, and its error finding must say why.
    needs_root: bool = False

    @property
    def offline_capable(self) -> bool:
        """Whether an offline tree can deliver this fact."""

        return bool(self.files) or self.offline is not None


class MissingFact(Exception):
    """A probe's fact is not available on this host; the check ends as ``error``."""

    def __init__(self, probe: str, reason: str | Msg) -> None:
        self.probe = probe
        self.reason = reason
        super().__init__(f"{probe}: {reason}")


# A section's state said in words, when its transport gave no reason of its own.
STATE_REASONS: Mapping[SectionState, Msg] = {
    "ok": T("collected"),
    "failed": T("the probe failed"),
    "timeout": T("probe timed out"),
    "unavailable": T("not available on this host"),
}


class FactParseError(ValueError):
    """Probe output a parser cannot read; ``msg`` says why in every report language (the
    exception text is its English form), so the fact's "unavailable" reason is translated."""

    def __init__(self, msg: Msg) -> None:
        super().__init__(str(msg))
        self.msg = msg


def parse_reason(exc: BaseException) -> str | Msg:
    """Why parsing failed: the probe's message when it said one, else the exception's own
    words (a library's text, kept as data)."""

    return exc.msg if isinstance(exc, FactParseError) else str(exc)


def described(exc: BaseException) -> str:
    """An unexpected exception as data for a message: its type and its own words."""

    return ": ".join((type(exc).__name__, str(exc)))


class Facts:
    """Parsed probe outputs of one host, parsed lazily once and cached."""

    def __init__(
        self, sections: Mapping[str, Section], mode: Mode, values: Mapping[str, Any] | None = None
    ) -> None:
        self._sections = sections
        # Facts that arrive already parsed (network scans produce objects, not text).
        self._cache: dict[str, Any] = dict(values or {})
        self._errors: dict[str, str | Msg] = {}
        self.mode = mode  # "live" or "offline"

    def section(self, name: str) -> Section | None:
        """The raw section of a probe, None if not collected."""

        return self._sections.get(name)

    def get(self, name: str) -> Any:
        """The parsed value of a probe; MissingFact says why it is unavailable."""

        if name in self._cache:
            return self._cache[name]
        if name in self._errors:
            raise MissingFact(name, self._errors[name])
        section = self._sections.get(name)
        reason: str | Msg
        if section is None:
            reason = T("not collected")
        elif section.state != "ok":
            reason = section.reason or STATE_REASONS[section.state]
        elif section.truncated:
            # A cut list (packages, processes) could turn into a false verdict either way.
            reason = T("output larger than the section size cap; not evaluated")
        else:
            try:
                value = PROBES[name].parser(section)
            except ValueError as exc:
                reason = T("unparsable output ({error})", error=parse_reason(exc))
            except Exception as exc:  # any parser failure is this fact's error, not the host's
                reason = T("unparsable output ({error})", error=described(exc))
            else:
                self._cache[name] = value
                return value
        self._errors[name] = reason
        raise MissingFact(name, reason)

    def has(self, name: str) -> bool:
        """Whether the probe's parsed value is available."""

        try:
            self.get(name)
        except MissingFact:
            return False
        return True


class ScopedFacts:
    """The view a check gets: only the probes it declared."""

    def __init__(self, facts: Facts, allowed: tuple[str, ...], check_id: str) -> None:
        self._facts = facts
        self._allowed = allowed
        self._check_id = check_id
        self.mode = facts.mode

    def _guard(self, name: str) -> None:
        if name not in self._allowed:
            raise RuntimeError(f"check {self._check_id} reads undeclared probe {name!r}")

    def get(self, name: str) -> Any:
        """The parsed value of a declared probe."""

        self._guard(name)
        return self._facts.get(name)

    def has(self, name: str) -> bool:
        """Whether a declared probe's value is available."""

        self._guard(name)
        return self._facts.has(name)

    def section(self, name: str) -> Section | None:
        """The raw section of a declared probe."""

        self._guard(name)
        return self._facts.section(name)


CheckFunc = Callable[[ScopedFacts, Mapping[str, Any]], Result]


@dataclass(frozen=True)
class CheckSpec:
    """A registered check: metadata, declared probes, default parameters, function."""

    id: str
    title_vi: str
    title_en: str
    severity: Severity
    probes: tuple[str, ...]
    params: Mapping[str, Any]
    func: CheckFunc
    rationale: str
    remediation_vi: str
    remediation_en: str
    roles: tuple[str, ...] = ()  # host roles it applies to; empty: all
    # Per numeric parameter, which way is stricter ("higher" or "lower"), so that a tailoring
    # value that weakens the level's threshold can be flagged in the report.
    stricter: Mapping[str, Stricter] = field(default_factory=dict)
    # "host": evaluated per host from its collector sections; "network": evaluated per
    # system from network facts (nmap scans, zone plan, TLS), see attt.network.
    scope: Scope = "host"

    @property
    def family(self) -> str:
        """The id's prefix (``ssh`` for ``ssh.root_login_disabled``)."""

        return self.id.split(".", 1)[0]

    def evaluate(self, facts: Facts, params: Mapping[str, Any]) -> Result:
        """Run the check on a host's facts; a missing fact makes it ``error``."""

        merged = {**self.params, **params}
        try:
            return self.func(ScopedFacts(facts, self.probes, self.id), merged)
        except MissingFact as exc:
            return Result(
                Status.ERROR,
                T("Fact '{probe}' is unavailable: {reason}.", probe=exc.probe,
                  reason=exc.reason),
                observed=None,
                expected=None,
                source=exc.probe,
            )


PROBES: dict[str, Probe] = {}
CHECKS: dict[str, CheckSpec] = {}


def register_probe(p: Probe) -> None:
    """Add ``p`` to ``PROBES``: what ``@probe`` does, for probes built without a decorator
    (the network facts, which have no command and are produced already parsed)."""

    if p.name in PROBES:
        raise ValueError(f"probe {p.name} registered twice")
    PROBES[p.name] = p


def probe(
    name: str,
    *,
    command: str | None = None,
    files: tuple[str, ...] = (),
    description: str = "",
    ok_exit: tuple[int, ...] = (0,),
    offline: OfflineReader | None = None,
    needs_root: bool = False,
) -> Callable[[Parser], Parser]:
    """Register ``parser`` as the parser of probe ``name``."""

    if command is None and not files:
        raise ValueError(f"probe {name} needs a command or files")
    if offline is not None and command is None:
        raise ValueError(f"probe {name}: an offline reader stands in for a command")

    def decorate(parser: Parser) -> Parser:
        register_probe(Probe(name, parser, command, tuple(files), description, ok_exit,
                             offline, needs_root))
        return parser

    return decorate


def check(
    check_id: str,
    *,
    title_vi: str,
    title_en: str,
    severity: str,
    probes: tuple[str, ...],
    params: Mapping[str, Any] | None = None,
    remediation_vi: str = "",
    remediation_en: str = "",
    roles: tuple[str, ...] = (),
    stricter: Mapping[str, Stricter] | None = None,
    scope: Scope = "host",
) -> Callable[[CheckFunc], CheckFunc]:
    """Register a check. Its docstring is the rationale shown in reports."""

    def decorate(func: CheckFunc) -> CheckFunc:
        if check_id in CHECKS:
            raise ValueError(f"check {check_id} registered twice")
        CHECKS[check_id] = CheckSpec(
            id=check_id,
            title_vi=title_vi,
            title_en=title_en,
            severity=Severity(severity),
            probes=tuple(probes),
            params=dict(params or {}),
            func=func,
            rationale=" ".join((func.__doc__ or "").split()),
            remediation_vi=remediation_vi,
            remediation_en=remediation_en,
            roles=roles,
            stricter=dict(stricter or {}),
            scope=scope,
        )
        return func

    return decorate
