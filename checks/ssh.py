"""OpenSSH server: the twelve ``ssh.*`` checks.

Same fact sources and precedence for all (:mod:`attt.probes.sshd`): the effective
configuration (``sshd -T``) wins; offline, or when ``sshd -T`` cannot run, the files are
read the way sshd reads them and unset options take the OpenSSH default.

An access-list line with no argument (``AllowUsers`` alone, ``AllowGroups=``) or an empty
pattern makes sshd refuse the whole configuration (``sshd -t`` fails); read from files it is a
configuration error, never a restriction. ``AllowUsers # comment`` is accepted with an empty
list, which restricts nothing. ``sshd -T`` output cannot hold either.

Known limit: for options that sshd accumulates over several lines (Port, ListenAddress,
AllowUsers ...) the file reader keeps the first line only; ``sshd -T`` lists all of them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from fnmatch import fnmatchcase
from typing import Any

from attt.messages import Msg, T
from attt.model import Result, Status
from attt.probes.ssh_banner import BANNER_GLOBS, BannerFiles
from attt.probes.sshd import (
    ACCESS_KEYWORDS,
    SshdView,
    access_list_errors,
    match_restrictions,
    option_is,
    prepared_view,
    setting_origin,
    sshd_seconds,
    sshd_view,
    undecided_include,
)
from attt.probes.sshd_crypto import apply_modifier, crypto_defaults, openssh_version
from attt.probes.text import glob_regex
from attt.registry import CheckFunc, ScopedFacts, check

SSH_PROBES = ("sshd_effective", "sshd_config_files")
_RELOAD_VI = ("kiểm tra bằng 'sshd -t' và 'sshd -T', rồi nạp lại dịch vụ ssh (Debian/Ubuntu) "
              "hoặc sshd (RHEL)")
_RELOAD_EN = ("check with 'sshd -t' and 'sshd -T', then reload the ssh (Debian/Ubuntu) or sshd "
              "(RHEL) service")

ROOT_OK_STRICT = ("no",)
ROOT_OK_KEYS = ("no", "prohibit-password", "forced-commands-only")


@check(
    "ssh.root_login_disabled",
    title_vi="Không cho phép đăng nhập trực tiếp tài khoản root qua SSH",
    title_en="Direct root login over SSH is disabled",
    severity="high",
    probes=SSH_PROBES,
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

    view = sshd_view(facts)
    if isinstance(view, Result):
        return view
    if (res := undecided_include(view, ("permitrootlogin",))) is not None:
        return res
    value, where = view.get("permitrootlogin")
    allowed = ROOT_OK_KEYS if params.get("allow_prohibit_password") else ROOT_OK_STRICT
    status = Status.PASS if value in allowed else Status.FAIL
    return Result(
        status,
        T("sshd PermitRootLogin is '{value}' ({origin}).", value=value,
          origin=setting_origin(view, where)),
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
    probes=SSH_PROBES,
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
    view = sshd_view(facts)
    if isinstance(view, Result):
        return view
    if (res := undecided_include(view, keywords)) is not None:
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
                      T("sshd AuthenticationMethods is '{methods}', which admits no password "
                        "method ({origin}).", methods=methods, origin=view.label),
                      observed=observed, expected=expected, source=view.source)
    if pw != "no":
        return Result(Status.FAIL, T("sshd PasswordAuthentication is '{value}' ({origin}).",
                                     value=pw, origin=view.label),
                      observed=observed, expected=expected, source=view.source)
    if kbd != "no" and pam == "yes":
        return Result(
            Status.FAIL,
            T("sshd KbdInteractiveAuthentication is '{value}' with UsePAM yes, so PAM still "
              "asks for passwords ({origin}).", value=kbd, origin=view.label),
            observed=observed, expected=expected, source=view.source,
        )
    return Result(
        Status.PASS,
        T("sshd PasswordAuthentication is 'no' and KbdInteractiveAuthentication is '{kbd}' "
          "(UsePAM {pam}) ({origin}).", kbd=kbd, pam=pam, origin=view.label),
        observed=observed, expected=expected, source=view.source,
    )




def _int_setting(view: SshdView, keyword: str) -> tuple[int, str] | Result:
    value, where = view.get(keyword)
    try:
        return (sshd_seconds(value) if keyword == "clientaliveinterval" else int(value)), where
    except ValueError:
        return Result(Status.ERROR, T("sshd {keyword} is {value} ({origin}), which is not a "
                                      "number.", keyword=keyword, value=repr(value),
                                      origin=setting_origin(view, where)),
                      observed={keyword: value}, expected=None, source=view.source)


# --------------------------------------------------------------------------- idle timeout


def _channel_session_timeout(value: str) -> int | None:
    """Seconds after which ChannelTimeout closes an idle session channel; None if not set."""

    if value.lower() == "none":
        return None
    best: int | None = None
    for item in value.split():
        kind, _, interval = item.partition("=")
        if kind in ("session", "*") and interval:
            secs = sshd_seconds(interval)
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
    view = prepared_view(facts, ("clientaliveinterval", "clientalivecountmax", "channeltimeout"))
    if isinstance(view, Result):
        return view
    got_i = _int_setting(view, "clientaliveinterval")
    got_c = _int_setting(view, "clientalivecountmax")
    if isinstance(got_i, Result):
        return got_i
    if isinstance(got_c, Result):
        return got_c
    (interval, i_where), (count, _) = got_i, got_c
    channel, c_where = view.get("channeltimeout")
    try:
        chan_secs = _channel_session_timeout(channel)
    except ValueError:
        return Result(Status.ERROR, T("sshd ChannelTimeout is {value}, which is not "
                                      "understood.", value=repr(channel)),
                      observed={"ChannelTimeout": channel}, expected=None,
                      source=view.source)
    product = interval * count
    observed = {"ClientAliveInterval": interval, "ClientAliveCountMax": count,
                "timeout_seconds": product if interval > 0 and count > 0 else None,
                "ChannelTimeout": channel, "from": i_where}
    expected = {"timeout_seconds": f"1..{want}"}
    if chan_secs is not None and chan_secs <= want:
        return Result(Status.PASS,
                      T("sshd ChannelTimeout '{value}' closes idle sessions after {seconds} s "
                        "({origin}).", value=channel, seconds=chan_secs,
                        origin=setting_origin(view, c_where)),
                      observed=observed, expected=expected, source=view.source)
    if interval <= 0:
        return Result(Status.FAIL,
                      T("sshd ClientAliveInterval is {value} (disabled): idle connections are "
                        "never dropped ({origin}).", value=interval,
                        origin=setting_origin(view, i_where)),
                      observed=observed, expected=expected, source=view.source)
    if count <= 0:
        return Result(Status.FAIL,
                      T("sshd ClientAliveCountMax is 0, which disables dropping unresponsive "
                        "connections ({origin}).", origin=setting_origin(view, i_where)),
                      observed=observed, expected=expected, source=view.source)
    status = Status.PASS if product <= want else Status.FAIL
    return Result(status,
                  T("sshd ClientAliveInterval {interval} s x ClientAliveCountMax {count} = "
                    "{product} s ({origin}).", interval=interval, count=count, product=product,
                    origin=setting_origin(view, i_where)),
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
    view = prepared_view(facts, ("maxauthtries",))
    if isinstance(view, Result):
        return view
    got = _int_setting(view, "maxauthtries")
    if isinstance(got, Result):
        return got
    tries, where = got
    status = Status.PASS if 0 < tries <= want else Status.FAIL
    return Result(status, T("sshd MaxAuthTries is {value} ({origin}).", value=tries,
                            origin=setting_origin(view, where)),
                  observed={"MaxAuthTries": tries, "from": where},
                  expected={"MaxAuthTries": f"1..{want}"}, source=view.source)


# --------------------------------------------------------------------------- port


def _listen_port(value: str) -> int | None:
    """Port of a ListenAddress value: '[::]:22', '0.0.0.0:22', 'host:22 rdomain x', 'host'."""

    addr = value.split()[0] if value.split() else ""
    if addr.startswith("["):
        m = re.fullmatch(r"\[[^\]]+\](?::(\d+))?", addr)
        if m is None:
            raise ValueError(value)
        return int(m.group(1)) if m.group(1) else None
    if addr.count(":") == 1:
        port = addr.split(":")[1]
        if not port.isdigit():
            raise ValueError(value)
        return int(port)
    return None  # bare IPv4/hostname, or a bare IPv6 address: uses Port


def _port(value: str) -> int:
    """A Port value; ValueError(value) when it is not a number."""

    if not value.strip().isdigit():
        raise ValueError(value)
    return int(value)


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
    view = prepared_view(facts, ("port", "listenaddress"))
    if isinstance(view, Result):
        return view
    try:
        if view.source == "sshd -T":
            eff: dict[str, list[str]] = facts.get("sshd_effective")
            listen = eff.get("listenaddress", [])
            ports = sorted({p for p in (_listen_port(v) for v in listen) if p is not None}
                           or {_port(v) for v in eff.get("port", ["22"])})
            where = "sshd -T"
        else:
            port_value, where = view.get("port")
            listen_value = view.values.get("listenaddress")
            lport = _listen_port(listen_value[0]) if listen_value else None
            ports = [lport if lport is not None else _port(port_value)]
            if lport is not None and listen_value is not None:
                where = listen_value[1]
    except ValueError as exc:
        # The ValueErrors above carry the value sshd would not accept either.
        return Result(Status.ERROR, T("sshd listening port could not be read: {value} is not a "
                                      "valid Port or ListenAddress.", value=repr(exc.args[0])),
                      observed=None, expected=None, source=view.source)
    observed = {"ports": ports, "from": where}
    expected = {"ports": allowed or "any port except 22"}
    bad = [p for p in ports if (p not in allowed if allowed else p == 22)]
    status = Status.FAIL if bad else Status.PASS
    origin = setting_origin(view, where)
    msg = (T("sshd listens on port {ports} ({origin}); not allowed: {bad}.", ports=ports,
             origin=origin, bad=bad) if bad and allowed
           else T("sshd listens on port {ports} ({origin}).", ports=ports, origin=origin))
    return Result(status, msg,
                  observed=observed, expected=expected, source=view.source)


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

    view = prepared_view(facts, ACCESS_KEYWORDS)
    if isinstance(view, Result):
        return view
    # 'AllowUsers # note' is accepted with an empty list: it restricts nothing.
    lists = {k: view.values[k] for k in ACCESS_KEYWORDS
             if k in view.values and view.values[k][0].strip()}
    matches = match_restrictions(facts)
    # sshd -T succeeded, so sshd accepted every line; files are checked only without it.
    errors = [] if view.source == "sshd -T" else access_list_errors(facts)
    observed = {"global": {k: v[0] for k, v in lists.items()}, "match_blocks": matches,
                "configuration_errors": [str(e) for e in errors]}
    expected = "AllowUsers or AllowGroups set, or a Match Address block restricting access"
    if errors:
        return Result(Status.FAIL, T("The SSH configuration is invalid: {errors}; sshd -t "
                                     "rejects it and sshd will not start with it, so it "
                                     "restricts nothing ({origin}).", errors=errors,
                                     origin=view.label),
                      observed=observed, expected=expected, source=view.source)
    allow = {k: v for k, v in lists.items() if k.startswith("allow")}
    deny = {k: v for k, v in lists.items() if k.startswith("deny")}
    if allow:
        shown = [T("{keyword} '{value}' ({origin})", keyword=k, value=v,
                   origin=setting_origin(view, w)) for k, (v, w) in allow.items()]
        return Result(Status.PASS, T("sshd restricts logins: {lists}.", lists=shown),
                      observed=observed, expected=expected, source=view.source)
    if matches:
        return Result(Status.PASS, T("sshd restricts logins by source: {match}.",
                                     match=matches[0]),
                      observed=observed, expected=expected, source=view.source)
    denied = "; ".join(f"{k} '{v}'" for k, (v, _) in deny.items())  # as sshd_config spells it
    if deny and params.get("accept_deny_lists"):
        return Result(Status.PASS, T("sshd has a deny list ({lists}), accepted by the profile.",
                                     lists=denied),
                      observed=observed, expected=expected, source=view.source)
    if deny:
        return Result(Status.FAIL, T("sshd has only a deny list ({lists}); every other account "
                                     "may log in ({origin}).", lists=denied,
                                     origin=view.label),
                      observed=observed, expected=expected, source=view.source)
    return Result(Status.FAIL, T("sshd sets no AllowUsers/AllowGroups and no Match Address "
                                 "restriction: every account may log in ({origin}).",
                                 origin=view.label),
                  observed=observed, expected=expected, source=view.source)


_CRYPTO = ("ciphers", "macs", "kexalgorithms", "hostkeyalgorithms")
_NAMES = {"ciphers": "Ciphers", "macs": "MACs", "kexalgorithms": "KexAlgorithms",
          "hostkeyalgorithms": "HostKeyAlgorithms", "gssapikexalgorithms": "GSSAPIKexAlgorithms"}


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

    view = prepared_view(facts, (*_CRYPTO, "gssapikeyexchange", "gssapikexalgorithms"))
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
    defaults = crypto_defaults(version)
    # default_label is data (observed); default_msg says the same in the report's language.
    shown_version = f"{version[0]}.{version[1]}" if version else ""
    default_label = (f"OpenSSH {shown_version} defaults" if version
                     else "OpenSSH 7.4-8.1 defaults (installed version unknown)")
    default_msg = (T("OpenSSH {version} defaults", version=shown_version)
                   if version else T("OpenSSH 7.4-8.1 defaults (installed version unknown)"))
    keywords: list[str] = list(_CRYPTO)
    gss, _ = view.get("gssapikeyexchange")
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
        used_defaults = any(origin[k] == default_label for k in offered)
        msg = (T("sshd offers weak algorithms ({origin}, {defaults} where unset): {weak}.",
                 origin=view.label, defaults=default_msg, weak=shown) if used_defaults
               else T("sshd offers weak algorithms ({origin}): {weak}.", origin=view.label,
                      weak=shown))
        return Result(Status.FAIL, msg, observed=observed, expected=expected, source=view.source)
    unset = [_NAMES[k] for k in offered if origin[k] == default_label]
    msg = (T("sshd offers no forbidden cipher, MAC, key exchange or host key algorithm "
             "({origin}; {names} from {defaults}).", origin=view.label, names=unset,
             defaults=default_msg) if unset
           else T("sshd offers no forbidden cipher, MAC, key exchange or host key algorithm "
                  "({origin}).", origin=view.label))
    return Result(Status.PASS, msg, observed=observed, expected=expected, source=view.source)


# ----------------------------------------------------------- one option, one allowed value


def sshd_option_check(
    check_id: str,
    option: str,
    wanted: str,
    *,
    title_vi: str,
    title_en: str,
    severity: str,
    rationale: str,
    remediation_vi: str,
    remediation_en: str,
) -> CheckFunc:
    """Register the check ``check_id``: sshd ``option`` (as sshd_config spells it, e.g.
    ``X11Forwarding``) must be ``wanted`` (lower case), read through :func:`prepared_view`.

    Pass or fail on the value, the message naming it and where it came from; no sshd, no
    configuration or an unread Include that could set the option end the check first.
    ``rationale`` is the check's docstring (shown in reports).
    """

    keyword = option.lower()

    def evaluate(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
        view = prepared_view(facts, (keyword,))
        if isinstance(view, Result):
            return view
        value, where = view.get(keyword)
        value = value.lower()
        status = Status.PASS if value == wanted else Status.FAIL
        return Result(status, T("sshd {option} is '{value}' ({origin}).", option=option,
                                value=value, origin=setting_origin(view, where)),
                      observed={option: value, "from": where}, expected={option: wanted},
                      source=view.source)

    evaluate.__doc__ = rationale
    evaluate.__name__ = evaluate.__qualname__ = check_id.partition(".")[2]
    return check(check_id, title_vi=title_vi, title_en=title_en, severity=severity,
                 probes=SSH_PROBES, remediation_vi=remediation_vi,
                 remediation_en=remediation_en)(evaluate)


empty_passwords_denied = sshd_option_check(
    "ssh.empty_passwords_denied", "PermitEmptyPasswords", "no",
    title_vi="SSH không cho phép đăng nhập bằng mật khẩu rỗng",
    title_en="SSH refuses logins with empty passwords",
    severity="high",
    rationale="""With PermitEmptyPasswords yes, any account whose password is empty can be entered
    from the network by anyone who knows its name. The option must be off whatever the state of
    the accounts (see accounts.no_empty_passwords).""",
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

x11_forwarding_disabled = sshd_option_check(
    "ssh.x11_forwarding_disabled", "X11Forwarding", "no",
    title_vi="Tắt chuyển tiếp X11 qua SSH",
    title_en="SSH X11 forwarding is disabled",
    severity="medium",
    rationale="""X11 forwarding connects the server's programs to the administrator's display. A
    compromised server (or another administrator of it) can then read keystrokes and take
    screenshots on the client, and the X11 protocol widens the attack surface of sshd. Servers
    do not need graphical sessions.""",
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
    view = prepared_view(facts, ("logingracetime",))
    if isinstance(view, Result):
        return view
    value, where = view.get("logingracetime")
    origin = setting_origin(view, where)
    try:
        seconds = sshd_seconds(value)
    except ValueError:
        return Result(Status.ERROR, T("sshd LoginGraceTime is {value} ({origin}), which is "
                                      "not a time value.", value=repr(value), origin=origin),
                      observed={"LoginGraceTime": value, "from": where},
                      expected=None, source=view.source)
    observed = {"LoginGraceTime": value, "seconds": seconds, "from": where}
    expected = {"LoginGraceTime_seconds": f"1..{limit}"}
    if seconds == 0:
        return Result(Status.FAIL, T("sshd LoginGraceTime is 0 ({origin}): unauthenticated "
                                     "connections are never cut.", origin=origin),
                      observed=observed, expected=expected, source=view.source)
    shown = (value if value == str(seconds)
             else T("{value} = {seconds} s", value=value, seconds=seconds))
    if seconds > limit:
        return Result(Status.FAIL, T("sshd LoginGraceTime is {value} ({origin}), above the "
                                     "{limit} s limit.", value=shown, origin=origin,
                                     limit=limit), observed=observed, expected=expected,
                      source=view.source)
    return Result(Status.PASS, T("sshd LoginGraceTime is {value} ({origin}), within the "
                                 "{limit} s limit.", value=shown, origin=origin, limit=limit),
                  observed=observed, expected=expected, source=view.source)


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

    view = prepared_view(facts, ("banner",))
    if isinstance(view, Result):
        return view
    path, where = view.get("banner")
    origin = setting_origin(view, where)
    expected = {"Banner": "path of an existing, non-empty file"}
    if path.lower() == "none":
        return Result(Status.FAIL, T("sshd Banner is 'none' ({origin}): no warning is shown "
                                     "before login.", origin=origin),
                      observed={"Banner": path, "from": where},
                      expected=expected, source=view.source)
    banner: BannerFiles = facts.get("ssh_banner_file")
    observed: dict[str, Any] = {"Banner": path, "from": where}
    source = f"{view.source}; {path}"
    if path in banner.files:
        text = banner.files[path]
        observed["bytes"] = len(text.encode("utf-8"))
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        if not lines:
            return Result(Status.FAIL, T("sshd Banner is '{path}' ({origin}), but the file "
                                         "is empty.", path=path, origin=origin),
                          observed=observed, expected=expected, source=source)
        observed["first_line"] = lines[0][:200]
        return Result(Status.PASS, T("sshd Banner is '{path}' ({origin}), a file of {count} "
                                     "non-empty line(s) starting '{first}'.", path=path,
                                     origin=origin, count=len(lines), first=lines[0][:80]),
                      observed=observed, expected=expected, source=source)
    if path in banner.missing or (path.startswith("/") and _covered(path)):
        msg = (T("sshd Banner is '{path}' ({origin}), but that file does not exist on the "
                 "host or is not readable.", path=path, origin=origin) if facts.mode == "live"
               else T("sshd Banner is '{path}' ({origin}), but that file does not exist in the "
                      "tree or is not readable.", path=path, origin=origin))
        return Result(Status.FAIL, msg, observed=observed,
                      expected=expected, source=source)
    return Result(Status.ERROR, T("sshd Banner is '{path}' ({origin}), a file the collector "
                                  "does not read ({read}); its content cannot be judged.",
                                  path=path, origin=origin, read=list(BANNER_GLOBS)),
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

    view = prepared_view(facts, ("hostbasedauthentication", "ignorerhosts"))
    if isinstance(view, Result):
        return view
    hba, hba_where = view.get("hostbasedauthentication")
    rhosts, rh_where = view.get("ignorerhosts")
    hba, rhosts = hba.lower(), rhosts.lower()
    observed = {"HostbasedAuthentication": hba, "IgnoreRhosts": rhosts,
                "from": {"HostbasedAuthentication": hba_where, "IgnoreRhosts": rh_where}}
    expected = {"HostbasedAuthentication": "no", "IgnoreRhosts": "yes"}
    effective = view.source == "sshd -T"
    bad: list[Msg] = []
    if hba != "no":
        bad.append(option_is("HostbasedAuthentication", hba, None if effective else hba_where))
    if rhosts != "yes":
        bad.append(option_is("IgnoreRhosts", rhosts, None if effective else rh_where))
    if bad:
        msg = (T("sshd {first} and {second} ({origin}).", first=bad[0], second=bad[1],
                 origin=view.label) if len(bad) == 2
               else T("sshd {setting} ({origin}).", setting=bad[0], origin=view.label))
        return Result(Status.FAIL, msg, observed=observed, expected=expected, source=view.source)
    return Result(Status.PASS, T("sshd HostbasedAuthentication is 'no' and IgnoreRhosts is 'yes' "
                                 "({origin}).", origin=view.label),
                  observed=observed, expected=expected, source=view.source)
