"""OpenSSH server: X11 forwarding, login grace time, warning banner, host-based authentication.

Same fact sources and precedence as checks/ssh.py and checks/ssh_hardening.py: the effective
configuration (``sshd -T``) wins; offline, or when ``sshd -T`` cannot run, the files are read
the way sshd reads them and unset options take the OpenSSH default.

The banner check also needs the banner file itself.  The ``ssh_banner_file`` probe reads the
file the configuration names plus the usual banner locations: live, the path ``sshd -T``
prints; offline, the path the tree's sshd_config and its Include'd files set, read under the
tree's root (its offline reader follows Include lines outside sshd_config.d too).  A Banner
path that was not looked for (only possible from older section data) ends as ``error``,
never as a pass.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from attt.model import Result, Status
from attt.probes.text import glob_regex
from attt.registry import OfflineTree, ScopedFacts, Section, check, probe

from .ssh import MAIN_CONFIG, _Reader, _View
from .ssh_hardening import _RELOAD_EN, _RELOAD_VI, SSH_PROBES, _origin, _prepare, _seconds

# sshd_config(5) defaults of the options below (upstream OpenSSH; Debian's shipped
# sshd_config sets X11Forwarding yes explicitly).
DEFAULTS = {
    "x11forwarding": "no",
    "logingracetime": "120",
    "banner": "none",
    "hostbasedauthentication": "no",
    "ignorerhosts": "yes",
}


def _get(view: _View, keyword: str) -> tuple[str, str]:
    return view.values.get(keyword, (DEFAULTS[keyword], "OpenSSH default"))


# --------------------------------------------------------------------------- X11


@check(
    "ssh.x11_forwarding_disabled",
    title_vi="Tắt chuyển tiếp X11 qua SSH",
    title_en="SSH X11 forwarding is disabled",
    severity="medium",
    probes=SSH_PROBES,
    remediation_vi=(
        "Đặt 'X11Forwarding no' trong /etc/ssh/sshd_config.d/50-attt.conf (tệp drop-in được "
        "đọc trước nên giá trị đầu tiên có hiệu lực) và sửa dòng 'X11Forwarding yes' mà Debian/"
        f"Ubuntu đặt sẵn trong /etc/ssh/sshd_config; {_RELOAD_VI}."
    ),
    remediation_en=(
        "Set 'X11Forwarding no' in /etc/ssh/sshd_config.d/50-attt.conf (drop-ins are read first, "
        "and the first value wins) and change the 'X11Forwarding yes' line that Debian/Ubuntu "
        f"ship in /etc/ssh/sshd_config; {_RELOAD_EN}."
    ),
)
def x11_forwarding_disabled(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """X11 forwarding connects the server's programs to the administrator's display. A
    compromised server (or another administrator of it) can then read keystrokes and take
    screenshots on the client, and the X11 protocol widens the attack surface of sshd. Servers
    do not need graphical sessions."""

    view = _prepare(facts, ("x11forwarding",))
    if isinstance(view, Result):
        return view
    value, where = _get(view, "x11forwarding")
    value = value.lower()
    status = Status.PASS if value == "no" else Status.FAIL
    return Result(status, f"sshd X11Forwarding is '{value}' ({_origin(view, where)}).",
                  observed={"X11Forwarding": value, "from": where},
                  expected={"X11Forwarding": "no"}, source=view.source)


# --------------------------------------------------------------------------- LoginGraceTime


@check(
    "ssh.login_grace_time_limited",
    title_vi="Giới hạn thời gian chờ đăng nhập SSH (LoginGraceTime)",
    title_en="SSH login grace time is limited",
    severity="low",
    probes=SSH_PROBES,
    params={"max_seconds": 60},
    stricter={"max_seconds": "lower"},
    remediation_vi=(
        "Đặt 'LoginGraceTime 60' (hoặc nhỏ hơn, ví dụ '30s'; không dùng 0 vì 0 là không giới "
        f"hạn) trong /etc/ssh/sshd_config.d/50-attt.conf; {_RELOAD_VI}."
    ),
    remediation_en=(
        "Set 'LoginGraceTime 60' (or lower, e.g. '30s'; never 0, which means no limit) in "
        f"/etc/ssh/sshd_config.d/50-attt.conf; {_RELOAD_EN}."
    ),
)
def login_grace_time_limited(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Every connection that has not yet authenticated holds an sshd process. A long grace time
    (the default is 120 seconds; 0 is unlimited) lets an attacker keep many such connections
    open, exhausting MaxStartups and locking administrators out, and gives password guessing
    more time per connection."""

    limit = int(params["max_seconds"])
    view = _prepare(facts, ("logingracetime",))
    if isinstance(view, Result):
        return view
    value, where = _get(view, "logingracetime")
    origin = _origin(view, where)
    try:
        seconds = _seconds(value)
    except ValueError:
        return Result(Status.ERROR, f"sshd LoginGraceTime is {value!r} ({origin}), which is not "
                      "a time value.", observed={"LoginGraceTime": value, "from": where},
                      expected=None, source=view.source)
    observed = {"LoginGraceTime": value, "seconds": seconds, "from": where}
    expected = {"LoginGraceTime_seconds": f"1..{limit}"}
    if seconds == 0:
        return Result(Status.FAIL, f"sshd LoginGraceTime is 0 ({origin}): unauthenticated "
                      "connections are never cut.", observed=observed, expected=expected,
                      source=view.source)
    shown = value if value == str(seconds) else f"{value} = {seconds} s"
    if seconds > limit:
        return Result(Status.FAIL, f"sshd LoginGraceTime is {shown} ({origin}), above the "
                      f"{limit} s limit.", observed=observed, expected=expected,
                      source=view.source)
    return Result(Status.PASS, f"sshd LoginGraceTime is {shown} ({origin}), within the "
                  f"{limit} s limit.", observed=observed, expected=expected, source=view.source)


