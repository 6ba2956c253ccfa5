"""Throwaway OpenSSH daemons for integration tests and benchmarks.

Each daemon gets its own directory: an ed25519 host key, an ``sshd_config``, a pid file, an
``authorized_keys`` file and a log.  It runs in the foreground (``-D -e``) as a child process
and is stopped with ``handle.stop()`` (or by using the handle as a context manager).  sshd
accepts at most 16 ``ListenAddress`` sockets, so start several daemons for more endpoints.

    key, pub = make_client_key(tmp)
    with start_sshd(tmp / "d1", [("127.0.0.1", free_port())], pub) as sshd:
        known_hosts.write_text(sshd.host_key_line("127.0.0.1", sshd.port))
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

SSHD = "/usr/sbin/sshd"
MAX_LISTEN = 16
PRIVSEP_DIR = "/run/sshd"


def sshd_available() -> bool:
    return os.path.isfile(SSHD) and os.access(SSHD, os.X_OK)


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that was free a moment ago (bind to port 0 and let the kernel pick)."""

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def closed_port(host: str = "127.0.0.1") -> int:
    """A port with nothing listening on it (same trick; nobody binds it afterwards)."""

    return free_port(host)


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    os.chmod(path, 0o600)


def make_key(path: str | os.PathLike[str], comment: str = "attt-test") -> str:
    """Write an ed25519 private key (OpenSSH format, 0600) to ``path``, ``path.pub`` too.

    Returns the public key line ``ssh-ed25519 AAAA... comment``.
    """

    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    target = Path(path)
    _write_private(target, private)
    line = f"{public.decode()} {comment}"
    Path(f"{target}.pub").write_text(line + "\n")
    return line


def make_client_key(workdir: str | os.PathLike[str], name: str = "id_ed25519") -> tuple[str, str]:
    """A client key pair in ``workdir``: (private key path, public key line)."""

    path = Path(workdir) / name
    return str(path), make_key(path, comment=f"attt-test-{name}")


def known_hosts_line(host: str, port: int, public_key: str) -> str:
    """A known_hosts line in OpenSSH form (``[host]:port`` unless port 22)."""

    name = host if port == 22 else f"[{host}]:{port}"
    keytype, blob = public_key.split()[:2]
    return f"{name} {keytype} {blob}\n"


@dataclass
class SshdHandle:
    workdir: Path
    listen: list[tuple[str, int]]
    host_key_pub: str  # "ssh-ed25519 AAAA..."
    process: subprocess.Popen[bytes]
    config: Path
    log_path: Path
    _log_file: object = field(default=None, repr=False)

    @property
    def port(self) -> int:
        """The port of the first listen address."""

        return self.listen[0][1]

    def host_key_line(self, host: str, port: int) -> str:
        return known_hosts_line(host, port, self.host_key_pub)

    def known_hosts_text(self) -> str:
        return "".join(self.host_key_line(h, p) for h, p in self.listen)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        close = getattr(self._log_file, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> SshdHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _listen_line(host: str, port: int) -> str:
    return f"ListenAddress [{host}]:{port}" if ":" in host else f"ListenAddress {host}:{port}"


def _wait_listening(handle: SshdHandle, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    pending = list(handle.listen)
    while pending:
        if not handle.alive():
            raise RuntimeError(f"sshd exited early:\n{handle.log_text()}")
        if time.monotonic() > deadline:
            handle.stop()
            raise RuntimeError(f"sshd not listening on {pending} after {timeout} s")
        host, port = pending[0]
        try:
            with socket.create_connection((host, port), timeout=0.5):
                pending.pop(0)
        except OSError:
            time.sleep(0.05)


def start_sshd(
    workdir: str | os.PathLike[str],
    listen: list[tuple[str, int]],
    authorized_key_pub: str,
    extra_config: str = "",
    *,
    log_level: str = "VERBOSE",
    ready_timeout: float = 10.0,
) -> SshdHandle:
    """Start a throwaway sshd on ``listen`` (at most 16 addresses) that accepts the given key.

    ``extra_config`` is appended to the generated config (sshd uses the first value it sees
    for most keywords, so ``extra_config`` can add options but not override generated ones
    except through ``Match`` blocks; pass e.g. ``ForceCommand ...``).
    """

    if not listen:
        raise ValueError("start_sshd needs at least one listen address")
    if len(listen) > MAX_LISTEN:
        raise ValueError(f"sshd accepts at most {MAX_LISTEN} ListenAddress lines")
    if not sshd_available():
        raise RuntimeError(f"{SSHD} is not installed")
    wd = Path(workdir).resolve()
    wd.mkdir(parents=True, exist_ok=True)
    os.makedirs(PRIVSEP_DIR, mode=0o755, exist_ok=True)  # privilege separation directory

    host_key = wd / "ssh_host_ed25519_key"
    host_pub = make_key(host_key, comment="attt-test-host")
    host_key_pub = " ".join(host_pub.split()[:2])
    authorized = wd / "authorized_keys"
    authorized.write_text(authorized_key_pub.strip() + "\n")
    os.chmod(authorized, 0o600)

    lines = [*(_listen_line(h, p) for h, p in listen)]
    lines += [
        f"HostKey {host_key}",
        f"PidFile {wd / 'sshd.pid'}",
        f"AuthorizedKeysFile {authorized}",
        "StrictModes no",
        "UsePAM no",
        "PermitRootLogin prohibit-password",
        f"LogLevel {log_level}",
        "MaxStartups 200:30:400",
        "MaxSessions 50",
        "UseDNS no",
        "PrintMotd no",
        "PrintLastLog no",
        "AllowTcpForwarding yes",
        "KbdInteractiveAuthentication no",
    ]
    if "PasswordAuthentication" not in extra_config:
        lines.append("PasswordAuthentication no")
    config = wd / "sshd_config"
    config.write_text("\n".join(lines) + "\n" + extra_config.strip() + "\n")

    log_path = wd / "sshd.log"
    log_file = open(log_path, "ab")  # noqa: SIM115 - closed by stop()
    process = subprocess.Popen(
        [SSHD, "-D", "-e", "-f", str(config)],
        stdin=subprocess.DEVNULL,
        stdout=log_file,
        stderr=log_file,
        start_new_session=True,
    )
    handle = SshdHandle(wd, list(listen), host_key_pub, process, config, log_path, log_file)
    try:
        _wait_listening(handle, ready_timeout)
    except BaseException:
        handle.stop()
        raise
    return handle


def ssh_keygen_fingerprint(public_key: str) -> str:
    """``SHA256:...`` of a public key line, via ssh-keygen if present (for cross-checks)."""

    keygen = shutil.which("ssh-keygen")
    if keygen is None:
        raise RuntimeError("ssh-keygen not installed")
    out = subprocess.run(
        [keygen, "-l", "-f", "-"],
        input=public_key.encode(),
        capture_output=True,
        check=True,
        timeout=10,
    ).stdout.decode()
    return out.split()[1]
