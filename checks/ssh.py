"""OpenSSH server: root login and password authentication.

The effective configuration (``sshd -T``) wins.  Offline, or when ``sshd -T`` cannot run
(not root, missing privilege-separation directory), the files are parsed the way sshd reads
them: first value wins, ``Include`` expands in place (globs sorted), relative includes are
under /etc/ssh, settings inside a ``Match`` block do not set the global value, and a Match
inside an included file ends with that file.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from attt.model import Result, Status
from attt.probes.text import glob_regex
from attt.registry import ScopedFacts, Section, check, probe

MAIN_CONFIG = "/etc/ssh/sshd_config"
# RHEL's 50-redhat.conf includes the crypto-policies back end (ciphers only, but it must be
# read to know that).
CRYPTO_POLICY = "/etc/crypto-policies/back-ends/opensshserver.config"
_KEYWORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_LINE = re.compile(r"^(?P<kw>[^\s=]+)(?:\s*=\s*|\s+|$)(?P<rest>.*)$")
_MAX_DEPTH = 16

# Keywords sshd treats as one option (the later name is the canonical one in sshd -T).
_ALIASES = {
    "challengeresponseauthentication": "kbdinteractiveauthentication",
    "dsaauthentication": "pubkeyauthentication",
    "pubkeyacceptedkeytypes": "pubkeyacceptedalgorithms",
}

# OpenSSH defaults for the options these checks read (sshd_config(5)).
DEFAULTS = {
    "permitrootlogin": "prohibit-password",
    "passwordauthentication": "yes",
    "kbdinteractiveauthentication": "yes",
    "usepam": "no",
    "authenticationmethods": "any",
}


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
    values: dict[str, list[str]] = {}
    for line in section.text.splitlines():
        if not line.strip():
            continue
        keyword, _, value = line.strip().partition(" ")
        if not _KEYWORD.fullmatch(keyword) or keyword != keyword.lower():
            raise ValueError(f"not an sshd -T line: {line[:60]!r}")
        keyword = _ALIASES.get(keyword, keyword)
        values.setdefault(keyword, []).append(_canon_value(keyword, value))
    if "permitrootlogin" not in values or "passwordauthentication" not in values:
        raise ValueError("sshd -T output lacks permitrootlogin/passwordauthentication")
    return values


@dataclass(frozen=True)
class Setting:
    value: str
    where: str  # file:line
    seq: int  # position in sshd's reading order


@dataclass(frozen=True)
class SshdConfig:
    present: bool  # /etc/ssh/sshd_config exists
    settings: Mapping[str, Setting]  # global (outside Match) first values
    unread_includes: tuple[Setting, ...] = ()  # includes that name files we did not read
    files_read: tuple[str, ...] = field(default_factory=tuple)


def _tokens(rest: str) -> list[str]:
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
                raise ValueError("unterminated quoted string")
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


class _Reader:
    def __init__(self, files: Mapping[str, str]) -> None:
        self.files = files
        self.settings: dict[str, Setting] = {}
        self.unread: list[Setting] = []
        self.read: list[str] = []
        self.seq = 0

    def include(self, pattern: str, active: bool, never: bool, where: str, depth: int) -> None:
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
        if depth > _MAX_DEPTH:
            raise ValueError("too many nested Include levels")
        self.read.append(path)
        for lineno, raw in enumerate(self.files[path].splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            m = _LINE.match(line)
            if m is None or not _KEYWORD.fullmatch(m.group("kw")):
                raise ValueError(f"{path}:{lineno}: not an sshd_config line: {line[:60]!r}")
            keyword = m.group("kw").lower()
            keyword = _ALIASES.get(keyword, keyword)
            args = _tokens(m.group("rest"))
            where = f"{path}:{lineno}"
            self.seq += 1
            if keyword == "match":
                # Without connection data only 'Match all' matches; inside a file included
                # from a non-matching Match block nothing matches (SSHCFG_NEVERMATCH).
                active = not never and [a.lower() for a in args] == ["all"]
            elif keyword == "include":
                if not args:
                    raise ValueError(f"{where}: Include without a file name")
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
    if MAIN_CONFIG not in section.files:
        return SshdConfig(False, {})
    reader = _Reader(section.files)
    reader.parse(MAIN_CONFIG, True, False, 0)
    settings = {k: Setting(_canon_value(k, s.value), s.where, s.seq)
                for k, s in reader.settings.items()}
    return SshdConfig(True, settings, tuple(reader.unread), tuple(reader.read))


@dataclass(frozen=True)
class _View:
    values: Mapping[str, tuple[str, str]]  # keyword -> (value, where it came from)
    label: str  # "effective configuration" | "configuration files ..."
    source: str
    unread: tuple[Setting, ...] = ()
    decided_at: Mapping[str, int] = field(default_factory=dict)

    def get(self, keyword: str) -> tuple[str, str]:
        return self.values.get(keyword, (DEFAULTS[keyword], "OpenSSH default"))

    def undecided(self, keyword: str) -> Setting | None:
        """An unread Include that sshd reads before the line that decided ``keyword``."""

        limit = self.decided_at.get(keyword)
        for inc in self.unread:
            if limit is None or inc.seq < limit:
                return inc
        return None


def _view(facts: ScopedFacts) -> _View | Result:
    if facts.has("sshd_effective"):
        eff: dict[str, list[str]] = facts.get("sshd_effective")
        values = {k: (v[0], "sshd -T") for k, v in eff.items()}
        return _View(values, "effective configuration", "sshd -T")
    note = ""
    if facts.mode == "live":
        sec = facts.section("sshd_effective")
        if sec is not None and sec.state == "failed" and sec.exit_code == 127:
            return Result(Status.NOT_APPLICABLE, "No SSH server is installed (no sshd binary).",
                          observed="sshd not found", expected=None, source="sshd_effective")
        reason = sec.reason or sec.state if sec is not None else "not collected"
        note = f"; sshd -T unavailable: {reason}"
    cfg: SshdConfig = facts.get("sshd_config_files")
    if not cfg.present:
        return Result(Status.NOT_APPLICABLE,
                      f"No SSH server configuration ({MAIN_CONFIG} is absent).",
                      observed=f"{MAIN_CONFIG} absent", expected=None, source=MAIN_CONFIG)
    values = {k: (s.value, s.where) for k, s in cfg.settings.items()}
    decided = {k: s.seq for k, s in cfg.settings.items()}
    return _View(values, f"configuration files{note}", ", ".join(cfg.files_read),
                 cfg.unread_includes, decided)


def _undecided(view: _View, keywords: tuple[str, ...]) -> Result | None:
    for keyword in keywords:
        inc = view.undecided(keyword)
        if inc is not None:
            return Result(
                Status.ERROR,
                f"sshd_config includes '{inc.value}' ({inc.where}), which was not read, before "
                f"any {keyword} setting; the effective value cannot be determined from files.",
                observed={"unread_include": inc.value}, expected=None, source=inc.where,
            )
    return None


ROOT_OK_STRICT = ("no",)
ROOT_OK_KEYS = ("no", "prohibit-password", "forced-commands-only")


@check(
    "ssh.root_login_disabled",
    title_vi="Không cho phép đăng nhập trực tiếp tài khoản root qua SSH",
    title_en="Direct root login over SSH is disabled",
    severity="high",
    probes=("sshd_effective", "sshd_config_files"),
    params={"allow_prohibit_password": False},
    remediation_vi=(
        "Đặt 'PermitRootLogin no' ở đầu /etc/ssh/sshd_config hoặc trong một tệp "
        "/etc/ssh/sshd_config.d/*.conf (giá trị đọc được đầu tiên có hiệu lực), kiểm tra bằng "
        "'sshd -T | grep permitrootlogin' rồi nạp lại dịch vụ: 'systemctl reload ssh' (Debian, "
        "Ubuntu) hoặc 'systemctl reload sshd' (RHEL). Quản trị viên đăng nhập bằng tài khoản "
        "cá nhân rồi dùng sudo."
    ),
    remediation_en=(
        "Set 'PermitRootLogin no' at the top of /etc/ssh/sshd_config or in an "
        "/etc/ssh/sshd_config.d/*.conf drop-in (the first value read wins), verify with "
        "'sshd -T | grep permitrootlogin', then reload: 'systemctl reload ssh' (Debian, Ubuntu) "
        "or 'systemctl reload sshd' (RHEL). Administrators log in with personal accounts and "
        "use sudo."
    ),
)
def root_login_disabled(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Logging in directly as root leaves no trace of which administrator acted and exposes the
    most privileged account to password guessing from the network. Administrators should log in
    with personal accounts and escalate, so every privileged action is attributable."""

    view = _view(facts)
    if isinstance(view, Result):
        return view
    if (res := _undecided(view, ("permitrootlogin",))) is not None:
        return res
    value, where = view.get("permitrootlogin")
    allowed = ROOT_OK_KEYS if params.get("allow_prohibit_password") else ROOT_OK_STRICT
    status = Status.PASS if value in allowed else Status.FAIL
    origin = f"{view.label}, {where}" if where not in ("sshd -T",) else view.label
    return Result(
        status,
        f"sshd PermitRootLogin is '{value}' ({origin}).",
        observed={"PermitRootLogin": value, "from": where},
        expected={"PermitRootLogin": list(allowed)},
        source=view.source,
    )