# --------------------------------------------------------------------------- banner

# Where banners usually live; read offline, and live besides the effective Banner path.
BANNER_GLOBS = ("/etc/issue.net", "/etc/issue", "/etc/ssh/*banner*", "/etc/*banner*")
_BANNER_CAP = 65536
_BANNER_COMMAND = (
    'B=$(cat "$1/b"); '
    'show() { if [ -f "$1" ] && [ -r "$1" ]; then printf "%s FILE %s\\n" "$B" "$1"; '
    f'head -c {_BANNER_CAP} "$1"; printf "\\n"; '
    'else printf "%s MISSING %s\\n" "$B" "$1"; fi; }; '
    'printf "%s BANNER-FILES\\n" "$B"; '
    "if command -v sshd >/dev/null; then "
    "p=$(sshd -T 2>/dev/null | sed -n 's/^banner //p' | head -n 1); "
    'case "$p" in ""|none) ;; *) show "$p" ;; esac; fi; '
    "for p in " + " ".join(BANNER_GLOBS) + '; do for f in $p; do [ -f "$f" ] && show "$f"; '
    "done; done; exit 0"
)


_MAX_INCLUDE_ROUNDS = 16


def _tree_banner_path(tree: OfflineTree) -> str | None:
    """The Banner the tree's sshd configuration sets, reading Include'd files as sshd would."""

    files: dict[str, str] = {}
    for pattern in (MAIN_CONFIG, "/etc/ssh/sshd_config.d/*.conf"):
        files.update(tree.read(pattern))
    if MAIN_CONFIG not in files:
        return None
    done: set[str] = set()
    for _ in range(_MAX_INCLUDE_ROUNDS):
        reader = _Reader(files)
        try:
            reader.parse(MAIN_CONFIG, True, False, 0)
        except ValueError:
            return None  # the sshd_config_files fact reports the broken file
        more = {inc.value for inc in reader.unread} - done
        if not more:
            break
        for pattern in sorted(more):
            files.update(tree.read(pattern))
        done |= more
    setting = reader.settings.get("banner")
    if setting is None or setting.value.lower() == "none" or not setting.value.startswith("/"):
        return None
    return setting.value


