"""WinRM/PSRP transport (optional extra ``attt[windows]``): run collector.ps1, get its document.

One runspace pool per host per run: the collector script is sent as ONE PowerShell script
through pypsrp's ``RunspacePool``/``PowerShell`` API, its string output is the collector
document (docs/windows-collector.md), then the pool is closed.  HTTPS on 5986 with certificate
validation is the default; ``cert_validation: false`` is accepted only when written, and
logged as a warning; ``ca_file`` names the agency's CA bundle instead.  Authentication is
Negotiate (Kerberos, else NTLM), NTLM or Kerberos; the password comes from the environment
variable named by ``password_env`` (never the inventory).  ``ssl: false`` uses the HTTP
listener (5985) with every message sealed by the NTLM/Kerberos session (pypsrp's
``encryption="auto"``); clear text is never sent.  The connection is direct: proxy
variables of the environment are ignored, as for SSH.

Every request is bounded: the TCP connect by ``connect_timeout``, each WS-Man request by the
operation timeout plus a 2 s margin, the whole run by ``command_timeout`` (no request starts
after it, the pipeline is stopped and the pool closed).  Every pypsrp / requests / pyspnego
exception (and krb5 / python-gssapi's, which pyspnego lets through) is translated here into
``ConnectError``, ``AuthError`` or ``TransportError`` with a one-sentence message naming
``user@host:port``.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import re
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..collect import Collected
from ..errors import AuthError, ConnectError, TransportError
from ..messages import Msg, T
from ..model import Host, JSONValue
from ..registry import Mode, Probe
from ..targets import valid_address
from .base import TransportSettings

log = logging.getLogger(__name__)

AUTHS = ("negotiate", "ntlm", "kerberos")
HTTPS_PORT = 5986
HTTP_PORT = 5985
DEFAULT_OPERATION_TIMEOUT = 20
HTTP_MARGIN_S = 2  # as pypsrp: the HTTP read waits a little longer than the WS-Man operation
CLOSE_GRACE_S = 5.0  # after the deadline: time left to stop the pipeline and close the pool
MAX_DOCUMENT_CHARS = 64 * 1024 * 1024
_USER = re.compile(r"^[^\x00-\x1f\x7f:]{1,256}$")


@dataclass(frozen=True)
class WinRMOptions:
    """How to reach one Windows host over WinRM, from the inventory and the CLI settings."""

    address: str
    port: int
    user: str
    auth: str
    ssl: bool
    cert_validation: bool
    ca_file: str | None
    password_env: str | None
    connect_timeout: float
    operation_timeout: int
    command_timeout: float

    @property
    def label(self) -> str:
        """``user@host:port`` for messages (IPv6 in brackets)."""

        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{self.user}@{host}:{self.port}" if self.user else f"{host}:{self.port}"


def _bad(name: str, value: object, expected: str | Msg) -> ConnectError:
    return ConnectError(T("host option '{name}' must be {expected}, got {value}.", name=name,
                          expected=expected, value=repr(value)))


def _positive(options: Mapping[str, JSONValue], name: str, default: float) -> float:
    value = options.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise _bad(name, value, T("a positive number"))
    return float(value)


def _flag(options: Mapping[str, JSONValue], name: str, default: bool) -> bool:
    value = options.get(name, default)
    if not isinstance(value, bool):
        raise _bad(name, value, "true/false")
    return value


def winrm_options(host: Host, settings: TransportSettings) -> WinRMOptions:
    """Check and gather the host's WinRM settings (a bad entry is a ``ConnectError``)."""

    opts = host.options
    if not valid_address(host.address):
        raise ConnectError(T("invalid address '{address}': expected an IP address or host name.",
                             address=host.address))
    port = host.port
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise _bad("port", port, "1-65535")
    auth = opts.get("auth", "negotiate")
    if auth not in AUTHS:
        raise _bad("auth", auth, " | ".join(AUTHS))
    ssl = _flag(opts, "ssl", True)
    cert_validation = _flag(opts, "cert_validation", True)
    ca_file = opts.get("ca_file")
    if ca_file is not None and (not isinstance(ca_file, str) or not ca_file):
        raise _bad("ca_file", ca_file, T("a file name"))
    password_env = opts.get("password_env")
    if password_env is not None and not isinstance(password_env, str):
        raise _bad("password_env", password_env, T("the NAME of an environment variable"))
    if host.user and not _USER.fullmatch(host.user):
        raise ConnectError(T("invalid user name '{user}' for {where}.", user=host.user,
                             where=host.address))
    operation = _positive(opts, "operation_timeout", DEFAULT_OPERATION_TIMEOUT)
    return WinRMOptions(
        address=host.address,
        port=port,
        user=host.user,
        auth=str(auth),
        ssl=ssl,
        cert_validation=cert_validation,
        ca_file=ca_file,
        password_env=password_env or None,
        connect_timeout=_positive(opts, "connect_timeout", settings.connect_timeout),
        operation_timeout=max(1, math.ceil(operation)),
        command_timeout=_positive(opts, "command_timeout", settings.command_timeout),
    )


