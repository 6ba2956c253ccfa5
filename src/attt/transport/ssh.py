"""SSH transport (paramiko): one handshake and ONE exec channel per host per run.

The collector script goes to ``sh -s`` on stdin (never argv), stdout is read until EOF under a
deadline, stderr is drained so the channel never stalls.  Host keys are checked against
known_hosts (RejectPolicy by default); trust-on-first-use only with an explicit setting, which
records the key and logs it.  Every paramiko / socket exception is translated here into
``ConnectError``, ``AuthError`` or ``HostKeyError`` with a one-sentence message naming
``user@host:port``.
"""

from __future__ import annotations

import base64
import contextlib
import getpass
import logging
import os
import re
import secrets
import select
import shlex
import socket
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

import paramiko

from .. import safe_io
from ..collect import Collected
from ..errors import AuthError, ConnectError, HostKeyError, InputError, TransportError
from ..messages import Msg, T
from ..model import Host, JSONValue
from ..registry import Probe
from ..targets import valid_address
from ..windows.document import MAX_DOCUMENT_BYTES, collected_from_document, parse_document
from .base import LiveTransport, RawRun, TransportSettings

log = logging.getLogger(__name__)

SYSTEM_KNOWN_HOSTS = "/etc/ssh/ssh_known_hosts"
USER_KNOWN_HOSTS = "~/.ssh/known_hosts"

_USER = re.compile(r"^[A-Za-z0-9_.][A-Za-z0-9_.@-]{0,63}$")
_READ_CHUNK = 65536
_SEND_CHUNK = 32768
_STDERR_KEEP = 4096
# Serialises appends to a known_hosts file when many hosts are scanned in threads.
_KNOWN_HOSTS_LOCK = threading.Lock()
MAX_KNOWN_HOSTS_BYTES = 64 * 1024 * 1024
MAX_KEY_FILE_BYTES = 1024 * 1024
# ``shell: powershell`` (OpenSSH on Windows): the collector goes on stdin, like ``sh -s``.
POWERSHELL_COMMAND = "powershell.exe -NoProfile -NonInteractive -Command -"
SHELLS = ("sh", "powershell")


def powershell_stdin(script: bytes) -> bytes:
    """What ``powershell.exe -Command -`` reads: ONE line that decodes the whole collector
    and runs it as one script block, then a blank line.

    Reading a script on stdin, PowerShell runs it statement by statement as if typed: a
    multi-line statement runs only once a blank line ends it, an ``else`` on its own line
    is an error, a ``param()`` block is lost, and non-ASCII text is read in the console code
    page.  One base64 line avoids all four.  Stdout is switched to UTF-8 without a BOM first,
    so the document's bytes (and so its SHA-256 check) survive the console code page.
    """

    if script.startswith(b"\xef\xbb\xbf"):
        script = script[3:]
    encoded = base64.b64encode(script)
    return (b"[Console]::OutputEncoding = New-Object System.Text.UTF8Encoding $false; "
            b"& ([scriptblock]::Create([System.Text.Encoding]::UTF8.GetString("
            b"[System.Convert]::FromBase64String('" + encoded + b"'))))\r\n\r\n")


def windows_collector() -> bytes:
    """The text of ``attt/windows/collector.ps1`` as shipped with attt."""

    try:
        return resources.files("attt.windows").joinpath("collector.ps1").read_bytes()
    except OSError as exc:
        raise ConnectError(T("the Windows collector (attt/windows/collector.ps1) cannot be "
                             "read: {error}.", error=exc.strerror or str(exc))) from None


def validate_address(address: str) -> str:
    """Return ``address`` if it is an IP address or an RFC 1123 host name, else raise."""

    if not valid_address(address):
        raise ConnectError(T("invalid address '{address}': expected an IP address or host name.",
                             address=address))
    return address


def _validate_port(port: object, where: str | Msg) -> int:
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ConnectError(T("invalid port {port} for {where}: expected 1-65535.",
                             port=repr(port), where=where))
    return port


