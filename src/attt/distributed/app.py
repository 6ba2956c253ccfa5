"""The broker connection and the Celery configuration shared by workers and coordinator.

Celery is imported only here and only when a distributed command runs: a plain ``attt scan``
never needs it (``pip install celery``).
"""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from ..errors import AtttError, ExitStatus, InputError
from ..messages import T
from .wire import queue_of

DEFAULT_PASSWORD_ENV = "ATTT_BROKER_PASSWORD"
BROKER_URL_ENV = "ATTT_BROKER_URL"


class BrokerError(AtttError):
    """The broker cannot be reached or refused us: the run could not be completed."""

    exit_status = ExitStatus.INCOMPLETE


@dataclass(frozen=True)
class Broker:
    """Where the broker is and how to talk to it; the password is never in ``url``."""

    url: str  # amqp:// or amqps://, without password
    password: str = ""
    ca_file: str = ""
    cert_file: str = ""
    key_file: str = ""

    @property
    def tls(self) -> bool:
        """Whether the connection is TLS (amqps)."""

        return urlsplit(self.url).scheme == "amqps"

    def full_url(self) -> str:
        """The URL with the password put back (only ever handed to the AMQP client)."""

        parts = urlsplit(self.url)
        if not self.password or not parts.username:
            return self.url
        netloc = f"{parts.username}:{quote(self.password, safe='')}@{parts.hostname}"
        if ":" in (parts.hostname or ""):
            netloc = f"{parts.username}:{quote(self.password, safe='')}@[{parts.hostname}]"
        if parts.port:
            netloc += f":{parts.port}"
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))

    def ssl_options(self) -> dict[str, Any] | bool:
        """TLS settings: the server's certificate is always checked (CA file or the system
        store) and its name must match the URL's host."""

        if not self.tls:
            return False
        opts: dict[str, Any] = {"cert_reqs": ssl.CERT_REQUIRED,
                                "server_hostname": urlsplit(self.url).hostname}
        if self.ca_file:
            opts["ca_certs"] = self.ca_file
        if self.cert_file:
            opts["certfile"] = self.cert_file
            opts["keyfile"] = self.key_file or None
        return opts


def split_password(url: str) -> tuple[str, str]:
    """(URL without password, password) of a broker URL."""

    parts = urlsplit(url)
    if parts.password is None:
        return url, ""
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port:
        netloc += f":{parts.port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, "")), unquote(
        parts.password)


def broker_from(url: str, password_env: str, ca_file: str = "", cert_file: str = "",
                key_file: str = "", option: str = "--broker") -> Broker:
    """A checked broker: amqp/amqps URL; the password from the URL or ``$password_env``."""

    if not url:
        raise InputError(option, "", T("a broker URL is needed (amqps://USER@HOST:5671/VHOST)"))
    parts = urlsplit(url)
    if parts.scheme not in ("amqp", "amqps") or not parts.hostname:
        raise InputError(option, split_password(url)[0],
                         T("expected amqp://USER@HOST:PORT/VHOST or amqps://..."))
    bare, password = split_password(url)
    if not password and password_env:
        password = os.environ.get(password_env, "")
    for name, path in (("--broker-ca", ca_file), ("--broker-cert", cert_file),
                       ("--broker-key", key_file)):
        if path and not os.path.isfile(path):
            raise InputError(name, path, T("no such file"))
    if password:
        from .. import redact

        redact.register(password, password_env or "broker password")
    return Broker(bare, password, ca_file, cert_file, key_file)


def base_config(broker: Broker, zone: str = "") -> dict[str, Any]:
    """Celery settings of every attt party: JSON only, late acks, no remote control."""

    conf: dict[str, Any] = {
        "broker_url": broker.full_url(),
        "broker_connection_retry_on_startup": False,
        # A worker keeps reconnecting after a broker restart (the coordinator bounds its own
        # attempts in coordinator.connect).
        "broker_connection_max_retries": None,
        "broker_heartbeat": 30,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "result_accept_content": ["json"],
        "event_serializer": "json",
        "task_ignore_result": True,
        "result_backend": None,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "worker_enable_remote_control": False,
        "worker_send_task_events": False,
        "task_send_sent_event": False,
        "worker_hijack_root_logger": False,
        "task_create_missing_queues": True,
        "broker_transport_options": {"confirm_publish": True},
    }
    ssl_opts = broker.ssl_options()
    if ssl_opts:
        conf["broker_use_ssl"] = ssl_opts
    if zone:
        # The worker declares its default queue and exchange: make them the zone's so it
        # never declares (or needs permission on) Celery's ``celery`` queue.
        conf["task_default_queue"] = queue_of(zone)
        conf["task_default_exchange"] = queue_of(zone)
        conf["task_default_routing_key"] = queue_of(zone)
    return conf


def make_app(broker: Broker, zone: str = "", name: str = "attt") -> Any:
    """A Celery app configured for attt (celery imported here, lazily)."""

    try:
        from celery import Celery
    except ImportError:
        raise InputError("--broker", "", T(
            "the distributed mode needs Celery: pip install celery")) from None
    app = Celery(name, set_as_current=False)
    app.conf.update(base_config(broker, zone))
    return app
