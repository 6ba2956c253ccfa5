"""OpenSSH server hardening: idle timeout, authentication tries, port, access lists, crypto.

Same fact sources and precedence as checks/ssh.py: the effective configuration (``sshd -T``)
wins; offline, or when ``sshd -T`` cannot run, the files are read the way sshd reads them and
unset options take the OpenSSH default.  ``sshd -T`` does not show ``Match`` blocks, so the
access-restriction check also looks at the Match blocks of the files when they were read.

An access-list line with no argument (``AllowUsers`` alone, ``AllowGroups=``) or an empty
pattern makes sshd refuse the whole configuration (``sshd -t`` fails); read from files it is a
configuration error, never a restriction. ``AllowUsers # comment`` is accepted with an empty
list, which restricts nothing. ``sshd -T`` output cannot hold either.

Known limit: for options that sshd accumulates over several lines (Port, ListenAddress,
AllowUsers ...) the file reader keeps the first line only; ``sshd -T`` lists all of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from fnmatch import fnmatchcase
from typing import Any

from attt.model import Result, Status
from attt.probes.packages import Packages
from attt.registry import ScopedFacts, check

from .ssh import _LINE, SshdConfig, _tokens, _undecided, _View, _view

SSH_PROBES = ("sshd_effective", "sshd_config_files")
_RELOAD_VI = ("kiểm tra bằng 'sshd -t' và 'sshd -T', rồi nạp lại dịch vụ ssh (Debian/Ubuntu) "
              "hoặc sshd (RHEL)")
_RELOAD_EN = ("check with 'sshd -t' and 'sshd -T', then reload the ssh (Debian/Ubuntu) or sshd "
              "(RHEL) service")

# sshd_config(5) defaults of the options below.
DEFAULTS = {
    "clientaliveinterval": "0",
    "clientalivecountmax": "3",
    "channeltimeout": "none",
    "maxauthtries": "6",
    "port": "22",
    "permitemptypasswords": "no",
    "gssapikeyexchange": "no",
}


def _get(view: _View, keyword: str) -> tuple[str, str]:
    return view.values.get(keyword, (DEFAULTS[keyword], "OpenSSH default"))


def _origin(view: _View, where: str) -> str:
    return view.label if where == "sshd -T" else f"{view.label}, {where}"


def _seconds(value: str) -> int:
    """sshd time format: 300, 5m, 1h30m (s, m, h, d, w; case-insensitive)."""

    value = value.strip().lower()
    if value.isdigit():
        return int(value)
    parts = re.findall(r"(\d+)([smhdw]?)", value)
    if not parts or "".join(n + u for n, u in parts) != value:
        raise ValueError(f"not an sshd time value: {value!r}")
    mult = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    return sum(int(n) * mult[u] for n, u in parts)


def _int_setting(view: _View, keyword: str) -> tuple[int, str] | Result:
    value, where = _get(view, keyword)
    try:
        return (_seconds(value) if keyword == "clientaliveinterval" else int(value)), where
    except ValueError:
        return Result(Status.ERROR, f"sshd {keyword} is {value!r} ({_origin(view, where)}), which "
                      "is not a number.", observed={keyword: value}, expected=None,
                      source=view.source)


def _prepare(facts: ScopedFacts, keywords: tuple[str, ...]) -> _View | Result:
    view = _view(facts)
    if isinstance(view, Result):
        return view
    if (res := _undecided(view, keywords)) is not None:
        return res
    return view


# --------------------------------------------------------------------------- idle timeout


def _channel_session_timeout(value: str) -> int | None:
    """Seconds after which ChannelTimeout closes an idle session channel; None if not set."""

    if value.lower() == "none":
        return None
    best: int | None = None
    for item in value.split():
        kind, _, interval = item.partition("=")
        if kind in ("session", "*") and interval:
            secs = _seconds(interval)
            if secs > 0:
                best = secs if best is None else min(best, secs)
    return best


@check(
    "ssh.idle_timeout_set",
    title_vi="Phiên SSH không hoạt động bị ngắt sau thời gian chờ",
    title_en="Idle SSH sessions are disconnected after a timeout",
    severity="medium",
    probes=SSH_PROBES,
    params={"max_idle_seconds": 900},
    stricter={"max_idle_seconds": "lower"},
    remediation_vi=(
        "Đặt trong /etc/ssh/sshd_config.d/50-timeout.conf (hoặc đầu /etc/ssh/sshd_config): "
        "'ClientAliveInterval 300' và 'ClientAliveCountMax 3' (tích số ≤ thời gian chờ theo "
        "quy chế, ví dụ 900 giây); trên OpenSSH ≥ 9.2 có thể thêm 'ChannelTimeout "
        f"session=15m'. Kết hợp với TMOUT trong shell; {_RELOAD_VI}."
    ),
    remediation_en=(
        "Set in /etc/ssh/sshd_config.d/50-timeout.conf (or at the top of sshd_config): "
        "'ClientAliveInterval 300' and 'ClientAliveCountMax 3' (product ≤ the policy's idle "
        "limit, e.g. 900 seconds); on OpenSSH ≥ 9.2 also 'ChannelTimeout session=15m'. Combine "
        f"with a shell TMOUT; {_RELOAD_EN}."
    ),
)
def idle_timeout_set(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """An administrative session left open on an unattended or lost client is an open door.
    sshd drops a connection whose client stops answering after ClientAliveInterval x
    ClientAliveCountMax seconds (0 disables it); ChannelTimeout (OpenSSH 9.2+) closes session
    channels with no traffic. The shell timeout (TMOUT, shell.session_timeout) covers a client
    that is alive but unused."""

    want = int(params["max_idle_seconds"])
    view = _prepare(facts, ("clientaliveinterval", "clientalivecountmax", "channeltimeout"))
    if isinstance(view, Result):
        return view
    got_i = _int_setting(view, "clientaliveinterval")
    got_c = _int_setting(view, "clientalivecountmax")
    if isinstance(got_i, Result):
        return got_i
    if isinstance(got_c, Result):
        return got_c
    (interval, i_where), (count, _) = got_i, got_c
    channel, c_where = _get(view, "channeltimeout")
    try:
        chan_secs = _channel_session_timeout(channel)
    except ValueError:
        return Result(Status.ERROR, f"sshd ChannelTimeout is {channel!r}, which is not "
                      "understood.", observed={"ChannelTimeout": channel}, expected=None,
                      source=view.source)
    product = interval * count
    observed = {"ClientAliveInterval": interval, "ClientAliveCountMax": count,
                "timeout_seconds": product if interval > 0 and count > 0 else None,
                "ChannelTimeout": channel, "from": i_where}
    expected = {"timeout_seconds": f"1..{want}"}
    if chan_secs is not None and chan_secs <= want:
        return Result(Status.PASS,
                      f"sshd ChannelTimeout '{channel}' closes idle sessions after {chan_secs} s "
                      f"({_origin(view, c_where)}).",
                      observed=observed, expected=expected, source=view.source)
    if interval <= 0:
        return Result(Status.FAIL,
                      f"sshd ClientAliveInterval is {interval} (disabled): idle connections are "
                      f"never dropped ({_origin(view, i_where)}).",
                      observed=observed, expected=expected, source=view.source)
    if count <= 0:
        return Result(Status.FAIL,
                      f"sshd ClientAliveCountMax is 0, which disables dropping unresponsive "
                      f"connections ({_origin(view, i_where)}).",
                      observed=observed, expected=expected, source=view.source)
    status = Status.PASS if product <= want else Status.FAIL
    return Result(status,
                  f"sshd ClientAliveInterval {interval} s x ClientAliveCountMax {count} = "
                  f"{product} s ({_origin(view, i_where)}).",
                  observed=observed, expected=expected, source=view.source)


# --------------------------------------------------------------------------- MaxAuthTries


@check(
    "ssh.max_auth_tries_limited",
    title_vi="Giới hạn số lần thử xác thực trên một kết nối SSH",
    title_en="SSH authentication attempts per connection are limited",
    severity="medium",
    probes=SSH_PROBES,
    params={"max_auth_tries": 4},
    stricter={"max_auth_tries": "lower"},
    remediation_vi=(
        "Đặt 'MaxAuthTries 4' (hoặc thấp hơn theo quy chế) trong "
        f"/etc/ssh/sshd_config.d/50-hardening.conf hoặc đầu /etc/ssh/sshd_config; {_RELOAD_VI}."
    ),
    remediation_en=(
        "Set 'MaxAuthTries 4' (or lower, per policy) in /etc/ssh/sshd_config.d/50-hardening.conf "
        f"or at the top of /etc/ssh/sshd_config; {_RELOAD_EN}."
    ),
)
def max_auth_tries_limited(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Each SSH connection may try several passwords or keys before sshd drops it (default 6).
    A low limit slows guessing and makes attacks show up sooner in the logs, where half the
    limit is logged as failures."""

    want = int(params["max_auth_tries"])
    view = _prepare(facts, ("maxauthtries",))
    if isinstance(view, Result):
        return view
    got = _int_setting(view, "maxauthtries")
    if isinstance(got, Result):
        return got
    tries, where = got
    status = Status.PASS if 0 < tries <= want else Status.FAIL
    return Result(status, f"sshd MaxAuthTries is {tries} ({_origin(view, where)}).",
                  observed={"MaxAuthTries": tries, "from": where},
                  expected={"MaxAuthTries": f"1..{want}"}, source=view.source)


