"""Offline Windows hosts: a collector document written on the host (``collected:PATH``).

``collector.ps1 -OutFile \\\\share\\attt\\%COMPUTERNAME%.json`` (a GPO startup or scheduled
task) leaves one document per computer; this transport reads one of them per host, verifies it
(``attt.windows.document``) and hands its sections to the ``win.*`` checks.  Nothing runs on
the host now: the document is what the collector saw at ``collected_at``.  A document older
than ``max_age_days`` (host option, default 30) or damaged makes every finding of its host an
error naming the file and the age; the other hosts go on.  One file is read per host, when
that host's turn comes, so a folder of thousands of documents costs the memory of one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from ..collect import Collected
from ..errors import ConnectError
from ..messages import T
from ..model import Host
from ..registry import Mode, Probe
from ..windows.document import (
    DEFAULT_MAX_AGE_DAYS,
    check_age,
    check_host,
    collected_from_document,
    read_document,
)
from .base import TransportSettings


def max_age_days(host: Host) -> float:
    """The host's ``max_age_days`` option (inventory ``options:``), else the default."""

    value = host.options.get("max_age_days", DEFAULT_MAX_AGE_DAYS)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConnectError(T("host option '{name}' must be a positive number, got {value}.",
                             name="max_age_days", value=repr(value)))
    return float(value)


class CollectedTransport:
    """One Windows collector document per host, read when the host is scanned."""

    # The document is what commands printed on the live host: checks read it as live facts.
    mode: Mode = "live"
    # All the work is Python parsing a local file: worth a worker process (host_processes).
    cpu_bound: ClassVar[bool] = True

    def __init__(self, host: Host, settings: TransportSettings) -> None:
        self.host = host
        self.settings = settings
        self.path = host.address
        self.channels_opened = 0

    def collect(self, probes: Sequence[Probe]) -> Collected:
        """Read, verify and age-check the document, then give the probes their sections."""

        limit = max_age_days(self.host)
        doc = read_document(self.path)
        check_host(doc, self.path, self.host.name)
        check_age(doc, self.path, limit)
        return collected_from_document(doc, probes)

    def close(self) -> None:
        """Nothing to release."""

        return None
