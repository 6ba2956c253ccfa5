"""Two throwaway OpenSSH daemons on 127.0.0.1 (a target and a jump host) for the Ansible
inventory and ssh_config tests."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sshd as sshd_helper  # tests/sshd.py


@dataclass
class Daemon:
    handle: sshd_helper.SshdHandle
    port: int
    key_file: str
    known_hosts_line: str


def _require_sshd() -> None:
    if sshd_helper.sshd_available():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{sshd_helper.SSHD} is not installed (required in CI)")
    pytest.skip(f"{sshd_helper.SSHD} is not installed")


@pytest.fixture(scope="session")
def client_key(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    _require_sshd()
    return sshd_helper.make_client_key(tmp_path_factory.mktemp("ansible-client"))


def _daemon(tmp: pytest.TempPathFactory, key: tuple[str, str], name: str) -> Iterator[Daemon]:
    _require_sshd()
    port = sshd_helper.free_port()
    handle = sshd_helper.start_sshd(tmp.mktemp(name) / "sshd", [("127.0.0.1", port)], key[1])
    try:
        yield Daemon(handle, port, key[0], handle.host_key_line("127.0.0.1", port))
    finally:
        handle.stop()


@pytest.fixture(scope="session")
def target_sshd(tmp_path_factory: pytest.TempPathFactory,
                client_key: tuple[str, str]) -> Iterator[Daemon]:
    yield from _daemon(tmp_path_factory, client_key, "sshd-target")


@pytest.fixture(scope="session")
def jump_sshd(tmp_path_factory: pytest.TempPathFactory,
              client_key: tuple[str, str]) -> Iterator[Daemon]:
    yield from _daemon(tmp_path_factory, client_key, "sshd-jump")


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No developer's agent, ~/.ssh/config or known_hosts: only what a test writes counts."""

    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
