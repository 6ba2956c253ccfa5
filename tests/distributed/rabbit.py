"""A throwaway RabbitMQ (Debian's rabbitmq-server) for the distributed tests and the bench.

Everything listens on 127.0.0.1 only: AMQP, AMQPS (a CA and server certificate made here with
``cryptography``), the Erlang distribution port and our own epmd.  Mnesia, logs, cookie and
config live in a private folder.  Works as root with no stdin; every process is ended by its
PID in ``stop()``.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

RABBIT_BIN = Path("/usr/lib/rabbitmq/bin")
EPMD = "/usr/bin/epmd"
# Erlang schedulers (normal, dirty CPU, dirty I/O) sleep at once when out of work.
BUSY_WAIT_OFF = "+sbwt none +sbwtdcpu none +sbwtdio none"


def rabbit_available() -> bool:
    return (RABBIT_BIN / "rabbitmq-server").exists() and os.path.exists(EPMD)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.TraditionalOpenSSL,
                                       serialization.NoEncryption()))
    os.chmod(path, 0o600)


def make_ca(folder: Path, name: str = "attt test CA") -> tuple[Path, ec.EllipticCurvePrivateKey,
                                                             x509.Certificate]:
    """A self-signed CA (P-256), valid for a day."""

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(key, hashes.SHA256()))
    path = folder / f"{name.replace(' ', '-')}.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path, key, cert


def make_server_cert(folder: Path, ca_key: ec.EllipticCurvePrivateKey,
                     ca_cert: x509.Certificate) -> tuple[Path, Path]:
    """A server certificate for localhost / 127.0.0.1 signed by the CA."""

    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    cert_path, key_path = folder / "server.pem", folder / "server.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    _write_key(key_path, key)
    return cert_path, key_path


def make_client_cert(folder: Path, ca_key: ec.EllipticCurvePrivateKey,
                     ca_cert: x509.Certificate, name: str) -> tuple[Path, Path]:
    """A client certificate (TLS client authentication) named ``name``, signed by the CA."""

    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
            .issuer_name(ca_cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    folder.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = folder / f"{name}.pem", folder / f"{name}.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    _write_key(key_path, key)
    return cert_path, key_path


@dataclass
class Rabbit:
    folder: Path
    node: str
    port: int
    tls_port: int
    ca_file: Path
    admin: str
    admin_password: str
    env: dict[str, str]
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    users: dict[str, tuple[str, str]] = field(default_factory=dict)
    dist_port: int = 0
    epmd_port: int = 0
    # The CA's key and certificate: the tests sign client certificates with them.
    ca_key: ec.EllipticCurvePrivateKey | None = None
    ca_cert: x509.Certificate | None = None

    @property
    def ports(self) -> tuple[int, int, int, int]:
        return self.port, self.tls_port, self.dist_port, self.epmd_port

    def url(self, user: str = "", tls: bool = False) -> str:
        user = user or self.admin
        if tls:
            return f"amqps://{user}@localhost:{self.tls_port}/"
        return f"amqp://{user}@127.0.0.1:{self.port}/"

    def ctl(self, *args: str, timeout: float = 60) -> str:
        proc = subprocess.run([str(RABBIT_BIN / "rabbitmqctl"), "-n", self.node, *args],
                              env=self.env, stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, timeout=timeout, check=False)
        if proc.returncode != 0:
            raise RuntimeError(f"rabbitmqctl {' '.join(args)}: {proc.stdout}{proc.stderr}")
        return proc.stdout

    def zone_user(self, zone: str) -> tuple[str, str]:
        """A broker user limited to its zone's queue (and publishing results): the exact
        permissions the README documents."""

        if zone in self.users:
            return self.users[zone]
        user, password = f"zone-{zone}", secrets.token_hex(12)
        self.ctl("add_user", user, password)
        self.users[zone] = (user, password)
        q = zone.replace(".", r"\.")
        self.ctl("set_permissions", "-p", "/", user,
                 f"^zone\\.{q}$", f"^(zone\\.{q}|amq\\.default)$", f"^zone\\.{q}$")
        return user, password

    def coordinator_user(self) -> tuple[str, str]:
        """The coordinator's broker user with the README's permissions: declare and publish
        to zone queues, own the results queues (binding a queue needs read on its
        exchange)."""

        if "*coordinator" not in self.users:
            password = secrets.token_hex(12)
            self.ctl("add_user", "attt-coordinator", password)
            self.ctl("set_permissions", "-p", "/", "attt-coordinator",
                     r"^(zone\..*|results\..*)$", r"^(zone\..*|results\..*|amq\.default)$",
                     r"^(zone\..*|results\..*)$")
            self.users["*coordinator"] = ("attt-coordinator", password)
        return self.users["*coordinator"]

    def log_text(self) -> str:
        try:
            return (self.folder / "server.log").read_text(errors="replace")
        except OSError:
            return ""

    def beam_pid(self) -> int | None:
        try:
            return int((self.folder / "rabbit.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def stop(self) -> None:
        beam = self.beam_pid()
        if beam is not None:
            try:
                os.kill(beam, signal.SIGTERM)
            except ProcessLookupError:
                beam = None
        for _ in range(150):  # 15 s at most for a clean stop
            if beam is None or not _alive(beam):
                break
            time.sleep(0.1)
        if beam is not None and _alive(beam):
            os.kill(beam, signal.SIGKILL)
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=10)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except OSError:
        return False


def start_rabbit(folder: Path, ready_timeout: float = 90,
                 ports: tuple[int, int, int, int] | None = None,
                 busy_wait: bool = False, client_certs: bool = False) -> Rabbit:
    """Start a broker in ``folder``; with the ``ports`` of a stopped one (amqp, amqps,
    distribution, epmd) in the same folder, start it again with its data (restart).
    ``busy_wait``: Erlang's default idle spinning of its schedulers (bench comparison);
    ``client_certs``: its TLS listener requires a client certificate signed by its CA."""

    folder.mkdir(parents=True, exist_ok=True)
    port, tls_port, dist_port, epmd_port = ports or (free_port(), free_port(), free_port(),
                                                     free_port())
    ca, ca_key, ca_cert = make_ca(folder)
    cert, key = make_server_cert(folder, ca_key, ca_cert)
    admin, password = "attt-admin", secrets.token_hex(16)
    node = f"attt{os.getpid()}x{secrets.token_hex(3)}@localhost"
    if ports is not None:
        # Same node, same data: the users made on the first start are still there.
        node, admin, password = (folder / "node").read_text().split()
    (folder / "node").write_text(f"{node} {admin} {password}")
    (folder / "rabbitmq.conf").write_text(f"""listeners.tcp.default = 127.0.0.1:{port}
