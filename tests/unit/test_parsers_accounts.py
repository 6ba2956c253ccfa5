"""Parsers of the account, PAM-policy, sudo, file-permission, MAC, shell and SSH-hardening
probes, against captured real outputs (tests/fixtures/outputs) and garbage.

Debian 12 outputs were captured on a Debian 12 host; variants that change the system were run
in a throwaway mount namespace (``unshare -m`` with bind mounts).  The sudo and AppArmor files
come from the Debian 12 packages (``apt-get download`` + ``dpkg-deb -x``).  The shadow test
input holds made-up hashes only.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from attt.checks.accounts import _with_password
from attt.checks.ssh import _channel_session_timeout, _listen_port

from attt.library import load_all
from attt.probes.accounts import SHADOW_AWK, password_state
from attt.probes.files import FileMeta
from attt.probes.shell import effective_tmout, parse_tmout
from attt.probes.sshd import sshd_seconds
from attt.probes.sshd_crypto import apply_modifier
from attt.probes.sudo import defaults_options, split_top, sudo_aliases, sudo_grants
from attt.registry import PROBES, Section

load_all()

OUTPUTS = Path(__file__).parent.parent / "fixtures" / "outputs"


def fixture(name: str) -> str:
    return (OUTPUTS / name).read_text(encoding="utf-8")


def parse_text(probe: str, text: str) -> Any:
    return PROBES[probe].parser(Section(probe, text=text, exit_code=0))


def parse_files(probe: str, files: dict[str, str]) -> Any:
    return PROBES[probe].parser(Section(probe, files=files, exit_code=0))


# ----------------------------------------------------------------- accounts


def test_passwd_debian12() -> None:
    accounts = parse_files("passwd_file", {"/etc/passwd": fixture("passwd.debian12.txt")})
    by_name = {a.name: a for a in accounts}
    assert by_name["root"].uid == 0
    assert by_name["postgres"].shell == "/bin/bash" and by_name["postgres"].login_shell
    assert not by_name["sshd"].login_shell
    assert by_name["nobody"].uid == 65534


def test_shadow_state_live_debian12() -> None:
    entries = parse_text("shadow_state", fixture("shadow_state.debian12.txt"))
    assert entries["root"].state == "nologin"
    assert entries["root"].max_days == 99999
    assert entries["cloudsdk"].max_days is None
    assert {e.state for e in entries.values()} == {"nologin"}


@pytest.mark.parametrize(("field", "state"), [
    ("", "empty"),
    ("$y$j9T$abc$def", "hash"),
    ("$6$salt$hashhashhash", "hash"),
    ("abcdefghijklm", "hash"),  # 13-character DES
    ("!$6$salt$hh", "locked"),  # passwd -l
    ("!!$6$salt$hh", "locked"),
    ("!abcdefghijklm", "locked"),
    ("!", "nologin"),
    ("!!", "nologin"),  # RHEL useradd
    ("*", "nologin"),
    ("!*", "nologin"),
    ("*LK*", "nologin"),
    ("x", "nologin"),
])
def test_password_state(field: str, state: str) -> None:
    assert password_state(field) == state


@pytest.mark.parametrize(("field", "aged"), [
    ("", True),  # empty: logs in without a password, expiry forces one to be set
    ("$y$j9T$abc$def", True),
    ("abcdefghijklm", True),
    ("!$6$salt$hh", False),  # passwd -l
    ("!", False),
    ("!!", False),
    ("*", False),
])
def test_aging_applies_to_password_logins(field: str, aged: bool) -> None:
    shadow = f"u:{field}:19800:0:99999:7:::\n"
    entries = parse_files("shadow_state", {"/etc/shadow": shadow})
    assert [e.name for e in _with_password(entries)] == (["u"] if aged else [])


def test_shadow_offline_matches_live_awk_and_drops_hashes() -> None:
    raw = fixture("shadow.test-input.txt")
    offline = parse_files("shadow_state", {"/etc/shadow": raw})
    live = parse_text("shadow_state", fixture("shadow_state.mixed.debian12.txt"))
    assert offline == live
    assert offline["bob"].state == "empty" and offline["alice"].inactive_days == 30
    for secret in ("$y$j9T$abc$def", "hashhashhash", "abcdefghijklm", "$6$salt"):
        assert secret not in repr(offline)


@pytest.mark.skipif(shutil.which("awk") is None, reason="no awk")
def test_awk_program_matches_python_rules(tmp_path: Path) -> None:
    """The live probe's awk program and password_state() classify alike."""

    src = tmp_path / "shadow"
    src.write_text(fixture("shadow.test-input.txt"), encoding="utf-8")
    out = subprocess.run(["awk", "-F:", SHADOW_AWK, str(src)], capture_output=True, text=True,
                         check=True).stdout
    assert out == fixture("shadow_state.mixed.debian12.txt")


