"""Fixtures of the distributed tests: a real RabbitMQ on 127.0.0.1, real ``attt worker``
processes, real sshd hosts on 127.0.1.x / 127.0.2.x.  Every process is ended by its PID."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import sshd as sshd_helper  # noqa: E402 - tests/sshd.py

from attt.signing import generate_keys  # noqa: E402

from . import rabbit as rabbit_helper  # noqa: E402

PROFILE = """
id: test-dist-2
regime: nd85-tt12
level: 2
title_vi: Hồ sơ kiểm thử phân tán
requirements:
  - id: T.SSH.1
    title_vi: Cấm đăng nhập root qua SSH
    title_en: No root SSH login
    group: server
    layer: 1
    severity: high
    checks: [{id: ssh.root_login_disabled}]
  - id: T.SSH.2
    title_vi: Không xác thực SSH bằng mật khẩu
    group: server
    layer: 1
    severity: medium
    checks: [{id: ssh.password_auth_disabled}]
"""


def _require(ok: bool, what: str) -> None:
    if ok:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what} is required in CI")
    pytest.skip(f"{what} is not installed")


@pytest.fixture(scope="session")
def rabbit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[rabbit_helper.Rabbit]:
    _require(rabbit_helper.rabbit_available(), "rabbitmq-server")
    broker = rabbit_helper.start_rabbit(tmp_path_factory.mktemp("rabbit"))
    try:
        yield broker
    finally:
        broker.stop()


@dataclass
class Fleet:
    """sshd hosts: zone a on 127.0.1.x, zone b on 127.0.2.x, zone slow on 127.0.3.x (each
    session sleeps first, so a unit is reliably in flight for a while)."""

    folder: Path
    client_key: str
    known_hosts: Path
    port: int
    daemons: list[sshd_helper.SshdHandle] = field(default_factory=list)


@pytest.fixture(scope="session")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    _require(sshd_helper.sshd_available(), "sshd")
    folder = tmp_path_factory.mktemp("fleet")
    key, pub = sshd_helper.make_client_key(folder)
    port = sshd_helper.free_port()
    f = Fleet(folder, key, folder / "known_hosts", port)
    try:
        f.daemons.append(sshd_helper.start_sshd(
            folder / "fast", [(f"127.0.{z}.{i}", port) for z in (1, 2) for i in (1, 2, 3)],
            pub, log_level="ERROR"))
        f.daemons.append(sshd_helper.start_sshd(
            folder / "slow", [(f"127.0.3.{i}", port) for i in (1, 2, 3, 4)], pub,
            'ForceCommand sleep 3; eval "$SSH_ORIGINAL_COMMAND"', log_level="ERROR"))
        f.known_hosts.write_text("".join(d.known_hosts_text() for d in f.daemons))
        yield f
    finally:
        for d in f.daemons:
            d.stop()


@dataclass
class WorkerKeys:
    folder: Path

    def pair(self, name: str) -> tuple[Path, Path]:
        priv, pub = self.folder / f"{name}.key", self.folder / f"{name}.pub"
        if not priv.exists():
            generate_keys(str(self.folder), None, name=name)
        return priv, pub


@pytest.fixture(scope="session")
def worker_keys(tmp_path_factory: pytest.TempPathFactory) -> WorkerKeys:
    return WorkerKeys(tmp_path_factory.mktemp("worker-keys"))


def write_inventory(tmp: Path, fleet: Fleet, zones: dict[str, list[str]],
                    hosts: dict[str, list[str]], extra_hosts: str = "") -> Path:
    """zones: zone -> public key paths of its workers (id = file stem); hosts: zone ->
    addresses."""

    lines = [f"known_hosts: {fleet.known_hosts}", "defaults:", "  transport: ssh",
             "  user: root",
             f"  options: {{key_file: {fleet.client_key}, connect_timeout: 10, "
             "command_timeout: 60}",
             "systems:", "  - name: lab", "    level: 2", "    zones:"]
    for zone, keys in zones.items():
        lines.append(f"      - name: {zone}")
        lines.append("        role: internal_server")
        if keys:
            lines.append("        workers:")
            lines += [f"          - {{id: {Path(k).stem}, public_key: {k}}}" for k in keys]
    lines.append("    hosts:")
    for zone, addresses in hosts.items():
        lines += [f"      - {{name: {zone}-{a.replace('.', '-')}, address: {a}, "
                  f"port: {fleet.port}, zone: {zone}}}" for a in addresses]
    inv = tmp / "inventory.yaml"
    inv.write_text("\n".join(lines) + "\n" + extra_hosts)
    (tmp / "profile.yaml").write_text(PROFILE)
    return inv


@dataclass
class WorkerProc:
    zone: str
    worker_id: str
    proc: subprocess.Popen[bytes]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def children(self) -> list[int]:
        try:
            text = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        except OSError:
            return []
        return [int(p) for p in text.split()]

    def wait_log(self, needle: str, timeout: float = 60, count: int = 1) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log_text()
            if text.count(needle) >= count:
                return text
            if self.proc.poll() is not None:
                raise AssertionError(f"worker exited {self.proc.returncode}:\n{text[-4000:]}")
            time.sleep(0.1)
        raise AssertionError(f"no {needle!r} x{count} in the worker log after {timeout} s:\n"
                             f"{self.log_text()[-4000:]}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        kids = self.children()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        for pid in kids:  # prefork children left behind by a killed parent
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


class Workers:
    """Starts ``attt worker`` processes; stops every one it started, by PID."""

    def __init__(self, rabbit: rabbit_helper.Rabbit, keys: WorkerKeys, folder: Path) -> None:
        self.rabbit = rabbit
        self.keys = keys
        self.folder = folder
        self.started: list[WorkerProc] = []

    def user(self, zone: str) -> tuple[str, str]:
        return self.rabbit.zone_user(zone)

    def start(self, zone: str, worker_id: str, *, pool: str = "threads", concurrency: int = 2,
              netns: str = "", url: str = "", extra: tuple[str, ...] = (),
              env: dict[str, str] | None = None, wait: bool = True) -> WorkerProc:
        user, password = self.user(zone)
        key, _ = self.keys.pair(worker_id)
        log = self.folder / f"{worker_id}-{len(self.started)}.log"
        cmd = [sys.executable, "-m", "attt", "worker", "--zone", zone, "--key", str(key),
               "--id", worker_id, "-w", str(concurrency), "--pool", pool, *extra]
        if netns:
            cmd = ["ip", "netns", "exec", netns, *cmd]
        full_env = {**os.environ, "ATTT_BROKER_URL": url or self.rabbit.url(user),
                    "ATTT_BROKER_PASSWORD": password, "ATTT_LANG": "en", **(env or {})}
        with open(log, "ab") as out:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=out,
                                    env=full_env, start_new_session=True)
        w = WorkerProc(zone, worker_id, proc, log)
        self.started.append(w)
        if wait:
            w.wait_log(" ready.", timeout=60)
        return w

    def stop_all(self) -> None:
        for w in reversed(self.started):
            w.stop(signal.SIGKILL)


@pytest.fixture()
def workers(rabbit: rabbit_helper.Rabbit, worker_keys: WorkerKeys,
            tmp_path: Path) -> Iterator[Workers]:
    w = Workers(rabbit, worker_keys, tmp_path)
    try:
        yield w
    finally:
        w.stop_all()


def attt(*args: str, env: dict[str, str] | None = None, timeout: float = 180,
         ) -> subprocess.CompletedProcess[str]:
    """``attt`` as its own process (no stdin)."""

    return subprocess.run([sys.executable, "-m", "attt", *args], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=timeout, check=False,
                          env={**os.environ, "ATTT_LANG": "en", **(env or {})})


def admin_env(rabbit: rabbit_helper.Rabbit, tls: bool = False) -> dict[str, str]:
    """The coordinator's environment: its own broker user, with the README's permissions."""

    user, password = rabbit.coordinator_user()
    return {"ATTT_BROKER_URL": rabbit.url(user, tls=tls), "ATTT_BROKER_PASSWORD": password}