class _Deadline(Exception):
    """The run's ``command_timeout`` passed: no further WS-Man request is sent."""


def _ps_error_text(ps: Any) -> str:
    for record in getattr(ps.streams, "error", [])[:1]:
        text = str(getattr(record, "message", "") or record)
        return text.strip()[:500]
    return ""


class WinRMTransport:
    """A Windows host over WinRM (PSRP): one runspace pool and one pipeline per run."""

    mode: Mode = "live"

    def __init__(self, host: Host, settings: TransportSettings) -> None:
        self.host = host
        self.settings = settings
        self.channels_opened = 0
        self._deadline = math.inf

    # -- the one run -------------------------------------------------------------------------

    def collect(self, probes: Sequence[Probe]) -> Collected:
        """Run the shipped collector and give the probes their sections of its document."""

        from ..windows.document import collected_from_document, parse_document

        text = self.run_collector()
        opts = winrm_options(self.host, self.settings)
        doc = parse_document(text.encode("utf-8"), f"winrm:{opts.label}")
        return collected_from_document(doc, probes)

    def run_collector(self, script: str | None = None) -> str:
        """Run ``script`` (default: the shipped collector.ps1) and return its output text."""

        opts = winrm_options(self.host, self.settings)
        if script is None:
            from ..windows import collector_bytes

            script = collector_bytes().decode("utf-8-sig")
        password = self._password(opts)
        try:
            import pypsrp.powershell  # noqa: F401
            import spnego  # noqa: F401
        except ImportError as exc:
            raise TransportError(T("{host}: the WinRM route needs the optional packages: pip "
                                   "install pypsrp pyspnego ({error}).", host=opts.label,
                                   error=str(exc))) from exc
        if not opts.cert_validation:
            log.warning("the TLS certificate of %s is NOT validated (cert_validation: false "
                        "in the inventory): anyone on the path can read the session", opts.label)
        try:
            with self._errors(opts):
                return self._run(opts, password, script)
        finally:
            self._deadline = math.inf

    def close(self) -> None:
        """Nothing stays open between runs (the pool is closed at the end of each run)."""

        return None

    # -- pieces ----------------------------------------------------------------------------

    def _password(self, opts: WinRMOptions) -> str | None:
        if opts.password_env:
            password = os.environ.get(opts.password_env)
            if password is None:
                raise AuthError(T("{host}: the environment variable {name} (password_env) is "
                                  "not set.", host=opts.label, name=opts.password_env))
            return password
        if opts.auth == "ntlm":
            raise AuthError(T("{host}: NTLM needs a password: set password_env to the name of an "
                              "environment variable that holds it.", host=opts.label))
        return None  # Kerberos from the credential cache (kinit)

    def _wsman(self, opts: WinRMOptions, password: str | None) -> Any:
        from pypsrp.wsman import WSMan

        transport = self

        class _BoundedWSMan(WSMan):
            def invoke(self, *args: Any, **kwargs: Any) -> Any:
                if time.monotonic() >= transport._deadline:
                    raise _Deadline
                return super().invoke(*args, **kwargs)

        verify: bool | str = opts.cert_validation
        if opts.cert_validation and opts.ca_file:
            verify = opts.ca_file
        return _BoundedWSMan(
            opts.address,
            port=opts.port,
            username=opts.user or None,
            password=password,
            ssl=opts.ssl,
            auth=opts.auth,
            cert_validation=verify,  # type: ignore[arg-type]  # requests: bool or CA path
            connection_timeout=opts.connect_timeout,  # type: ignore[arg-type]  # requests: float
            read_timeout=opts.operation_timeout + HTTP_MARGIN_S,
            operation_timeout=opts.operation_timeout,
            no_proxy=True,
            reconnection_retries=0,
        )

    def _run(self, opts: WinRMOptions, password: str | None, script: str) -> str:
        from pypsrp.complex_objects import PSInvocationState
        from pypsrp.powershell import PowerShell, RunspacePool

        self._deadline = time.monotonic() + opts.command_timeout
        wsman = self._wsman(opts, password)
        pool = RunspacePool(wsman)
        ps: PowerShell | None = None
        try:
            pool.open()
            self.channels_opened += 1
            ps = PowerShell(pool)
            ps.add_script(script)
            ps.begin_invoke()
            while ps.state == PSInvocationState.RUNNING:
                remaining = self._deadline - time.monotonic()
                if remaining <= 0:
                    raise _Deadline
                ps.poll_invoke(timeout=max(1, min(opts.operation_timeout, math.ceil(remaining))))
            if ps.state != PSInvocationState.COMPLETED or ps.had_errors:
                raise TransportError(T("{host}: the collector script failed: {error}",
                                       host=opts.label,
                                       error=_ps_error_text(ps) or T("no error record")))
            return self._document(opts, ps.output)
        except _Deadline:
            self._deadline = time.monotonic() + CLOSE_GRACE_S
            with contextlib.suppress(Exception):
                if ps is not None and ps.state == PSInvocationState.RUNNING:
                    ps.stop()
            raise
        finally:
            if self._deadline == math.inf or time.monotonic() < self._deadline:
                with contextlib.suppress(Exception):
                    pool.close()
            with contextlib.suppress(Exception):
                wsman.close()

    @staticmethod
    def _document(opts: WinRMOptions, output: list[Any]) -> str:
        parts = [item for item in output if item is not None]
        if not all(isinstance(item, str) for item in parts):
            raise TransportError(T("{host}: the collector printed objects, not text.",
                                   host=opts.label))
        text = "\n".join(parts) if len(parts) > 1 else (parts[0] if parts else "")
        if not text.strip():
            raise TransportError(T("{host}: the collector printed nothing.", host=opts.label))
        if len(text) > MAX_DOCUMENT_CHARS:
            raise TransportError(T("{host}: the collector document is larger than {limit} "
                                   "characters.", host=opts.label, limit=MAX_DOCUMENT_CHARS))
        return text

    @contextlib.contextmanager
    def _errors(self, opts: WinRMOptions) -> Iterator[None]:
        """Translate the libraries' exceptions into attt's, with one clear sentence."""

        import requests
        import spnego.exceptions
        from pypsrp.exceptions import (
            AuthenticationError,
            WinRMError,
            WinRMTransportError,
            WSManFaultError,
        )

        host = opts.label
        try:
            yield
        except _Deadline as exc:
            raise TransportError(T("{host}: the collector did not finish within {seconds} s "
                                   "(command_timeout); it was stopped.", host=host,
                                   seconds=opts.command_timeout)) from exc
        except (AuthenticationError, spnego.exceptions.SpnegoError) as exc:
            raise AuthError(T("{host}: authentication ({auth}) was refused.", host=host,
                              auth=opts.auth)) from exc
        except _kerberos_errors() as exc:
            # pyspnego lets the krb5 library's own errors through when it gets a ticket from
            # a password (wrong password, unknown principal, KDC unreachable): the KDC's
            # reason goes to the log, the host gets the one documented sentence.
            log.warning("%s: Kerberos: %s", host, exc)
            raise AuthError(T("{host}: authentication ({auth}) was refused.", host=host,
                              auth=opts.auth)) from exc
        except requests.exceptions.SSLError as exc:
            raise ConnectError(T("{host}: the TLS certificate was not accepted: {error} (set "
                                 "ca_file to the CA that signed it).", host=host,
                                 error=_short(exc))) from exc
        except requests.exceptions.ConnectTimeout as exc:
            raise ConnectError(T("{host}: no connection within {seconds} s.", host=host,
                                 seconds=opts.connect_timeout)) from exc
        except requests.exceptions.ReadTimeout as exc:
            raise TransportError(T("{host}: the WinRM service did not answer within {seconds} s.",
                                   host=host,
                                   seconds=opts.operation_timeout + HTTP_MARGIN_S)) from exc
        except requests.exceptions.ConnectionError as exc:
            raise ConnectError(T("{host}: cannot connect: {error}", host=host,
                                 error=_short(exc))) from exc
        except WSManFaultError as exc:
            raise TransportError(T("{host}: the WinRM service refused the request: {error}",
                                   host=host, error=_short(exc))) from exc
        except WinRMTransportError as exc:
            raise TransportError(T("{host}: HTTP {code} from the WinRM service.", host=host,
                                   code=exc.code)) from exc
        except (WinRMError, requests.exceptions.RequestException) as exc:
            raise TransportError(T("{host}: WinRM error: {error}", host=host,
                                   error=_short(exc))) from exc


def _kerberos_errors() -> tuple[type[Exception], ...]:
    """The exception types of the Kerberos libraries (present with ``pyspnego[kerberos]``)."""

    found: list[type[Exception]] = []
    with contextlib.suppress(ImportError):
        import krb5

        found.append(krb5.Krb5Error)
    with contextlib.suppress(ImportError):
        from gssapi.raw.misc import GSSError

        found.append(GSSError)
    return tuple(found)


def _short(exc: BaseException) -> str:
    """The innermost useful sentence of a requests/urllib3 error chain."""

    text = str(exc)
    match = re.search(r"\[SSL: [A-Z_]+\] ([^(\]]+)|(Connection refused)|(certificate verify "
                      r"failed[^')\"]*)", text)
    if match:
        return next(g for g in match.groups() if g).strip()
    return text[:300]