def test_shadow_absent_offline_is_none() -> None:
    assert parse_files("shadow_state", {}) is None
    assert parse_files("passwd_file", {}) is None


def test_useradd_debian12_has_only_shell() -> None:
    out = parse_files("useradd_defaults",
                      {"/etc/default/useradd": fixture("default-useradd.debian12.txt")})
    assert out == {"SHELL": ("/bin/sh", "/etc/default/useradd:8")}


# ----------------------------------------------------------------- PAM


def test_pam_auth_debian12() -> None:
    stacks = parse_files("pam_auth", {
        "/etc/pam.d/common-auth": fixture("pam.d-common-auth.debian12.txt")})
    lines = stacks["/etc/pam.d/common-auth"]
    assert [ln.module for ln in lines] == ["pam_unix", "pam_deny", "pam_permit", "pam_cap"]


def test_faillock_conf_debian12_all_commented() -> None:
    conf = fixture("faillock.conf.debian12.txt")
    assert parse_files("faillock_conf", {"/etc/security/faillock.conf": conf}) == {}
    out = parse_files("faillock_conf", {"/etc/security/faillock.conf": conf + "deny = 5\nsilent\n"})
    assert out["deny"][0] == "5" and out["silent"][0] == ""


# ----------------------------------------------------------------- sudo