def _validate_user(user: str, where: str | Msg) -> str:
    if not _USER.fullmatch(user):
        raise ConnectError(T("invalid user name '{user}' for {where}.", user=user, where=where))
    return user


@dataclass(frozen=True)
class Endpoint:
    """Who and where to connect over SSH."""

    user: str
    address: str
    port: int

    @property
    def label(self) -> str:
        """``user@host:port`` for messages (IPv6 in brackets)."""

        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{self.user}@{host}:{self.port}"

    @property
    def known_hosts_name(self) -> str:
        """The name OpenSSH and paramiko use in known_hosts: ``[host]:port`` unless port 22."""

        return self.address if self.port == 22 else f"[{self.address}]:{self.port}"


def parse_jump(spec: str, default_user: str) -> Endpoint:
    """Parse a ProxyJump-style ``[user@]host[:port]`` (IPv6 as ``[addr]:port``)."""

    text = spec.strip()
    user = default_user
    if "@" in text:
        user, text = text.rsplit("@", 1)
    port = 22
    if text.startswith("["):
        close = text.find("]")
        if close < 0:
            raise ConnectError(T("invalid jump host '{spec}': unbalanced '['.", spec=spec))
        address, rest = text[1:close], text[close + 1 :]
        if rest:
            if not rest.startswith(":") or not rest[1:].isdigit():
                raise ConnectError(T("invalid jump host '{spec}': bad port.", spec=spec))
            port = int(rest[1:])
    elif text.count(":") == 1:
        address, _, port_text = text.partition(":")
        if not port_text.isdigit():
            raise ConnectError(T("invalid jump host '{spec}': bad port.", spec=spec))
        port = int(port_text)
    else:
        address = text
    validate_address(address)
    _validate_port(port, T("jump host '{spec}'", spec=spec))
    _validate_user(user, T("jump host '{spec}'", spec=spec))
    return Endpoint(user, address, port)


def key_fingerprint(key: paramiko.PKey) -> str:
    """``ssh-ed25519 SHA256:...`` as ``ssh-keygen -l`` shows it."""

    return f"{key.get_name()} {key.fingerprint}"


def _opt_str(options: Mapping[str, JSONValue], name: str) -> str | None:
    value = options.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ConnectError(T("host option '{name}' must be a string, got {value}.", name=name,
                             value=repr(value)))
    return value


def _opt_float(options: Mapping[str, JSONValue], name: str, default: float) -> float:
    value = options.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConnectError(T("host option '{name}' must be a positive number, got {value}.",
                             name=name, value=repr(value)))
    return float(value)


