"""Transports by name: the inventory's ``transport:`` value picks one from ``TRANSPORTS``."""

from __future__ import annotations

from .base import LiveTransport, RawRun, Transport, TransportFactory, TransportSettings
from .collected import CollectedTransport
from .directory import DirectoryTransport
from .local import LocalTransport
from .ssh import SSHTransport
from .winrm import WinRMTransport

TRANSPORTS: dict[str, TransportFactory] = {
    "local": LocalTransport,
    "ssh": SSHTransport,
    "dir": DirectoryTransport,
    "collected": CollectedTransport,
    "winrm": WinRMTransport,
}

__all__ = [
    "TRANSPORTS",
    "CollectedTransport",
    "DirectoryTransport",
    "LiveTransport",
    "LocalTransport",
    "RawRun",
    "SSHTransport",
    "Transport",
    "TransportFactory",
    "TransportSettings",
    "WinRMTransport",
]
