"""Secrets attt knows are never written or printed: reports, findings, history, logs.

A host can echo a secret back: a banner or a config file holding the sudo password, a
command line with a key passphrase.  attt knows the secrets it was given (the values of the
environment variables an inventory names in ``password_env`` / ``sudo_password_env``, the
signing key passphrase) and replaces each with ``[REDACTED]``:

* where collected output enters the engine (``runner.scan_host``: the raw sections, before
  any parser or check sees them, and transport error messages);
* again in every writer (``run_folder.write_atomic`` for reports and run files,
  ``findings.jsonl``, the history database) and in every printed or logged line
  (``attt.termsafe``), as a safety net for anything that reached a message another way.

Values shorter than ``MIN_LENGTH`` are not redacted (replacing "no" or "22" everywhere would
corrupt every report); attt warns about them instead.  The registry is process-wide on
purpose: a logging filter and the writers have no other way to reach it.
"""

from __future__ import annotations

import html
import json
import logging
import os
import threading
from collections.abc import Iterable, Mapping
from typing import Any

log = logging.getLogger(__name__)

MARK = "[REDACTED]"
MIN_LENGTH = 6
# Host options naming the environment variable that holds a secret.
SECRET_OPTIONS = ("password_env", "sudo_password_env")

_lock = threading.Lock()
_secrets: tuple[str, ...] = ()  # every written form, longest first


def _forms(secret: str) -> set[str]:
    """The secret as it may appear in what attt writes: raw, JSON-escaped (ASCII or not),
    HTML/XML-escaped, CSV-quoted."""

    escaped = html.escape(secret, quote=True)
    return {
        secret,
        json.dumps(secret, ensure_ascii=False)[1:-1],
        json.dumps(secret)[1:-1],
        escaped,
        escaped.replace("&#x27;", "&apos;"),
        escaped.replace("&#x27;", "&#39;"),
        html.escape(secret, quote=False),
        secret.replace('"', '""'),
    }


def register(secret: str, origin: str) -> None:
    """Redact ``secret`` from now on (``origin`` names where it came from, for the warning
    about a value too short to redact)."""

    global _secrets
    if not secret:
        return
    if len(secret) < MIN_LENGTH:
        log.warning("%s holds a secret shorter than %d characters: too short to be redacted "
                    "from reports and logs; use a longer one", origin, MIN_LENGTH)
        return
    with _lock:
        known = set(_secrets) | _forms(secret)
        _secrets = tuple(sorted(known, key=lambda s: (-len(s), s)))


def register_env(names: Iterable[str]) -> None:
    """Mask the values of these environment variables wherever they appear."""

    for name in names:
        value = os.environ.get(name)
        if value:
            register(value, f"${name}")


def secrets_of_hosts(options: Iterable[Mapping[str, Any]]) -> list[str]:
    """The environment variable names that host options point to for secrets."""

    names = []
    for opts in options:
        for key in SECRET_OPTIONS:
            value = opts.get(key)
            if isinstance(value, str) and value:
                names.append(value)
    return names


def clear() -> None:
    """Forget every secret (tests, and a long-lived process between runs)."""

    global _secrets
    with _lock:
        _secrets = ()


def text(value: str) -> str:
    """The text with every registered secret masked."""

    for secret in _secrets:
        if secret in value:
            value = value.replace(secret, MARK)
    return value


def data(value: Any) -> Any:
    """A copy of a JSON-like value with every string redacted (keys too)."""

    if not _secrets:
        return value
    if isinstance(value, str):
        return text(value)
    if isinstance(value, Mapping):
        return {data(k): data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(data(v) for v in value)
    return value


def snapshot() -> tuple[str, ...]:
    """Every registered secret's written forms: handed to a worker process at its start."""

    return _secrets


def restore(forms: tuple[str, ...]) -> None:
    """Adopt a ``snapshot`` taken in the parent process (a worker process's start)."""

    global _secrets
    with _lock:
        _secrets = tuple(sorted(set(_secrets) | set(forms), key=lambda s: (-len(s), s)))


def active() -> bool:
    """Whether any secret is registered."""

    return bool(_secrets)


__all__ = [
    "MARK",
    "MIN_LENGTH",
    "active",
    "clear",
    "data",
    "register",
    "register_env",
    "restore",
    "secrets_of_hosts",
    "snapshot",
    "text",
]