def _append_known_host(path: str, name: str, key: paramiko.PKey) -> None:
    line = f"{name} {key.get_name()} {key.get_base64()}\n"
    parent = os.path.dirname(path)
    with _KNOWN_HOSTS_LOCK:
        if parent and not os.path.isdir(parent):
            os.makedirs(parent, mode=0o700, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            size = os.fstat(fd).st_size
            if size:
                with open(path, "rb") as existing:
                    existing.seek(size - 1)
                    if existing.read(1) != b"\n":
                        line = "\n" + line
            os.write(fd, line.encode())
        finally:
            os.close(fd)


def _opener(channel: paramiko.Channel) -> Callable[[], paramiko.Channel]:
    """A socket opener that hands over a channel already open (the next hop's)."""

    return lambda: channel


class _HostKeyPolicy(paramiko.MissingHostKeyPolicy):
    """Unknown key: refuse, or (accept-new) record it and say so.  Changed keys never get here:
    paramiko raises ``BadHostKeyException`` for them, which is always refused."""

    def __init__(self, transport: SSHTransport, endpoint: Endpoint) -> None:
        self._transport = transport
        self._endpoint = endpoint

    def missing_host_key(
        self, client: paramiko.SSHClient, hostname: str, key: paramiko.PKey
    ) -> None:
        fp = key_fingerprint(key)
        settings = self._transport.settings
        strict = self._transport.strict_source
        if strict and settings.accept_new_host_keys:
            # ssh_config's StrictHostKeyChecking yes only ever tightens attt's rule.
            raise HostKeyError(
                T("unknown host key for {host} ({fingerprint}): refused (StrictHostKeyChecking "
                  "yes in {source} overrides --accept-new-host-keys; add the key to "
                  "known_hosts).", host=self._endpoint.label, fingerprint=fp, source=strict)
            )
        if not settings.accept_new_host_keys:
            raise HostKeyError(
                T("unknown host key for {host} ({fingerprint}): refused (use "
                  "--accept-new-host-keys to trust on first use, or add it to known_hosts).",
                  host=self._endpoint.label, fingerprint=fp)
            )
        path = self._transport.record_file
        try:
            _append_known_host(path, hostname, key)
        except OSError as exc:
            raise HostKeyError(
                T("cannot record the host key of {host} in {path}: {error}.",
                  host=self._endpoint.label, path=path, error=exc.strerror or str(exc))
            ) from exc
        log.warning(
            "trusting NEW host key of %s on first use: %s (recorded in %s)",
            self._endpoint.label,
            fp,
            path,
        )
        self._transport.recorded_keys.append(f"{self._endpoint.label} {fp}")
        if self._endpoint == self._transport.endpoint:
            self._transport.recorded_key = fp


class SSHTransport(LiveTransport):
    """A host over SSH (paramiko): host keys checked, one session per run."""

    def __init__(self, host: Host, settings: TransportSettings) -> None:
        super().__init__(host, settings)
        opts = host.options
        self.connect_timeout = _opt_float(opts, "connect_timeout", settings.connect_timeout)
        self.command_timeout = _opt_float(opts, "command_timeout", settings.command_timeout)
        self.key_file = _opt_str(opts, "key_file")
        self.password_env = _opt_str(opts, "password_env")
        self.sudo_password_env = _opt_str(opts, "sudo_password_env")
        self.sudo = settings.sudo if settings.sudo is not None else bool(opts.get("sudo", False))
        self.jump_spec = _opt_str(opts, "jump")
        # Per hop of the jump chain: its own key file from ssh_config ("" = the host's).
        hop_keys = opts.get("jump_key_files") or []
        self.jump_key_files = [str(k) for k in hop_keys] if isinstance(hop_keys, list) else []
        # ssh_config's UserKnownHostsFile (when the inventory names no known_hosts file) and
        # where a "StrictHostKeyChecking yes" came from ("" = attt's own rule alone).
        files = opts.get("known_hosts_files") or []
        self.user_known_hosts = [str(f) for f in files] if isinstance(files, list) else []
        self.strict_source = _opt_str(opts, "strict_host_key_checking") or ""
        self.shell = _opt_str(opts, "shell") or "sh"
        self.recorded_key: str | None = None  # "ssh-ed25519 SHA256:..." if recorded (TOFU)
        self.recorded_keys: list[str] = []  # "user@host:port type SHA256:..." incl. the jump
        self.forward_channels_opened = 0  # direct-tcpip channels through the jump host
        self._client: paramiko.SSHClient | None = None
        self._jump_clients: list[paramiko.SSHClient] = []
        user = host.user or getpass.getuser()
        # Validation happens in _connect so that a bad inventory entry becomes a host error.
        self.endpoint = Endpoint(user, host.address, host.port)

    # -- host keys -------------------------------------------------------------------------

    @property
    def record_file(self) -> str:
        """The known_hosts file that trust-on-first-use writes to."""

        if self.settings.known_hosts:
            return self.settings.known_hosts
        if self.user_known_hosts:
            return os.path.expanduser(self.user_known_hosts[0])
        return os.path.expanduser(USER_KNOWN_HOSTS)

    def _known_hosts_files(self) -> list[str]:
        if self.settings.known_hosts:
            return [self.settings.known_hosts]
        users = self.user_known_hosts or [USER_KNOWN_HOSTS]
        return [SYSTEM_KNOWN_HOSTS, *(os.path.expanduser(f) for f in users)]

    def _load_host_keys(self, client: paramiko.SSHClient) -> None:
        for path in self._known_hosts_files():
            if not os.path.exists(path):
                continue
            try:
                # paramiko reads the whole file: a FIFO would hang, /dev/zero never end.
                safe_io.check_regular(path, MAX_KNOWN_HOSTS_BYTES, T("known_hosts file"))
                client.load_system_host_keys(path)
            except InputError as exc:
                raise HostKeyError(T("cannot read known_hosts file {path}: {error}.", path=path,
                                     error=exc.problem)) from exc
            except (OSError, paramiko.SSHException, ValueError) as exc:
                raise HostKeyError(T("cannot read known_hosts file {path}: {error}.", path=path,
                                     error=str(exc))) from exc

    def _file_with_key(self, endpoint: Endpoint) -> str:
        for path in self._known_hosts_files():
            if not os.path.exists(path):
                continue
            try:
                safe_io.check_regular(path, MAX_KNOWN_HOSTS_BYTES, T("known_hosts file"))
                if paramiko.HostKeys(path).lookup(endpoint.known_hosts_name) is not None:
                    return path
            except (OSError, paramiko.SSHException, ValueError, InputError):
                continue
        return " or ".join(self._known_hosts_files())

    # -- connection ------------------------------------------------------------------------

    def _open_socket(self, endpoint: Endpoint) -> socket.socket:
        try:
            sock = socket.create_connection(
                (endpoint.address, endpoint.port), timeout=self.connect_timeout
            )
        except TimeoutError as exc:
            raise ConnectError(
                T("cannot connect to {host}: timed out after {seconds} s.", host=endpoint.label,
                  seconds=format(self.connect_timeout, "g"))
            ) from exc
        except socket.gaierror as exc:
            raise ConnectError(
                T("cannot connect to {host}: cannot resolve the host name ({error}).",
                  host=endpoint.label, error=exc.strerror or str(exc))
            ) from exc
        except OSError as exc:
            reason = (exc.strerror or str(exc)).rstrip(".").lower()
            raise ConnectError(T("cannot connect to {host}: {error}.", host=endpoint.label,
                                 error=reason)) from exc
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def _translate(self, exc: BaseException, endpoint: Endpoint) -> TransportError | None:
        """The attt error for a paramiko / socket failure during connect (None: re-raise)."""

        if isinstance(exc, TransportError):
            return exc
        if isinstance(exc, paramiko.BadHostKeyException):
            return HostKeyError(
                T("host key of {host} has CHANGED: expected {expected}, presented {presented} "
                  "(known_hosts: {file}); refusing to connect (possible man-in-the-middle; fix "
                  "the known_hosts entry only if the change is legitimate).",
                  host=endpoint.label, expected=key_fingerprint(exc.expected_key),
                  presented=key_fingerprint(exc.key), file=self._file_with_key(endpoint))
            )
        if isinstance(exc, paramiko.PasswordRequiredException):
            return AuthError(
                T("cannot log in to {host}: the key file is encrypted (load it into ssh-agent).",
                  host=endpoint.label)
            )
        if isinstance(exc, paramiko.AuthenticationException):
            said = str(exc).rstrip(".")
            return AuthError(T("authentication failed for {host}: {reason}.",
                               host=endpoint.label, reason=said or T("rejected")))
        if isinstance(exc, paramiko.SSHException):
            text = str(exc).rstrip(".") or type(exc).__name__
            if "No authentication methods available" in text:
                return AuthError(
                    T("authentication failed for {host}: no key, agent or password available.",
                      host=endpoint.label)
                )
            return ConnectError(T("SSH handshake with {host} failed: {error}.",
                                  host=endpoint.label, error=text))
        if isinstance(exc, OSError | EOFError):
            reason = (getattr(exc, "strerror", None) or str(exc) or type(exc).__name__).rstrip(".")
            return ConnectError(T("connection to {host} failed: {error}.", host=endpoint.label,
                                  error=reason))
        return None

    def _ssh_connect(
        self,
        endpoint: Endpoint,
        open_sock: Callable[[], socket.socket | paramiko.Channel],
        key_file: str | None = None,
    ) -> paramiko.SSHClient:
        """Check credentials and known_hosts, then open the socket and log in (with
        ``key_file``, else the host's own)."""

        key_file = key_file or self.key_file

        password: str | None = None
        if self.password_env:
            password = os.environ.get(self.password_env)
            if password is None:
                raise AuthError(
                    T("cannot log in to {host}: environment variable {variable} (password_env) "
                      "is not set.", host=endpoint.label, variable=self.password_env)
                )
        if key_file:
            try:
                # paramiko opens it blindly: a FIFO would hang the host's worker thread.
                safe_io.check_regular(
                    os.path.expanduser(key_file), MAX_KEY_FILE_BYTES, "key file"
                )
            except InputError as exc:
                raise AuthError(
                    T("cannot log in to {host}: key file {file}: {error}.", host=endpoint.label,
                      file=key_file, error=exc.problem)
                ) from None
        client = paramiko.SSHClient()
        self._load_host_keys(client)
        client.set_missing_host_key_policy(_HostKeyPolicy(self, endpoint))
        sock = open_sock()
        try:
            client.connect(
                endpoint.address,
                port=endpoint.port,
                username=endpoint.user,
                password=password,
                key_filename=os.path.expanduser(key_file) if key_file else None,
                timeout=self.connect_timeout,
                allow_agent=True,
                look_for_keys=key_file is None,
                sock=sock,
                banner_timeout=self.connect_timeout,
                auth_timeout=self.connect_timeout,
                channel_timeout=self.connect_timeout,
            )
        except BaseException as exc:
            client.close()
            sock.close()
            translated = self._translate(exc, endpoint)
            if translated is None or translated is exc:
                raise
            raise translated from exc
        return client

    def connect(self) -> None:
        """Open the session (through the jump host if any).  Idempotent."""

        if self._client is not None:
            return
        target = self.endpoint
        validate_address(target.address)
        _validate_port(target.port, target.label)
        _validate_user(target.user, target.label)
        hops = ([parse_jump(spec, target.user) for spec in self.jump_spec.split(",")]
                if self.jump_spec else [])
        if not hops:
            self._client = self._ssh_connect(target, lambda: self._open_socket(target))
            return
        first = hops[0]
        try:
            client = self._ssh_connect(first, lambda: self._open_socket(first),
                                       self._hop_key(0))
            self._jump_clients.append(client)
            # ProxyJump a,b: each next hop (then the target) is reached by a direct-tcpip
            # channel of the previous hop's connection, with the same host-key rules.
            for i, endpoint in enumerate([*hops[1:], target], start=1):
                channel = self._forward(client, hops[i - 1], endpoint)
                client = self._ssh_connect(endpoint, _opener(channel),
                                           self._hop_key(i) if i < len(hops) else None)
                if i < len(hops):
                    self._jump_clients.append(client)
                else:
                    self._client = client
        except BaseException:
            self.close()
            raise

    def _hop_key(self, index: int) -> str | None:
        """The key file of hop ``index`` of the jump chain (None: the host's own)."""

        if index < len(self.jump_key_files) and self.jump_key_files[index]:
            return self.jump_key_files[index]
        return None

    def _forward(
        self, via: paramiko.SSHClient, jump: Endpoint, target: Endpoint
    ) -> paramiko.Channel:
        """A direct-tcpip channel from the jump host ``via`` to ``target``."""

        transport = via.get_transport()
        if transport is None:  # pragma: no cover - connect() always sets it
            raise ConnectError(T("connection to jump host {host} was lost.", host=jump.label))
        try:
            channel = transport.open_channel(
                "direct-tcpip",
                (target.address, target.port),
                ("127.0.0.1", 0),
                timeout=self.connect_timeout,
            )
        except (paramiko.SSHException, OSError, EOFError) as exc:
            reason = str(exc).rstrip(".") or type(exc).__name__
            raise ConnectError(
                T("cannot connect to {host} through jump host {jump}: {error}.",
                  host=target.label, jump=jump.label, error=reason)
            ) from exc
        self.forward_channels_opened += 1
        return channel

    # -- the one collector run -------------------------------------------------------------

    def _command(self, ready: str, prompt: str) -> str:
        if self.shell == "powershell":
            return POWERSHELL_COMMAND
        if not self.sudo:
            return "sh -s"
        # The inner sh announces itself on stdout before reading the script, so the password
        # is only sent when sudo really prompts (a cached or NOPASSWD sudo would otherwise feed
        # the password line to the shell as a command) and a refused sudo is a clear error.
        inner = shlex.quote(f"echo {ready}; exec sh -s")
        if self.sudo_password_env:
            return f"sudo -S -p {shlex.quote(prompt)} sh -c {inner}"
        return f"sudo -n sh -c {inner}"

    def _sudo_password(self) -> str | None:
        if not (self.sudo and self.sudo_password_env):
            return None
        value = os.environ.get(self.sudo_password_env)
        if value is None:
            raise AuthError(
                T("cannot use sudo on {host}: environment variable {variable} "
                  "(sudo_password_env) is not set.", host=self.endpoint.label,
                  variable=self.sudo_password_env)
            )
        return value

    def _wait_for_sudo(
        self, chan: paramiko.Channel, ready: str, prompt: str, password: str | None
    ) -> bytes:
        """Answer sudo's prompt if it asks; return stdout bytes after the ready line."""

        deadline = time.monotonic() + self.connect_timeout
        out = b""
        err = b""
        sent = False
        marker = ready.encode() + b"\n"
        while True:
            if marker in out:
                return out.split(marker, 1)[1]
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            eof = bool(chan.eof_received) or chan.closed
            select.select([chan], [], [], min(remaining, 0.5))
            got = False
            while chan.recv_stderr_ready():
                err += chan.recv_stderr(_READ_CHUNK)
                got = True
            if chan.recv_ready():
                out += chan.recv(_READ_CHUNK)
                got = True
            if prompt.encode() in err:
                if sent or password is None:
                    raise AuthError(T("sudo password rejected on {host}.",
                                      host=self.endpoint.label))
                err = err.replace(prompt.encode(), b"", 1)
                chan.sendall((password + "\n").encode())
                sent = True
                continue
            if eof and not got:
                break
        said = " ".join(err.decode(errors="replace").split())[:200]
        raise AuthError(T("sudo failed on {host}: {reason}.", host=self.endpoint.label,
                          reason=said or T("no answer")))

    def collect(self, probes: Sequence[Probe]) -> Collected:
        """``sh``: the POSIX collector (see ``LiveTransport``); ``powershell``: send
        collector.ps1, read ONE collector document from stdout and verify it."""

        if self.shell not in SHELLS:
            raise ConnectError(T("host option '{name}' must be one of {choices}, got {value}.",
                                 name="shell", choices=SHELLS, value=repr(self.shell)))
        if self.shell == "sh":
            return super().collect(probes)
        if self.sudo:
            raise ConnectError(T("sudo does not apply to shell: powershell on {host}; run the "
                                 "collector as an administrator account instead.",
                                 host=self.endpoint.label))
        raw = self.run_script(powershell_stdin(windows_collector()))
        source = f"ssh://{self.endpoint.label}"
        if raw.exit_status is None:
            raise ConnectError(T(
                "the Windows collector on {host} did not finish (timed out after {seconds} s "
                "or the connection dropped); {size} bytes received, no check graded.",
                host=self.endpoint.label, seconds=format(self.command_timeout, "g"),
                size=len(raw.stdout)))
        if len(raw.stdout) > MAX_DOCUMENT_BYTES:
            raise ConnectError(T("the Windows collector on {host} printed more than {limit} "
                                 "bytes; refused.", host=self.endpoint.label,
                                 limit=MAX_DOCUMENT_BYTES))
        doc = parse_document(raw.stdout, f"{source} (exit status {raw.exit_status})"
                             if raw.exit_status else source)
        return collected_from_document(doc, probes)

    def run_script(self, script: bytes) -> RawRun:
        """Run the collector over one SSH session (sudo once, if asked)."""

        self.connect()
        assert self._client is not None
        transport = self._client.get_transport()
        if transport is None or not transport.is_active():
            raise ConnectError(T("connection to {host} was lost.", host=self.endpoint.label))
        password = self._sudo_password()
        ready = f"attt-ready-{secrets.token_hex(8)}"
        prompt = f"attt-sudo-{secrets.token_hex(8)}:"
        try:
            chan = transport.open_session(timeout=self.connect_timeout)
        except (paramiko.SSHException, OSError, EOFError) as exc:
            raise ConnectError(
                T("cannot open a session on {host}: {error}.", host=self.endpoint.label,
                  error=str(exc).rstrip(".") or type(exc).__name__)
            ) from exc
        self.channels_opened += 1
        try:
            try:
                chan.exec_command(self._command(ready, prompt))
            except (paramiko.SSHException, OSError, EOFError) as exc:
                raise ConnectError(
                    T("cannot start the collector on {host}: {error}.",
                      host=self.endpoint.label, error=str(exc).rstrip(".") or type(exc).__name__)
                ) from exc
            head = b""
            if self.sudo:
                try:
                    head = self._wait_for_sudo(chan, ready, prompt, password)
                except (paramiko.SSHException, OSError, EOFError) as exc:
                    raise ConnectError(
                        T("connection to {host} failed while starting sudo.",
                          host=self.endpoint.label)
                    ) from exc
            return self._exchange(chan, script, head)
        finally:
            chan.close()

    def _exchange(self, chan: paramiko.Channel, script: bytes, head: bytes) -> RawRun:
        """Send ``script`` and read stdout to EOF or the deadline; never raise on a drop."""

        deadline = time.monotonic() + self.command_timeout
        chunks = [head] if head else []
        stderr_tail = b""
        pending = memoryview(script)
        write_open = True
        dropped = False
        timed_out = False
        try:
            while True:
                if write_open and not pending:
                    chan.shutdown_write()
                    write_open = False
                if write_open and chan.send_ready():
                    n = chan.send(bytes(pending[:_SEND_CHUNK]))
                    pending = pending[n:]
                    continue
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    timed_out = True
                    break
                eof = bool(chan.eof_received) or chan.closed
                if not eof and not chan.recv_ready() and not chan.recv_stderr_ready():
                    wait = 0.05 if write_open else min(remaining, 1.0)
                    select.select([chan], [], [], wait)
                while chan.recv_stderr_ready():
                    stderr_tail = (stderr_tail + chan.recv_stderr(_READ_CHUNK))[-_STDERR_KEEP:]
                if chan.recv_ready():
                    chunks.append(chan.recv(_READ_CHUNK))
                    continue
                if eof:
                    break
        except (paramiko.SSHException, OSError, EOFError) as exc:
            dropped = True
            log.warning("connection to %s dropped during collection: %s", self.endpoint.label, exc)
        stdout = b"".join(chunks)
        if stderr_tail:
            log.debug(
                "collector stderr on %s: %s",
                self.endpoint.label,
                stderr_tail.decode(errors="replace"),
            )
        if timed_out:
            log.warning(
                "collector on %s timed out after %g s; keeping %d bytes received",
                self.endpoint.label,
                self.command_timeout,
                len(stdout),
            )
            return RawRun(stdout, None)
        status: int | None = None
        if not dropped:
            chan.status_event.wait(min(5.0, max(0.0, deadline - time.monotonic())))
            if chan.status_event.is_set() and chan.exit_status >= 0:
                status = chan.exit_status
        if status is None:
            log.warning(
                "collector on %s ended without an exit status (connection dropped?); "
                "keeping %d bytes received",
                self.endpoint.label,
                len(stdout),
            )
        return RawRun(stdout, status)

    def close(self) -> None:
        """Close the connection and any jump-host connection."""

        # The target first, then the hops back towards attt (each rides on the previous).
        for client in (self._client, *reversed(self._jump_clients)):
            if client is not None:
                try:
                    client.close()
                except Exception:  # closing must never raise
                    log.debug("error closing SSH client", exc_info=True)
        self._client = None
        self._jump_clients = []

    def __enter__(self) -> SSHTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