def banner_offline(tree: OfflineTree) -> str:
    """The live probe's records, from the tree: the configured Banner file first."""

    b = tree.boundary
    out = [f"{b} BANNER-FILES\n"]
    shown: set[str] = set()

    def show(path: str, text: str | None) -> None:
        shown.add(path)
        if text is None:
            out.append(f"{b} MISSING {path}\n")
        else:
            out.append(f"{b} FILE {path}\n{text[:_BANNER_CAP]}\n")

    configured = _tree_banner_path(tree)
    if configured is not None:
        show(configured, tree.read(configured).get(configured))
    for pattern in BANNER_GLOBS:
        for path, text in tree.read(pattern).items():
            if path not in shown:
                show(path, text)
    return "".join(out)


@dataclass(frozen=True)
class BannerFiles:
    files: Mapping[str, str]  # path -> content (first 64 KiB)
    missing: frozenset[str] = field(default_factory=frozenset)  # looked for, not a readable file


@probe(
    "ssh_banner_file",
    command=_BANNER_COMMAND,
    files=BANNER_GLOBS,
    description="SSH banner files: the configured Banner path and /etc/issue.net etc.",
    offline=banner_offline,
)
def parse_ssh_banner_file(section: Section) -> BannerFiles:
    """Records framed with the run's boundary, which the first line (printed by the probe
    itself, before any file content) carries; or plain files (sections without records)."""

    if section.files or not section.text.strip():
        return BannerFiles(dict(section.files))
    first, _, rest = section.text.partition("\n")
    m = re.fullmatch(r"(@@ATTT-[0-9a-f]+@@) BANNER-FILES", first)
    if m is None:
        raise ValueError(f"not a banner probe output: {first[:60]!r}")
    b = re.escape(m.group(1))
    files: dict[str, str] = {}
    missing: set[str] = set()
    marker = re.compile(rf"^{b} (FILE|MISSING) (.+)$", re.MULTILINE)
    matches = list(marker.finditer(rest))
    if rest.strip() and (not matches or matches[0].start() != 0):
        raise ValueError("banner probe output does not start with a record")
    for i, mm in enumerate(matches):
        path = mm.group(2)
        if mm.group(1) == "MISSING":
            missing.add(path)
            continue
        end = matches[i + 1].start() if i + 1 < len(matches) else len(rest)
        body = rest[mm.end() + 1 : end]
        files[path] = body[:-1] if body.endswith("\n") else body
    return BannerFiles(files, frozenset(missing - set(files)))


def _covered(path: str) -> bool:
    return any(glob_regex(g).fullmatch(path) for g in BANNER_GLOBS)