# --------------------------------------------------------------------------- port


def _listen_port(value: str) -> int | None:
    """Port of a ListenAddress value: '[::]:22', '0.0.0.0:22', 'host:22 rdomain x', 'host'."""

    addr = value.split()[0] if value.split() else ""
    if addr.startswith("["):
        m = re.fullmatch(r"\[[^\]]+\](?::(\d+))?", addr)
        if m is None:
            raise ValueError(f"not a ListenAddress: {value!r}")
        return int(m.group(1)) if m.group(1) else None
    if addr.count(":") == 1:
        port = addr.split(":")[1]
        if not port.isdigit():
            raise ValueError(f"not a ListenAddress: {value!r}")
        return int(port)
    return None  # bare IPv4/hostname, or a bare IPv6 address: uses Port


@check(
    "ssh.non_default_port",
    title_vi="SSH không dùng cổng mặc định 22",
    title_en="SSH does not listen on the default port 22",
    severity="low",
    probes=SSH_PROBES,
    params={"allowed_ports": []},
    remediation_vi=(
        "Chọn cổng quản trị khác 22 theo quy chế, đặt 'Port <cổng>' trong "
        "/etc/ssh/sshd_config.d/50-port.conf, mở cổng đó trên tường lửa (và trên RHEL: "
        "'semanage port -a -t ssh_port_t -p tcp <cổng>'), cập nhật tài liệu, rồi "
        f"{_RELOAD_VI}. Ubuntu ≥ 22.10 dùng ssh.socket: sửa ListenStream hoặc chạy "
        "'systemctl daemon-reload' sau khi đổi."
    ),
    remediation_en=(
        "Pick the administration port set by policy, put 'Port <port>' in "
        "/etc/ssh/sshd_config.d/50-port.conf, open it in the firewall (RHEL: 'semanage port -a "
        f"-t ssh_port_t -p tcp <port>'), update the documentation, then {_RELOAD_EN}. Ubuntu ≥ "
        "22.10 uses ssh.socket: run 'systemctl daemon-reload' after the change."
    ),
)
def non_default_port(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Moving SSH off port 22 does not stop a targeted attacker, but it removes the host from
    the mass scans and password sprays that hit port 22 all day, keeping logs readable. The
    regulation asks for it from level 3. If the agency fixed the port(s), only those are
    accepted."""

    allowed = [int(p) for p in params.get("allowed_ports") or []]
    view = _prepare(facts, ("port", "listenaddress"))
    if isinstance(view, Result):
        return view
    try:
        if view.source == "sshd -T":
            eff: dict[str, list[str]] = facts.get("sshd_effective")
            listen = eff.get("listenaddress", [])
            ports = sorted({p for p in (_listen_port(v) for v in listen) if p is not None}
                           or {int(v) for v in eff.get("port", ["22"])})
            where = "sshd -T"
        else:
            port_value, where = _get(view, "port")
            listen_value = view.values.get("listenaddress")
            lport = _listen_port(listen_value[0]) if listen_value else None
            ports = [lport if lport is not None else int(port_value)]
            if lport is not None and listen_value is not None:
                where = listen_value[1]
    except ValueError as exc:
        return Result(Status.ERROR, f"sshd listening port could not be read: {exc}.",
                      observed=None, expected=None, source=view.source)
    observed = {"ports": ports, "from": where}
    expected = {"ports": allowed or "any port except 22"}
    bad = [p for p in ports if (p not in allowed if allowed else p == 22)]
    status = Status.FAIL if bad else Status.PASS
    shown = ", ".join(str(p) for p in ports)
    tail = f"; not allowed: {', '.join(str(p) for p in bad)}" if bad and allowed else ""
    return Result(status, f"sshd listens on port {shown} ({_origin(view, where)}){tail}.",
                  observed=observed, expected=expected, source=view.source)


# --------------------------------------------------------------------------- access lists

_ACCESS_KEYWORDS = ("allowusers", "allowgroups", "denyusers", "denygroups")


def _config_lines(facts: ScopedFacts) -> Iterator[tuple[str, int, str, str]]:
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
            m = _LINE.match(line)
            if m is not None:
                yield path, lineno, m.group("kw"), m.group("rest")


def _match_restrictions(facts: ScopedFacts) -> list[str]:
    """Match blocks with Address/Host criteria that set an access list (files, reading order)."""

    found: list[str] = []
    criteria: list[str] | None = None
    current = ""
    for path, lineno, kw, rest in _config_lines(facts):
        if path != current:
            current, criteria = path, None
        try:
            args = _tokens(rest)
        except ValueError:
            continue
        keyword = kw.lower()
        if keyword == "match":
            criteria = args
        elif (criteria is not None and keyword in _ACCESS_KEYWORDS and args
              and any(c.lower() in ("address", "host", "localaddress") for c in criteria)):
            found.append(f"Match {' '.join(criteria)} -> {kw} {' '.join(args)} "
                         f"({path}:{lineno})")
    return found


def _access_list_errors(facts: ScopedFacts) -> list[str]:
    """Access-list lines that make sshd refuse the whole configuration (OpenSSH 9.2 sshd -t:
    'no argument after keyword', 'invalid AllowUsers pattern')."""

    errors: list[str] = []
    for path, lineno, kw, rest in _config_lines(facts):
        if kw.lower() not in _ACCESS_KEYWORDS:
            continue
        try:
            args = _tokens(rest)
        except ValueError:
            continue
        if not rest.strip():
            errors.append(f"{kw} with no argument ({path}:{lineno})")
        elif "" in args:
            errors.append(f"{kw} with an empty pattern ({path}:{lineno})")
    return errors


@check(
    "ssh.access_restricted",
    title_vi="Giới hạn tài khoản/nguồn được phép đăng nhập SSH",
    title_en="SSH logins are restricted to listed users, groups or sources",
    severity="medium",
    probes=SSH_PROBES,
    params={"accept_deny_lists": False},
    remediation_vi=(
        "Tạo nhóm quản trị (ví dụ 'groupadd sshusers', 'usermod -aG sshusers <tên>') và đặt "
        "'AllowGroups sshusers' (hoặc 'AllowUsers admin1 admin2@10.0.0.0/24') trong "
        "/etc/ssh/sshd_config.d/50-access.conf; có thể giới hạn theo nguồn bằng khối "
        "'Match Address' hoặc mẫu user@địa_chỉ. Bảo đảm tài khoản của bạn nằm trong danh sách "
        f"trước khi {_RELOAD_VI}."
    ),
    remediation_en=(
        "Create an administrators' group (e.g. 'groupadd sshusers', 'usermod -aG sshusers "
        "<name>') and set 'AllowGroups sshusers' (or 'AllowUsers admin1 admin2@10.0.0.0/24') in "
        "/etc/ssh/sshd_config.d/50-access.conf; restrict sources with a 'Match Address' block "
        "or user@address patterns. Make sure your own account is listed before you "
        f"{_RELOAD_EN}."
    ),
)
def access_restricted(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Without AllowUsers/AllowGroups every local account with a valid credential can log in
    over SSH, including service accounts nobody watches. An allow list (optionally with
    user@address patterns or Match Address blocks) limits remote administration to the named
    administrators and sources. A deny list alone leaves every other account open, so it counts
    only if the agency's profile accepts it."""

    view = _prepare(facts, _ACCESS_KEYWORDS)
    if isinstance(view, Result):
        return view
    # 'AllowUsers # note' is accepted with an empty list: it restricts nothing.
    lists = {k: view.values[k] for k in _ACCESS_KEYWORDS
             if k in view.values and view.values[k][0].strip()}
    matches = _match_restrictions(facts)
    # sshd -T succeeded, so sshd accepted every line; files are checked only without it.
    errors = [] if view.source == "sshd -T" else _access_list_errors(facts)
    observed = {"global": {k: v[0] for k, v in lists.items()}, "match_blocks": matches,
                "configuration_errors": errors}
    expected = "AllowUsers or AllowGroups set, or a Match Address block restricting access"
    if errors:
        return Result(Status.FAIL, f"The SSH configuration is invalid: {'; '.join(errors)}; "
                      "sshd -t rejects it and sshd will not start with it, so it restricts "
                      f"nothing ({view.label}).",
                      observed=observed, expected=expected, source=view.source)
    allow = {k: v for k, v in lists.items() if k.startswith("allow")}
    deny = {k: v for k, v in lists.items() if k.startswith("deny")}
    if allow:
        shown = "; ".join(f"{k} '{v}' ({_origin(view, w)})" for k, (v, w) in allow.items())
        return Result(Status.PASS, f"sshd restricts logins: {shown}.",
                      observed=observed, expected=expected, source=view.source)
    if matches:
        return Result(Status.PASS, f"sshd restricts logins by source: {matches[0]}.",
                      observed=observed, expected=expected, source=view.source)
    if deny and params.get("accept_deny_lists"):
        shown = "; ".join(f"{k} '{v}'" for k, (v, _) in deny.items())
        return Result(Status.PASS, f"sshd has a deny list ({shown}), accepted by the profile.",
                      observed=observed, expected=expected, source=view.source)
    if deny:
        shown = "; ".join(f"{k} '{v}'" for k, (v, _) in deny.items())
        return Result(Status.FAIL, f"sshd has only a deny list ({shown}); every other account may "
                      f"log in ({view.label}).",
                      observed=observed, expected=expected, source=view.source)
    return Result(Status.FAIL, f"sshd sets no AllowUsers/AllowGroups and no Match Address "
                  f"restriction: every account may log in ({view.label}).",
                  observed=observed, expected=expected, source=view.source)


# --------------------------------------------------------------------------- crypto

# Server defaults of OpenSSH (sshd_config(5), release notes): (first version, lists).
_CIPHERS = ("chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,"
            "aes128-gcm@openssh.com,aes256-gcm@openssh.com")
_MACS = ("umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com,"
         "hmac-sha2-512-etm@openssh.com,hmac-sha1-etm@openssh.com,umac-64@openssh.com,"
         "umac-128@openssh.com,hmac-sha2-256,hmac-sha2-512,hmac-sha1")
_KEX_82 = ("curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,ecdh-sha2-nistp384,"
           "ecdh-sha2-nistp521,diffie-hellman-group-exchange-sha256,diffie-hellman-group16-sha512,"
           "diffie-hellman-group18-sha512,diffie-hellman-group14-sha256")
_HOSTKEY_88 = ("ssh-ed25519-cert-v01@openssh.com,ecdsa-sha2-nistp256-cert-v01@openssh.com,"
               "ecdsa-sha2-nistp384-cert-v01@openssh.com,ecdsa-sha2-nistp521-cert-v01@openssh.com,"
               "sk-ssh-ed25519-cert-v01@openssh.com,sk-ecdsa-sha2-nistp256-cert-v01@openssh.com,"
               "rsa-sha2-512-cert-v01@openssh.com,rsa-sha2-256-cert-v01@openssh.com,ssh-ed25519,"
               "ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,"
               "sk-ssh-ed25519@openssh.com,sk-ecdsa-sha2-nistp256@openssh.com,rsa-sha2-512,"
               "rsa-sha2-256")
_GSS_KEX = ("gss-group14-sha256-,gss-group16-sha512-,gss-nistp256-sha256-,gss-curve25519-sha256-,"
            "gss-group14-sha1-,gss-gex-sha1-")
OPENSSH_DEFAULTS: tuple[tuple[tuple[int, int], dict[str, str]], ...] = (
    ((8, 8), {"ciphers": _CIPHERS, "macs": _MACS,
              "kexalgorithms": "sntrup761x25519-sha512@openssh.com," + _KEX_82,
              "hostkeyalgorithms": _HOSTKEY_88, "gssapikexalgorithms": _GSS_KEX}),
    ((8, 2), {"ciphers": _CIPHERS, "macs": _MACS, "kexalgorithms": _KEX_82,
              "hostkeyalgorithms": _HOSTKEY_88 + ",ssh-rsa-cert-v01@openssh.com,ssh-rsa",
              "gssapikexalgorithms": _GSS_KEX}),
    # 7.4 .. 8.1; also assumed when the version is unknown (the weakest list we accept).
    ((0, 0), {"ciphers": _CIPHERS, "macs": _MACS,
              "kexalgorithms": _KEX_82 + ",diffie-hellman-group14-sha1",
              "hostkeyalgorithms": _HOSTKEY_88 + ",ssh-rsa-cert-v01@openssh.com,ssh-rsa",
              "gssapikexalgorithms": _GSS_KEX}),
)
_CRYPTO = ("ciphers", "macs", "kexalgorithms", "hostkeyalgorithms")
_NAMES = {"ciphers": "Ciphers", "macs": "MACs", "kexalgorithms": "KexAlgorithms",
          "hostkeyalgorithms": "HostKeyAlgorithms", "gssapikexalgorithms": "GSSAPIKexAlgorithms"}


def openssh_version(pkgs: Packages) -> tuple[int, int] | None:
    """Upstream version of the installed OpenSSH server package ('1:9.2p1-2+deb12u3')."""

    raw = pkgs.version("openssh-server")
    if not raw:
        return None
    m = re.match(r"^(?:\d+:)?(\d+)\.(\d+)", raw)
    return (int(m.group(1)), int(m.group(2))) if m else None


def _defaults_for(version: tuple[int, int] | None) -> dict[str, str]:
    for since, lists in OPENSSH_DEFAULTS:
        if version is not None and version >= since:
            return lists
    return OPENSSH_DEFAULTS[-1][1]


def apply_modifier(value: str, default: str) -> list[str]:
    """sshd list syntax: '+x' appends to, '-x' removes from, '^x' puts in front of the default."""

    base = default.split(",")
    if value.startswith("+"):
        return base + [v for v in value[1:].split(",") if v not in base]
    if value.startswith("-"):
        return [b for b in base if not any(fnmatchcase(b, p) for p in value[1:].split(","))]
    if value.startswith("^"):
        front = value[1:].split(",")
        return front + [b for b in base if b not in front]
    return value.split(",")


@check(
    "ssh.strong_crypto",
    title_vi="SSH chỉ dùng thuật toán mã hóa mạnh",
    title_en="SSH offers only strong ciphers, MACs, key exchange and host key algorithms",
    severity="medium",
    probes=(*SSH_PROBES, "packages"),
    params={
        "forbidden_ciphers": ["*cbc*", "3des*", "arcfour*", "blowfish*", "cast128*", "none"],
        "forbidden_macs": ["*md5*", "hmac-sha1", "hmac-sha1-96", "umac-64*", "*ripemd160*"],
        "forbidden_kex": ["diffie-hellman-group1-sha1", "diffie-hellman-group14-sha1",
                          "diffie-hellman-group-exchange-sha1", "gss-group1-sha1-*",
                          "gss-group14-sha1-*", "gss-gex-sha1-*"],
        "forbidden_hostkey": ["ssh-dss*", "ssh-rsa", "ssh-rsa-cert-v01@openssh.com"],
    },
    remediation_vi=(
        "Tạo /etc/ssh/sshd_config.d/40-crypto.conf với danh sách cho phép, ví dụ: "
        "'Ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,"
        "aes256-ctr,aes128-ctr', 'MACs hmac-sha2-512-etm@openssh.com,"
        "hmac-sha2-256-etm@openssh.com,umac-128-etm@openssh.com', 'KexAlgorithms "
        "curve25519-sha256,curve25519-sha256@libssh.org,diffie-hellman-group16-sha512,"
        "diffie-hellman-group18-sha512', 'HostKeyAlgorithms ssh-ed25519,rsa-sha2-512,"
        "rsa-sha2-256'. Trên RHEL dùng 'update-crypto-policies --set FUTURE' hoặc một "
        f"sub-policy thay vì sửa tệp. Thử kết nối từ máy trạm quản trị, {_RELOAD_VI}."
    ),
    remediation_en=(
        "Create /etc/ssh/sshd_config.d/40-crypto.conf with allow lists, e.g. 'Ciphers "
        "chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr,"
        "aes128-ctr', 'MACs hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com,"
        "umac-128-etm@openssh.com', 'KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org,"
        "diffie-hellman-group16-sha512,diffie-hellman-group18-sha512', 'HostKeyAlgorithms "
        "ssh-ed25519,rsa-sha2-512,rsa-sha2-256'. On RHEL use 'update-crypto-policies --set "
        "FUTURE' or a sub-policy instead of editing files. Test a login from the admin "
        f"workstation, then {_RELOAD_EN}."
    ),
)
def strong_crypto(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """CBC-mode and RC4 ciphers, MD5/SHA-1 and 64-bit-tag MACs, SHA-1 Diffie-Hellman groups and
    SHA-1 RSA / DSA host-key signatures have known weaknesses (plaintext recovery, collisions,
    Logjam-class attacks). A server that still offers them lets a downgrade or a weak client
    pick them. Only current algorithms may be offered; the forbidden patterns are parameters."""

    view = _prepare(facts, (*_CRYPTO, "gssapikeyexchange", "gssapikexalgorithms"))
    if isinstance(view, Result):
        return view
    forbidden = {"ciphers": params["forbidden_ciphers"], "macs": params["forbidden_macs"],
                 "kexalgorithms": params["forbidden_kex"],
                 "hostkeyalgorithms": params["forbidden_hostkey"],
                 "gssapikexalgorithms": params["forbidden_kex"]}
    effective = view.source == "sshd -T"
    version: tuple[int, int] | None = None
    if not effective and facts.has("packages"):
        version = openssh_version(facts.get("packages"))
    defaults = _defaults_for(version)
    default_label = (f"OpenSSH {version[0]}.{version[1]} defaults" if version
                     else "OpenSSH 7.4-8.1 defaults (installed version unknown)")
    keywords: list[str] = list(_CRYPTO)
    gss, _ = _get(view, "gssapikeyexchange")
    if gss.lower() == "yes":
        keywords.append("gssapikexalgorithms")
    offered: dict[str, list[str]] = {}
    origin: dict[str, str] = {}
    for kw in keywords:
        if kw in view.values:
            value, where = view.values[kw]
            if effective:
                offered[kw] = value.split(",")
                origin[kw] = "sshd -T"
            else:
                offered[kw] = apply_modifier(value, defaults[kw])
                origin[kw] = where + (f" (relative to {default_label})"
                                      if value[:1] in "+-^" else "")
        elif effective:
            continue  # an older sshd -T without this list (e.g. no GSSAPI patch)
        else:
            offered[kw] = defaults[kw].split(",")
            origin[kw] = default_label
    weak = {_NAMES[kw]: [a for a in algs if any(fnmatchcase(a.lower(), p.lower())
                                                for p in forbidden[kw])]
            for kw, algs in offered.items()}
    weak = {k: v for k, v in weak.items() if v}
    observed = {"offered": {_NAMES[k]: v for k, v in offered.items()},
                "from": {_NAMES[k]: v for k, v in origin.items()}, "weak": weak}
    expected = {"forbidden_patterns": {_NAMES[k]: forbidden[k] for k in _CRYPTO}}
    if weak:
        shown = "; ".join(f"{k}: {', '.join(v)}" for k, v in weak.items())
        used_defaults = sorted({origin[k] for k in offered if origin[k] == default_label})
        note = f", {used_defaults[0]} where unset" if used_defaults else ""
        return Result(Status.FAIL, f"sshd offers weak algorithms ({view.label}{note}): {shown}.",
                      observed=observed, expected=expected, source=view.source)
    unset = [_NAMES[k] for k in offered if origin[k] == default_label]
    note = f"; {', '.join(unset)} from {default_label}" if unset else ""
    return Result(Status.PASS,
                  f"sshd offers no forbidden cipher, MAC, key exchange or host key algorithm "
                  f"({view.label}{note}).",
                  observed=observed, expected=expected, source=view.source)


# --------------------------------------------------------------------------- empty passwords


@check(
    "ssh.empty_passwords_denied",
    title_vi="SSH không cho phép đăng nhập bằng mật khẩu rỗng",
    title_en="SSH refuses logins with empty passwords",
    severity="high",
    probes=SSH_PROBES,
    remediation_vi=(
        "Đặt 'PermitEmptyPasswords no' (giá trị mặc định) trong /etc/ssh/sshd_config hoặc một "
        "tệp /etc/ssh/sshd_config.d/*.conf và xóa mọi dòng 'PermitEmptyPasswords yes'; "
        f"{_RELOAD_VI}."
    ),
    remediation_en=(
        "Set 'PermitEmptyPasswords no' (the default) in /etc/ssh/sshd_config or an "
        "/etc/ssh/sshd_config.d/*.conf drop-in and remove any 'PermitEmptyPasswords yes'; "
        f"{_RELOAD_EN}."
    ),
)
def empty_passwords_denied(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """With PermitEmptyPasswords yes, any account whose password is empty can be entered from
    the network by anyone who knows its name. The option must be off whatever the state of the
    accounts (see accounts.no_empty_passwords)."""

    view = _prepare(facts, ("permitemptypasswords",))
    if isinstance(view, Result):
        return view
    value, where = _get(view, "permitemptypasswords")
    value = value.lower()
    status = Status.PASS if value == "no" else Status.FAIL
    return Result(status, f"sshd PermitEmptyPasswords is '{value}' ({_origin(view, where)}).",
                  observed={"PermitEmptyPasswords": value, "from": where},
                  expected={"PermitEmptyPasswords": "no"}, source=view.source)
