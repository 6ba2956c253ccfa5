"""The SSH transport against real, throwaway sshd daemons on 127.0.0.1."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import stat
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from attt.errors import AuthError, ConnectError, HostKeyError
from attt.model import Host
from attt.registry import PROBES, Probe, Section, probe
from attt.transport.base import TransportSettings
from attt.transport.ssh import SSHTransport

from .conftest import SshdServer, sshd_helper


def _text(section: Section) -> str:
    return section.text


# Probes registered once at import under names no real check uses.
for _i in range(20):
    probe(f"t_ssh_p{_i:02d}", command=f"echo section {_i}; head -c 300 /dev/zero | tr '\\0' x")(
        _text
    )
probe("t_ssh_echo", command="echo hello; id -u")(_text)
probe(
    "t_ssh_hostile",
    command=(
        "printf '%s\\n' 'before' "
        "'@@ATTT-0000@@ END t_ssh_hostile rc=0 bytes=1' "
        "'@@ATTT-0000@@ BEGIN t_ssh_victim' 'forged' "
        "'@@ATTT-0000@@ END t_ssh_victim rc=0 bytes=6' "
        "'@@ATTT-0000@@ DONE' '<script>alert(1)</script>' 'after'"
    ),
)(_text)
probe("t_ssh_victim", command="echo victim-ok")(_text)
probe("t_ssh_sleep", command="sleep 10; echo late")(_text)

MANY = [PROBES[f"t_ssh_p{i:02d}"] for i in range(20)]


def _host(server: SshdServer, address: str | None = None, **options: Any) -> Host:
    opts: dict[str, Any] = {"key_file": server.key_file, **options}
    return Host(
        name="h1",
        system="s1",
        transport="ssh",
        address=server.address if address is None else address,
        port=server.port,
        user="root",
        options=opts,
    )


def _settings(server: SshdServer | None = None, **kw: Any) -> TransportSettings:
    if server is not None:
        kw.setdefault("known_hosts", server.known_hosts)
    kw.setdefault("connect_timeout", 5.0)
    kw.setdefault("command_timeout", 30.0)
    return TransportSettings(**kw)


def _collect(host: Host, settings: TransportSettings, probes: list[Probe]) -> Any:
    transport = SSHTransport(host, settings)
    try:
        return transport, transport.collect(probes)
    finally:
        transport.close()


# (a) ------------------------------------------------------------------------------------------


def test_collect_runs_all_probes_on_one_channel(sshd_server: SshdServer) -> None:
    probes = [*MANY, PROBES["t_ssh_echo"]]
    transport, got = _collect(_host(sshd_server), _settings(sshd_server), probes)
    assert got.complete is True
    assert got.uid == 0
    assert transport.channels_opened == 1
    assert transport.forward_channels_opened == 0
    assert set(got.sections) == {p.name for p in probes}
    for i in range(20):
        sec = got.sections[f"t_ssh_p{i:02d}"]
        assert sec.state == "ok" and sec.exit_code == 0
        assert sec.text == f"section {i}\n" + "x" * 300
    assert got.sections["t_ssh_echo"].text.split() == ["hello", "0"]
    assert transport.recorded_key is None


# (b) ------------------------------------------------------------------------------------------


def test_unknown_host_key_is_refused(sshd_server: SshdServer, tmp_path: Path) -> None:
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    with pytest.raises(HostKeyError) as info:
        _collect(_host(sshd_server), _settings(known_hosts=str(empty)), [PROBES["t_ssh_echo"]])
    msg = str(info.value)
    assert "--accept-new-host-keys" in msg
    assert f"root@127.0.0.1:{sshd_server.port}" in msg
    assert sshd_server.fingerprint in msg
    assert empty.read_text() == ""  # nothing recorded without the flag


# (c) ------------------------------------------------------------------------------------------


def test_accept_new_records_key_then_plain_connection_works(
    sshd_server: SshdServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    kh = tmp_path / "sub" / "known_hosts"  # neither the file nor its directory exists yet
    settings = _settings(known_hosts=str(kh), accept_new_host_keys=True)
    with caplog.at_level(logging.WARNING, logger="attt.transport.ssh"):
        transport, got = _collect(_host(sshd_server), settings, [PROBES["t_ssh_echo"]])
    assert got.complete
    fp = sshd_server.fingerprint
    assert transport.recorded_key == f"ssh-ed25519 {fp}"
    assert stat.S_IMODE(kh.stat().st_mode) == 0o600
    key_type, blob = sshd_server.handle.host_key_pub.split()
    assert kh.read_text() == f"[127.0.0.1]:{sshd_server.port} {key_type} {blob}\n"
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(fp in w and f"127.0.0.1:{sshd_server.port}" in w for w in warnings), warnings

    transport2, got2 = _collect(
        _host(sshd_server), _settings(known_hosts=str(kh)), [PROBES["t_ssh_echo"]]
    )
    assert got2.complete and transport2.recorded_key is None
    assert kh.read_text().count("\n") == 1  # not recorded twice


# (d) ------------------------------------------------------------------------------------------


def test_changed_host_key_is_refused_even_with_accept_new(
    sshd_server: SshdServer, tmp_path: Path
) -> None:
    other = sshd_helper.make_key(tmp_path / "other_host_key")
    kh = tmp_path / "known_hosts"
    kh.write_text(sshd_helper.known_hosts_line("127.0.0.1", sshd_server.port, other))
    before = kh.read_text()
    settings = _settings(known_hosts=str(kh), accept_new_host_keys=True)
    with pytest.raises(HostKeyError) as info:
        _collect(_host(sshd_server), settings, [PROBES["t_ssh_echo"]])
    msg = str(info.value)
    assert "CHANGED" in msg
    assert f"127.0.0.1:{sshd_server.port}" in msg
    assert sshd_helper.ssh_keygen_fingerprint(other) in msg  # expected
    assert sshd_server.fingerprint in msg  # presented
    assert str(kh) in msg
    assert kh.read_text() == before


# (e) ------------------------------------------------------------------------------------------


def test_closed_port_is_a_quick_connect_error(sshd_server: SshdServer) -> None:
    port = sshd_helper.closed_port()
    host = Host("h1", "s1", "ssh", "127.0.0.1", port, "root", options={})
    start = time.monotonic()
    with pytest.raises(ConnectError) as info:
        _collect(host, _settings(known_hosts=sshd_server.known_hosts), [PROBES["t_ssh_echo"]])
    assert time.monotonic() - start < 3
    assert f"root@127.0.0.1:{port}" in str(info.value)
    assert "refused" in str(info.value)


def test_silent_server_is_a_connect_error_after_the_timeout(sshd_server: SshdServer) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)  # accepts TCP, never sends an SSH banner
        port = silent.getsockname()[1]
        host = Host("h1", "s1", "ssh", "127.0.0.1", port, "root", options={})
        start = time.monotonic()
        with pytest.raises(ConnectError) as info:
            _collect(host, _settings(sshd_server, connect_timeout=1.0), MANY[:1])
        elapsed = time.monotonic() - start
    assert 0.9 <= elapsed < 5
    assert f"root@127.0.0.1:{port}" in str(info.value)


# (f) ------------------------------------------------------------------------------------------


def test_wrong_key_is_an_auth_error(sshd_server: SshdServer, tmp_path: Path) -> None:
    wrong, _ = sshd_helper.make_client_key(tmp_path, "wrong")
    with pytest.raises(AuthError) as info:
        _collect(_host(sshd_server, key_file=wrong), _settings(sshd_server), [PROBES["t_ssh_echo"]])
    assert f"root@127.0.0.1:{sshd_server.port}" in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_key_file_and_password_env_are_auth_errors(
    sshd_server: SshdServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(AuthError, match="not found"):
        _collect(
            _host(sshd_server, key_file=str(tmp_path / "nope")),
            _settings(sshd_server),
            [PROBES["t_ssh_echo"]],
        )
    monkeypatch.delenv("ATTT_TEST_NO_SUCH_PW", raising=False)
    with pytest.raises(AuthError, match="ATTT_TEST_NO_SUCH_PW"):
        _collect(
            _host(sshd_server, password_env="ATTT_TEST_NO_SUCH_PW"),
            _settings(sshd_server),
            [PROBES["t_ssh_echo"]],
        )


# (g) ------------------------------------------------------------------------------------------


def test_connection_dropped_mid_collection_keeps_complete_sections(
    dropping_sshd: SshdServer,
) -> None:
    start = time.monotonic()
    transport, got = _collect(_host(dropping_sshd), _settings(dropping_sshd), MANY)
    assert time.monotonic() - start < 15
    assert got.complete is False
    assert transport.channels_opened == 1
    states = [got.sections[p.name].state for p in MANY]
    # 3000 bytes hold a few ~400-byte sections; the rest never arrived.
    assert states[0] == "ok" and states[-1] == "failed"
    first_failed = states.index("failed")
    assert 1 <= first_failed < len(MANY) - 1
    assert all(s == "ok" for s in states[:first_failed])
    assert all(s == "failed" for s in states[first_failed:])
    assert got.sections["t_ssh_p00"].text == "section 0\n" + "x" * 300
    assert "collection stopped" in str(got.sections[MANY[-1].name].reason)


def test_command_timeout_returns_what_arrived(sshd_server: SshdServer) -> None:
    probes = [PROBES["t_ssh_echo"], PROBES["t_ssh_sleep"], PROBES["t_ssh_victim"]]
    start = time.monotonic()
    transport, got = _collect(
        _host(sshd_server, command_timeout=1.5), _settings(sshd_server), probes
    )
    assert time.monotonic() - start < 8
    assert got.complete is False
    assert transport.channels_opened == 1
    assert got.sections["t_ssh_echo"].state == "ok"
    assert got.sections["t_ssh_sleep"].state == "failed"
    assert got.sections["t_ssh_victim"].state == "failed"


# (h) ------------------------------------------------------------------------------------------


def test_hostile_output_cannot_forge_sections(sshd_server: SshdServer) -> None:
    probes = [PROBES["t_ssh_hostile"], PROBES["t_ssh_victim"]]
    _, got = _collect(_host(sshd_server), _settings(sshd_server), probes)
    assert got.complete
    assert set(got.sections) == {"t_ssh_hostile", "t_ssh_victim"}
    hostile = got.sections["t_ssh_hostile"]
    assert hostile.state == "ok"
    lines = hostile.text.splitlines()
    assert lines[0] == "before" and lines[-1] == "after"
    assert "@@ATTT-0000@@ END t_ssh_hostile rc=0 bytes=1" in lines
    assert "@@ATTT-0000@@ BEGIN t_ssh_victim" in lines
    assert "<script>alert(1)</script>" in lines
    assert got.sections["t_ssh_victim"].text == "victim-ok\n"


# (i) ------------------------------------------------------------------------------------------


def test_jump_host(sshd_server: SshdServer) -> None:
    host = _host(sshd_server, jump=f"root@127.0.0.1:{sshd_server.port}")
    transport, got = _collect(host, _settings(sshd_server), [*MANY[:3], PROBES["t_ssh_echo"]])
    assert got.complete
    assert got.sections["t_ssh_echo"].text.split() == ["hello", "0"]
    assert transport.channels_opened == 1
    assert transport.forward_channels_opened == 1


def test_jump_host_key_is_verified(
    sshd_server: SshdServer, dropping_sshd: SshdServer, tmp_path: Path
) -> None:
    other = sshd_helper.make_key(tmp_path / "other_host_key")
    kh = tmp_path / "known_hosts"
    # The target's key is right; the jump host's recorded key is not.
    kh.write_text(
        dropping_sshd.handle.host_key_line("127.0.0.1", dropping_sshd.port)
        + sshd_helper.known_hosts_line("127.0.0.1", sshd_server.port, other)
    )
    host = _host(dropping_sshd, jump=f"127.0.0.1:{sshd_server.port}")
    with pytest.raises(HostKeyError) as info:
        _collect(host, _settings(known_hosts=str(kh), accept_new_host_keys=True), MANY[:1])
    assert f"root@127.0.0.1:{sshd_server.port}" in str(info.value)
    assert "CHANGED" in str(info.value)


def test_jump_to_unreachable_target_is_connect_error(sshd_server: SshdServer) -> None:
    port = sshd_helper.closed_port()
    host = Host(
        "h1",
        "s1",
        "ssh",
        "127.0.0.1",
        port,
        "root",
        options={"key_file": sshd_server.key_file, "jump": f"127.0.0.1:{sshd_server.port}"},
    )
    with pytest.raises(ConnectError) as info:
        _collect(host, _settings(sshd_server), MANY[:1])
    msg = str(info.value)
    assert f"root@127.0.0.1:{port}" in msg and "through jump host" in msg


# (j) ------------------------------------------------------------------------------------------

TEST_USER = "attt-sshtest"


@pytest.fixture()
def password_user() -> Iterator[tuple[str, str]]:
    if os.geteuid() != 0 or not shutil.which("useradd") or not shutil.which("chpasswd"):
        pytest.skip("needs root and useradd/chpasswd")
    password = "Pw-" + os.urandom(12).hex()
    subprocess.run(["userdel", "-r", TEST_USER], capture_output=True, check=False, timeout=30)
    subprocess.run(
        ["useradd", "-m", "-s", "/bin/sh", TEST_USER], check=True, capture_output=True, timeout=30
    )
    try:
        subprocess.run(
            ["chpasswd"],
            input=f"{TEST_USER}:{password}\n".encode(),
            check=True,
            capture_output=True,
            timeout=30,
        )
        yield TEST_USER, password
    finally:
        subprocess.run(["userdel", "-r", TEST_USER], capture_output=True, check=False, timeout=30)


def test_password_env_auth(
    password_user: tuple[str, str],
    tmp_path: Path,
    client_key: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user, password = password_user
    port = sshd_helper.free_port()
    handle = sshd_helper.start_sshd(
        tmp_path / "pw", [("127.0.0.1", port)], client_key[1], "PasswordAuthentication yes"
    )
    try:
        kh = tmp_path / "known_hosts"
        kh.write_text(handle.host_key_line("127.0.0.1", port))
        host = Host(
            "h1", "s1", "ssh", "127.0.0.1", port, user, options={"password_env": "ATTT_TEST_PW"}
        )
        monkeypatch.setenv("ATTT_TEST_PW", password)
        _, got = _collect(host, _settings(known_hosts=str(kh)), [PROBES["t_ssh_echo"]])
        assert got.complete
        uid = int(got.sections["t_ssh_echo"].text.split()[1])
        assert uid == got.uid and uid != 0

        monkeypatch.setenv("ATTT_TEST_PW", password + "-wrong")
        with pytest.raises(AuthError) as info:
            _collect(host, _settings(known_hosts=str(kh)), [PROBES["t_ssh_echo"]])
        assert f"{user}@127.0.0.1:{port}" in str(info.value)
        assert password not in str(info.value)
    finally:
        handle.stop()


# sudo ------------------------------------------------------------------------------------------
# sudo is not necessarily installed; a fake one on the session PATH (sshd SetEnv) speaks the
# same protocol: -n fails when a password is needed, -S -p PROMPT prompts on stderr and reads
# one line from stdin.

FAKE_SUDO = r"""#!/bin/sh
mode=$(cat "$(dirname "$0")/mode")
nonint=""; prompt="Password:"
while [ $# -gt 0 ]; do
  case "$1" in
    -n) nonint=1; shift;;
    -S) shift;;
    -k) shift;;
    -p) prompt="$2"; shift 2;;
    *) break;;
  esac
