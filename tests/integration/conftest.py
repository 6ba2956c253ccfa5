"""Fixtures for tests that talk to real, throwaway OpenSSH daemons on 127.0.0.1 only."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sshd as sshd_helper  # tests/sshd.py, shared with the benchmarks

__all__ = ["SshdServer", "sshd_helper"]


def _require_sshd() -> None:
    if sshd_helper.sshd_available():
        return
    message = f"{sshd_helper.SSHD} is not installed"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (required in CI)")
    pytest.skip(message)


@dataclass
class SshdServer:
    handle: sshd_helper.SshdHandle
    address: str
    port: int
    key_file: str  # authorised client key
    known_hosts: str  # file holding exactly this daemon's host key

    @property
    def fingerprint(self) -> str:
        return sshd_helper.ssh_keygen_fingerprint(self.handle.host_key_pub)


@pytest.fixture(scope="session")
def client_key(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    _require_sshd()
    return sshd_helper.make_client_key(tmp_path_factory.mktemp("client"))


def _server(
    tmp_path_factory: pytest.TempPathFactory,
    client_key: tuple[str, str],
    name: str,
    extra_config: str = "",
) -> Iterator[SshdServer]:
    _require_sshd()
    wd = tmp_path_factory.mktemp(name)
    port = sshd_helper.free_port()
    handle = sshd_helper.start_sshd(wd / "sshd", [("127.0.0.1", port)], client_key[1], extra_config)
    known_hosts = wd / "known_hosts"
    known_hosts.write_text(handle.host_key_line("127.0.0.1", port))
    try:
        yield SshdServer(handle, "127.0.0.1", port, client_key[0], str(known_hosts))
    finally:
        handle.stop()


@pytest.fixture(scope="session")
def sshd_server(
    tmp_path_factory: pytest.TempPathFactory, client_key: tuple[str, str]
) -> Iterator[SshdServer]:
    """One daemon on 127.0.0.1:<free port> that accepts ``client_key``."""

    yield from _server(tmp_path_factory, client_key, "sshd-main")


@pytest.fixture(scope="session")
def dropping_sshd(
    tmp_path_factory: pytest.TempPathFactory, client_key: tuple[str, str]
) -> Iterator[SshdServer]:
    """A daemon that runs the collector but cuts the session after 3000 bytes of output by
    killing its own session process (the TCP connection drops, no exit status is sent).

    The pause before the kill lets sshd forward the 3000 bytes it already read from the pipe:
    without it, on a loaded machine the kill won the race and the client received nothing."""

    yield from _server(
        tmp_path_factory,
        client_key,
        "sshd-drop",
        "ForceCommand sh -s | head -c 3000; sleep 2; kill -9 $PPID",
    )


@pytest.fixture(autouse=True)
def _no_agent(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep a developer's ssh-agent out of the picture: only the keys a test names count."""

    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
