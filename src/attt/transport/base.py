"""The connection contract every transport keeps (ansible-style: small on purpose)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..collect import Collected, build_script, new_token, parse_output
from ..model import Host
from ..registry import Mode, Probe


@dataclass(frozen=True)
class TransportSettings:
    """What a transport may need beyond the host; built once from CLI settings."""

    connect_timeout: float = 10.0
    command_timeout: float = 300.0
    # Large enough for a server's /var/lib/dpkg/status (often 1-3 MB) in one section.
    section_cap: int = 8_000_000
    section_timeout: int = 30
    known_hosts: str = ""  # inventory-level known_hosts file ("" = system + user files)
    accept_new_host_keys: bool = False
    sudo: bool | None = None  # None: the host's own setting


@dataclass(frozen=True)
class RawRun:
    """The raw stdout and exit status of one collector run."""

    stdout: bytes
    exit_status: int | None


class Transport(Protocol):
    """How attt reaches a host: one collector run per host, then close."""

    mode: Mode  # "live" (commands run) or "offline" (files only)
    channels_opened: int

    def collect(self, probes: Sequence[Probe]) -> Collected:
        """Collect the probes' sections in one run."""

    def close(self) -> None:
        """Release the connection (idempotent)."""


class LiveTransport:
    """Runs the one collector script per host through ``run_script``."""

    mode: Mode = "live"

    def __init__(self, host: Host, settings: TransportSettings) -> None:
        self.host = host
        self.settings = settings
        self.channels_opened = 0

    def run_script(self, script: bytes) -> RawRun:
        """Run the collector script on the host, script on stdin."""

        raise NotImplementedError

    def collect(self, probes: Sequence[Probe]) -> Collected:
        """Build the collector script, run it once, split its output."""

        token = new_token()
        script = build_script(
            probes, token, self.settings.section_cap, self.settings.section_timeout
        )
        raw = self.run_script(script.encode())
        return parse_output(raw.stdout, token, probes, self.settings.section_cap)

    def close(self) -> None:
        """Nothing to release by default."""

        return None


TransportFactory = Callable[[Host, TransportSettings], Transport]