listeners.ssl.default = 127.0.0.1:{tls_port}
ssl_options.cacertfile = {ca}
ssl_options.certfile = {cert}
ssl_options.keyfile = {key}
ssl_options.verify = {'verify_peer' if client_certs else 'verify_none'}
ssl_options.fail_if_no_peer_cert = {'true' if client_certs else 'false'}
loopback_users = none
default_user = {admin}
default_pass = {password}
log.file = {folder / 'server.log'}
log.console = false
""")
    (folder / "enabled_plugins").write_text("[].\n")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(folder),
        "LANG": "C.UTF-8",
        "RABBITMQ_BASE": str(folder),
        "RABBITMQ_MNESIA_BASE": str(folder / "mnesia"),
        "RABBITMQ_LOG_BASE": str(folder / "log"),
        "RABBITMQ_NODENAME": node,
        "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
        "RABBITMQ_NODE_PORT": str(port),
        "RABBITMQ_DIST_PORT": str(dist_port),
        "ERL_EPMD_ADDRESS": "127.0.0.1",
        "ERL_EPMD_PORT": str(epmd_port),
        "RABBITMQ_CONFIG_FILE": str(folder / "rabbitmq"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(folder / "enabled_plugins"),
        "RABBITMQ_PID_FILE": str(folder / "rabbit.pid"),
        "RABBITMQ_SERVER_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
        # The broker shares this machine's cores with the tests, workers and hosts: its
        # schedulers sleep when idle instead of spinning (the README's advice for a broker
        # that shares a machine).
        "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "" if busy_wait else BUSY_WAIT_OFF,
    }
    rabbit = Rabbit(folder, node, port, tls_port, ca, admin, password, env)
    rabbit.dist_port, rabbit.epmd_port = dist_port, epmd_port
    rabbit.ca_key, rabbit.ca_cert = ca_key, ca_cert
    seen = len(rabbit.log_text())  # a restart appends to the same log
    out = open(folder / "stdout.log", "ab")  # noqa: SIM115 - the child keeps it
    try:
        rabbit.procs.append(subprocess.Popen(
            [EPMD, "-port", str(epmd_port), "-address", "127.0.0.1"], env=env,
            stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True))
        rabbit.procs.append(subprocess.Popen(
            [str(RABBIT_BIN / "rabbitmq-server")], env=env, cwd=folder,
            stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True))
        deadline = time.monotonic() + ready_timeout
        while True:
            if rabbit.procs[1].poll() is not None:
                raise RuntimeError(f"rabbitmq-server exited: {rabbit.log_text()[-3000:]}")
            if "Server startup complete" in rabbit.log_text()[seen:]:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"rabbitmq not ready after {ready_timeout} s")
            time.sleep(0.2)
    except BaseException:
        rabbit.stop()
        raise
    finally:
        out.close()
    return rabbit