def _method_lists(value: str) -> list[list[str]]:
    return [lst.split(",") for lst in value.split()]


@check(
    "ssh.password_auth_disabled",
    title_vi="Tắt xác thực bằng mật khẩu cho SSH (chỉ dùng khóa)",
    title_en="SSH password authentication is disabled (keys only)",
    severity="medium",
    probes=("sshd_effective", "sshd_config_files"),
    remediation_vi=(
        "Cấp khóa SSH cho từng quản trị viên trước, sau đó đặt 'PasswordAuthentication no' và "
        "'KbdInteractiveAuthentication no' (trên OpenSSH cũ: 'ChallengeResponseAuthentication "
        "no') trong /etc/ssh/sshd_config hoặc /etc/ssh/sshd_config.d/*.conf, kiểm tra bằng "
        "'sshd -T' rồi nạp lại dịch vụ ssh/sshd."
    ),
    remediation_en=(
        "Issue SSH keys to every administrator first, then set 'PasswordAuthentication no' and "
        "'KbdInteractiveAuthentication no' (older OpenSSH: 'ChallengeResponseAuthentication "
        "no') in /etc/ssh/sshd_config or an /etc/ssh/sshd_config.d/*.conf drop-in, verify with "
        "'sshd -T', and reload the ssh/sshd service."
    ),
)
def password_auth_disabled(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Passwords sent to an Internet- or LAN-facing SSH server can be guessed, sprayed or reused
    from other breaches; key-based authentication removes that attack. Keyboard-interactive
    authentication through PAM asks for the same password, so it must be off too."""

    keywords = ("passwordauthentication", "kbdinteractiveauthentication", "usepam",
                "authenticationmethods")
    view = _view(facts)
    if isinstance(view, Result):
        return view
    if (res := _undecided(view, keywords)) is not None:
        return res
    pw, pw_where = view.get("passwordauthentication")
    kbd, _ = view.get("kbdinteractiveauthentication")
    pam, _ = view.get("usepam")
    methods, _ = view.get("authenticationmethods")
    observed = {"PasswordAuthentication": pw, "KbdInteractiveAuthentication": kbd,
                "UsePAM": pam, "AuthenticationMethods": methods, "from": pw_where}
    expected = {"PasswordAuthentication": "no",
                "KbdInteractiveAuthentication": "no (or UsePAM no)"}
    if methods.lower() != "any" and not any(
        m.split(":")[0] in ("password", "keyboard-interactive")
        for lst in _method_lists(methods) for m in lst
    ):
        return Result(Status.PASS,
                      f"sshd AuthenticationMethods is '{methods}', which admits no password "
                      f"method ({view.label}).",
                      observed=observed, expected=expected, source=view.source)
    if pw != "no":
        return Result(Status.FAIL, f"sshd PasswordAuthentication is '{pw}' ({view.label}).",
                      observed=observed, expected=expected, source=view.source)
    if kbd != "no" and pam == "yes":
        return Result(
            Status.FAIL,
            f"sshd KbdInteractiveAuthentication is '{kbd}' with UsePAM yes, so PAM still asks "
            f"for passwords ({view.label}).",
            observed=observed, expected=expected, source=view.source,
        )
    return Result(
        Status.PASS,
        f"sshd PasswordAuthentication is 'no' and KbdInteractiveAuthentication is '{kbd}' "
        f"(UsePAM {pam}) ({view.label}).",
        observed=observed, expected=expected, source=view.source,
    )