def test_sudoers_debian12_stock() -> None:
    sudoers = parse_files("sudoers_files", {
        "/etc/sudoers": fixture("sudoers.debian12.txt"),
        "/etc/sudoers.d/README": fixture("sudoers.d-README.debian12.txt"),
        "/etc/sudoers.d/local.conf": "alice ALL=(ALL) NOPASSWD: ALL\n",  # skipped: has a '.'
        "/etc/sudoers.d/old~": "bob ALL=(ALL) NOPASSWD: ALL\n",  # skipped: ends in '~'
    })
    assert sudoers.files_read == ("/etc/sudoers", "/etc/sudoers.d/README")
    assert sudoers.unread == ()
    grants = sudo_grants(sudoers, sudo_aliases(sudoers))
    assert [(g.users, g.nopasswd, g.command) for g in grants] == [
        (("root",), False, "ALL"), (("%sudo",), False, "ALL")]
    names = [(b, n, v) for b, n, v, _ in defaults_options(sudoers)]
    assert ("", "use_pty", "on") in names
    assert ("", "secure_path",
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") in names


def test_sudoers_relative_include_and_uid() -> None:
    sudoers = parse_files("sudoers_files", {
        "/etc/sudoers": "#include sudoers.d/extra\n#1001 ALL=(ALL) ALL # a comment\n",
        "/etc/sudoers.d/extra": "Defaults:%ops !syslog, log_output\n",
    })
    assert sudoers.files_read == ("/etc/sudoers", "/etc/sudoers.d/extra")
    assert [e.text for e in sudoers.entries][1] == "#1001 ALL=(ALL) ALL"
    assert [(b, n, v) for b, n, v, _ in defaults_options(sudoers)] == [
        (":%ops", "syslog", "!"), (":%ops", "log_output", "on")]


@pytest.mark.parametrize(("text", "sep", "parts"), [
    ("(root, operator) /bin/ls, /bin/cat", ",", ["(root, operator) /bin/ls", "/bin/cat"]),
    ('env_keep += "A B, C", use_pty', ",", ['env_keep += "A B, C"', "use_pty"]),
    ("ALL = (ALL:ALL) ALL : web1 = /bin/true", ":", ["ALL = (ALL:ALL) ALL", "web1 = /bin/true"]),
])
def test_split_top(text: str, sep: str, parts: list[str]) -> None:
    assert split_top(text, sep) == parts


def test_sudo_installed_output() -> None:
    out = parse_text("sudo_installed", "sudoers readable\nSudo version 1.9.13p3\n")
    assert out == {"sudoers": "readable", "version": "1.9.13p3"}


# ----------------------------------------------------------------- files, MAC, shell


def test_stat_debian12() -> None:
    metas = parse_text("sensitive_file_modes", fixture("sensitive_file_modes.debian12.txt"))
    assert metas["/etc/shadow"] == FileMeta("/etc/shadow", 0o640, "root", "shadow")
    assert "/etc/sudoers" not in metas


def test_world_writable_bad_debian12() -> None:
    paths, more = parse_text("world_writable",
                             fixture("world_writable.bad.debian12.txt"))
    assert paths == ["/etc/passwd", "/usr/local/bin/backup.sh", "/usr/local/bin/drop/"]
    assert more is False


def test_mac_status_none_debian12() -> None:
    st = parse_text("mac_status", fixture("mac_status.none.debian12.txt"))
    assert st["apparmor_enabled"] is None and st["selinux_enforce"] is None


def test_mac_status_apparmor_profiles() -> None:
    st = parse_text("mac_status", "apparmor.enabled Y\napparmor.profile /usr/bin/man (enforce)\n"
                    "apparmor.profile nvidia_modprobe//kmod (complain)\nend\n")
    assert st["profiles"] == {"/usr/bin/man": "enforce", "nvidia_modprobe//kmod": "complain"}


def test_apparmor_profile_files_debian12() -> None:
    lsb = fixture("apparmor.d-lsb_release.debian12.txt")
    out = parse_files("apparmor_profile_files", {
        "/etc/apparmor.d/lsb_release": lsb,
        "/etc/apparmor.d/local/README": "# site-specific additions\n",
        "/etc/apparmor.d/usr.sbin.x": "/usr/sbin/x flags=(complain) {\n}\n",
    })
    assert out.profiles == ("lsb_release", "usr.sbin.x")
    assert out.complain == ("usr.sbin.x",)


def test_shell_profiles_debian12_have_no_tmout() -> None:
    events = parse_files("shell_profiles", {
        "/etc/profile": fixture("profile.debian12.txt"),
        "/etc/bash.bashrc": fixture("bash.bashrc.debian12.txt")})
    assert events == []


@pytest.mark.parametrize(("text", "expected"), [
    ("TMOUT=900\nreadonly TMOUT\nexport TMOUT\n", ("900", True)),
    ("readonly TMOUT=600; export TMOUT\n", ("600", True)),
    ("declare -xr TMOUT=300\n", ("300", True)),
    ("typeset -r TMOUT=120\n", ("120", True)),
    ("export TMOUT=900\n", ("900", False)),
    ('if [ "$UID" -ne 0 ]; then TMOUT=900; readonly TMOUT; fi\n', ("900", True)),
    ("# TMOUT=900\n", (None, False)),
    ("readonly TMOUT\nTMOUT=900\n", (None, True)),
])
def test_tmout_statements(text: str, expected: tuple[str | None, bool]) -> None:
    value, readonly, _ = effective_tmout(parse_tmout("/etc/profile.d/t.sh", text))
    assert (value, readonly) == expected


# ----------------------------------------------------------------- SSH hardening helpers


def test_sshd_t_hardened_and_weak() -> None:
    hard = parse_text("sshd_effective", fixture("sshd-T.hardened-port2222.debian12.txt"))
    weak = parse_text("sshd_effective", fixture("sshd-T.weak-port2200.debian12.txt"))
    assert hard["allowgroups"] == ["sshusers", "admins"]
    assert [_listen_port(v) for v in hard["listenaddress"]] == [2222, 2222]
    assert [_listen_port(v) for v in weak["listenaddress"]] == [22, 2200]
    assert weak["clientalivecountmax"] == ["0"]


@pytest.mark.parametrize(("value", "seconds"), [
    ("300", 300), ("5m", 300), ("1h30m", 5400), ("2W", 1209600), ("10S", 10)])
def test_sshd_time_format(value: str, seconds: int) -> None:
    assert sshd_seconds(value) == seconds


def test_channel_timeout() -> None:
    assert _channel_session_timeout("none") is None
    assert _channel_session_timeout("agent-connection=5m session=15m") == 900
    assert _channel_session_timeout("*=10m") == 600
    assert _channel_session_timeout("direct-tcpip=1m") is None


@pytest.mark.parametrize(("value", "result"), [
    ("+aes128-cbc", ["a", "b-sha1", "aes128-cbc"]),
    ("-*sha1", ["a"]),
    ("^c", ["c", "a", "b-sha1"]),
    ("x,y", ["x", "y"]),
])
def test_apply_modifier(value: str, result: list[str]) -> None:
    assert apply_modifier(value, "a,b-sha1") == result


# ----------------------------------------------------------------- garbage


GARBAGE_TEXT: list[tuple[str, str]] = [
    ("shadow_state", "root:$6$abc:19800\n"),
    ("shadow_state", "root:weird:1:2:3:4:5:6\n"),
    ("sudo_installed", "Sudo version 1.9.13p3\n"),
    ("sudo_installed", "sudoers readable\nusage: sudo -h\n"),
    ("sensitive_file_modes", "stat: unrecognized option: c\n"),
    ("sensitive_file_modes", ""),
    ("world_writable", "file /etc/x\n"),
    ("world_writable", "junk\nend\n"),
    ("mac_status", "apparmor.enabled Y\n"),
    ("mac_status", "apparmor.profile broken line\nend\n"),
    ("mac_status", "selinux.enforce 2\nend\n"),
]


@pytest.mark.parametrize(("probe", "text"), GARBAGE_TEXT,
                         ids=[f"{g[0]}:{i}" for i, g in enumerate(GARBAGE_TEXT)])
def test_garbage_output_raises(probe: str, text: str) -> None:
    with pytest.raises(ValueError):
        parse_text(probe, text)


GARBAGE_FILES: list[tuple[str, dict[str, str]]] = [
    ("passwd_file", {"/etc/passwd": "<html><body>403</body></html>\n"}),
    ("passwd_file", {"/etc/passwd": "root:x:zero:0:root:/root:/bin/bash\n"}),
    ("shadow_state", {"/etc/shadow": "root:$6$x$y:notaday:0:99999:7:::\n"}),
    ("useradd_defaults", {"/etc/default/useradd": "this is not a setting\n"}),
    ("pam_auth", {"/etc/pam.d/common-auth": "auth [success=1 pam_unix.so\n"}),
    ("faillock_conf", {"/etc/security/faillock.conf": "deny five = 3\n"}),
    ("pwhistory_conf", {"/etc/security/pwhistory.conf": "remember 5 = x\n"}),
    ("sudoers_files", {"/etc/sudoers": "this line has no equals sign\n"}),
    ("selinux_config", {"/etc/selinux/config": "SELINUX enforcing\n"}),
    ("shell_profiles", {"/etc/profile": "\x00\x01ELF"}),
]


@pytest.mark.parametrize(("probe", "files"), GARBAGE_FILES,
                         ids=[f"{g[0]}:{i}" for i, g in enumerate(GARBAGE_FILES)])
def test_garbage_files_raise(probe: str, files: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        parse_files(probe, files)


def test_shadow_garbage_never_echoes_the_hash() -> None:
    with pytest.raises(ValueError) as info:
        parse_files("shadow_state", {"/etc/shadow": "root:$6$secret$hash\n"})
    assert "secret" not in str(info.value)