@check(
    "ssh.warning_banner_set",
    title_vi="SSH hiển thị thông báo cảnh báo trước khi đăng nhập",
    title_en="SSH shows a warning banner before login",
    severity="low",
    probes=(*SSH_PROBES, "ssh_banner_file"),
    remediation_vi=(
        "Ghi nội dung cảnh báo vào /etc/issue.net, ví dụ: 'Hệ thống thông tin của cơ quan nhà "
        "nước. Chỉ người được cấp quyền mới được truy cập; mọi hoạt động đều được ghi nhật ký "
        "và truy cập trái phép sẽ bị xử lý theo quy định của pháp luật.' (không ghi tên hay "
        "phiên bản hệ điều hành), rồi đặt 'Banner /etc/issue.net' trong "
        f"/etc/ssh/sshd_config.d/50-attt.conf; {_RELOAD_VI}."
    ),
    remediation_en=(
        "Write the warning text to /etc/issue.net, e.g. 'State information system. Authorised "
        "users only; all activity is logged and unauthorised access will be prosecuted.' (do "
        "not name the operating system or its version), then set 'Banner /etc/issue.net' in "
        f"/etc/ssh/sshd_config.d/50-attt.conf; {_RELOAD_EN}."
    ),
)
def warning_banner_set(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """A warning shown before authentication tells every user that the system is restricted
    and monitored. It removes the excuse of ignorance and supports legal action against
    unauthorised access; the text should not reveal the operating system or its version."""

    view = _prepare(facts, ("banner",))
    if isinstance(view, Result):
        return view
    path, where = _get(view, "banner")
    origin = _origin(view, where)
    expected = {"Banner": "path of an existing, non-empty file"}
    if path.lower() == "none":
        return Result(Status.FAIL, f"sshd Banner is 'none' ({origin}): no warning is shown "
                      "before login.", observed={"Banner": path, "from": where},
                      expected=expected, source=view.source)
    banner: BannerFiles = facts.get("ssh_banner_file")
    observed: dict[str, Any] = {"Banner": path, "from": where}
    source = f"{view.source}; {path}"
    if path in banner.files:
        text = banner.files[path]
        observed["bytes"] = len(text.encode("utf-8"))
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        if not lines:
            return Result(Status.FAIL, f"sshd Banner is '{path}' ({origin}), but the file is "
                          "empty.", observed=observed, expected=expected, source=source)
        observed["first_line"] = lines[0][:200]
        return Result(Status.PASS, f"sshd Banner is '{path}' ({origin}), a file of "
                      f"{len(lines)} non-empty line(s) starting '{lines[0][:80]}'.",
                      observed=observed, expected=expected, source=source)
    if path in banner.missing or (path.startswith("/") and _covered(path)):
        where_now = "on the host" if facts.mode == "live" else "in the tree"
        return Result(Status.FAIL, f"sshd Banner is '{path}' ({origin}), but that file does "
                      f"not exist {where_now} or is not readable.", observed=observed,
                      expected=expected, source=source)
    return Result(Status.ERROR, f"sshd Banner is '{path}' ({origin}), a file the collector "
                  f"does not read ({', '.join(BANNER_GLOBS)}); its content cannot be judged.",
                  observed=observed, expected=None, source=source)


# --------------------------------------------------------------------------- host-based


@check(
    "ssh.host_based_auth_disabled",
    title_vi="Tắt xác thực dựa trên máy (HostbasedAuthentication) và bỏ qua tệp .rhosts",
    title_en="SSH host-based authentication is off and .rhosts files are ignored",
    severity="medium",
    probes=SSH_PROBES,
    remediation_vi=(
        "Đặt 'HostbasedAuthentication no' và 'IgnoreRhosts yes' (đều là giá trị mặc định) "
        "trong /etc/ssh/sshd_config.d/50-attt.conf, xóa các dòng đặt giá trị khác, và xóa các "
        f"tệp ~/.rhosts, ~/.shosts, /etc/hosts.equiv, /etc/shosts.equiv; {_RELOAD_VI}."
    ),
    remediation_en=(
        "Set 'HostbasedAuthentication no' and 'IgnoreRhosts yes' (both the defaults) in "
        "/etc/ssh/sshd_config.d/50-attt.conf, remove lines setting other values, and delete "
        f"~/.rhosts, ~/.shosts, /etc/hosts.equiv and /etc/shosts.equiv; {_RELOAD_EN}."
    ),
)
def host_based_auth_disabled(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Host-based authentication lets a user in because of the machine the connection comes
    from, not because of a credential of the user: whoever controls a trusted host, or its
    root account, logs in as anybody. .rhosts and .shosts files let each user extend that trust
    on their own."""

    view = _prepare(facts, ("hostbasedauthentication", "ignorerhosts"))
    if isinstance(view, Result):
        return view
    hba, hba_where = _get(view, "hostbasedauthentication")
    rhosts, rh_where = _get(view, "ignorerhosts")
    hba, rhosts = hba.lower(), rhosts.lower()
    observed = {"HostbasedAuthentication": hba, "IgnoreRhosts": rhosts,
                "from": {"HostbasedAuthentication": hba_where, "IgnoreRhosts": rh_where}}
    expected = {"HostbasedAuthentication": "no", "IgnoreRhosts": "yes"}
    effective = view.source == "sshd -T"
    bad = []
    if hba != "no":
        at = "" if effective else f" ({hba_where})"
        bad.append(f"HostbasedAuthentication is '{hba}'{at}")
    if rhosts != "yes":
        at = "" if effective else f" ({rh_where})"
        bad.append(f"IgnoreRhosts is '{rhosts}'{at}")
    if bad:
        return Result(Status.FAIL, f"sshd {' and '.join(bad)} ({view.label}).",
                      observed=observed, expected=expected, source=view.source)
    return Result(Status.PASS, f"sshd HostbasedAuthentication is 'no' and IgnoreRhosts is 'yes' "
                  f"({view.label}).", observed=observed, expected=expected, source=view.source)