done
if [ "$mode" != nopasswd ]; then
  if [ -n "$nonint" ]; then echo "sudo: a password is required" >&2; exit 1; fi
  tries=0
  while :; do
    printf '%s' "$prompt" >&2
    IFS= read -r pw || exit 1
    [ "$pw" = "$mode" ] && break
    echo "Sorry, try again." >&2
    tries=$((tries+1)); [ $tries -ge 3 ] && exit 1
  done
fi
echo "$*" >> "$(dirname "$0")/ran"
exec "$@"
"""


@pytest.fixture(scope="module")
def sudo_sshd(
    tmp_path_factory: pytest.TempPathFactory, client_key: tuple[str, str]
) -> Iterator[tuple[SshdServer, Path]]:
    wd = tmp_path_factory.mktemp("sshd-sudo")
    bindir = wd / "bin"
    bindir.mkdir()
    fake = bindir / "sudo"
    fake.write_text(FAKE_SUDO)
    fake.chmod(0o755)
    port = sshd_helper.free_port()
    handle = sshd_helper.start_sshd(
        wd / "sshd",
        [("127.0.0.1", port)],
        client_key[1],
        f"SetEnv PATH={bindir}:/usr/local/bin:/usr/bin:/bin",
    )
    kh = wd / "known_hosts"
    kh.write_text(handle.host_key_line("127.0.0.1", port))
    try:
        yield SshdServer(handle, "127.0.0.1", port, client_key[0], str(kh)), bindir
    finally:
        handle.stop()


def _sudo_host(server: SshdServer, **options: Any) -> Host:
    return _host(server, sudo=True, **options)


def test_sudo_with_password(
    sudo_sshd: tuple[SshdServer, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, bindir = sudo_sshd
    (bindir / "mode").write_text("s3cret")
    monkeypatch.setenv("ATTT_TEST_SUDO_PW", "s3cret")
    host = _sudo_host(server, sudo_password_env="ATTT_TEST_SUDO_PW")
    transport, got = _collect(host, _settings(server), [*MANY[:3], PROBES["t_ssh_echo"]])
    assert got.complete and got.sections["t_ssh_echo"].text.split() == ["hello", "0"]
    assert transport.channels_opened == 1
    assert (bindir / "ran").read_text().splitlines()[-1].startswith("sh -c echo attt-ready-")


def test_sudo_wrong_password_is_auth_error(
    sudo_sshd: tuple[SshdServer, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, bindir = sudo_sshd
    (bindir / "mode").write_text("s3cret")
    monkeypatch.setenv("ATTT_TEST_SUDO_PW", "wrong")
    host = _sudo_host(server, sudo_password_env="ATTT_TEST_SUDO_PW")
    with pytest.raises(AuthError, match="sudo password rejected"):
        _collect(host, _settings(server), [PROBES["t_ssh_echo"]])


def test_sudo_nopasswd_never_feeds_the_password_to_the_shell(
    sudo_sshd: tuple[SshdServer, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, bindir = sudo_sshd
    (bindir / "mode").write_text("nopasswd")
    marker = bindir / "password-ran"
    # Were the password line given to sh, it would run and create the marker file.
    monkeypatch.setenv("ATTT_TEST_SUDO_PW", f"touch {marker}")
    host = _sudo_host(server, sudo_password_env="ATTT_TEST_SUDO_PW")
    _, got = _collect(host, _settings(server), [PROBES["t_ssh_echo"]])
    assert got.complete
    assert not marker.exists()


def test_sudo_n_needing_a_password_is_auth_error(sudo_sshd: tuple[SshdServer, Path]) -> None:
    server, bindir = sudo_sshd
    (bindir / "mode").write_text("s3cret")
    with pytest.raises(AuthError, match="a password is required"):
        _collect(_sudo_host(server), _settings(server), [PROBES["t_ssh_echo"]])


def test_settings_sudo_overrides_host(sudo_sshd: tuple[SshdServer, Path]) -> None:
    server, bindir = sudo_sshd
    (bindir / "mode").write_text("s3cret")
    # The host asks for sudo, the run says no: plain sh -s, so no sudo error.
    _, got = _collect(_sudo_host(server), _settings(server, sudo=False), [PROBES["t_ssh_echo"]])
    assert got.complete


# (k) ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    ["-oProxyCommand=x", "a b", "127.0.0.1;id", "$(id)", "host\n", "a..b", "", "x" * 300],
)
def test_invalid_address_is_refused_before_connecting(
    address: str, sshd_server: SshdServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_connect(*args: object, **kwargs: object) -> socket.socket:
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(socket, "create_connection", no_connect)
    with pytest.raises(ConnectError, match="invalid address"):
        _collect(_host(sshd_server, address=address), _settings(sshd_server), MANY[:1])


@pytest.mark.parametrize("jump", ["-oProxyCommand=x", "root@a b:22", "h;id", "h:port"])
def test_invalid_jump_is_refused_before_connecting(
    jump: str, sshd_server: SshdServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_connect(*args: object, **kwargs: object) -> socket.socket:
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(socket, "create_connection", no_connect)
    with pytest.raises(ConnectError, match="invalid"):
        _collect(_host(sshd_server, jump=jump), _settings(sshd_server), MANY[:1])
