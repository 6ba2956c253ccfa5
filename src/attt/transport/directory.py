"""Offline transport: an unpacked root filesystem or config tree (``dir:PATH``).

Only file probes can be answered; command probes end as ``unavailable`` so a check never
passes on a fact it did not see.  Symlinks inside the tree are resolved inside the tree: an
absolute link such as ``etc/localtime -> /usr/share/zoneinfo/...`` is read under the root,
never from the scanning machine.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Sequence
from pathlib import PurePosixPath

from ..collect import Collected
from ..errors import ConnectError
from ..model import Host
from ..registry import Probe, Section
from .base import TransportSettings

_MAX_LINKS = 40


def resolve_in_root(root: str, target: str) -> str | None:
    """Path of ``target`` (absolute, as on the imaged host) inside ``root``; None if absent."""

    parts = list(PurePosixPath(target).parts[1:])
    current = root
    hops = 0
    while parts:
        part = parts.pop(0)
        if part in ("", "."):
            continue
        if part == "..":
            current = os.path.dirname(current) if current != root else root
            continue
        candidate = os.path.join(current, part)
        if os.path.islink(candidate):
            hops += 1
            if hops > _MAX_LINKS:
                return None
            link = os.readlink(candidate)
            if link.startswith("/"):
                current = root
                parts = list(PurePosixPath(link).parts[1:]) + parts
            else:
                parts = list(PurePosixPath(link).parts) + parts
            continue
        if not os.path.lexists(candidate):
            return None
        current = candidate
    return current


class DirectoryTransport:
    mode = "offline"

    def __init__(self, host: Host, settings: TransportSettings) -> None:
        self.host = host
        self.settings = settings
        self.root = os.path.realpath(host.address)
        self.channels_opened = 0
        if not os.path.isdir(self.root):
            raise ConnectError(f"dir:{host.address} is not a directory")

    def _read(self, pattern: str) -> tuple[dict[str, str], bool]:
        """Files matching ``pattern`` under the root, and whether any was cut at the cap."""

        out: dict[str, str] = {}
        truncated = False
        parent = resolve_in_root(self.root, str(PurePosixPath(pattern).parent))
        if parent is None:
            return out, truncated
        name_glob = PurePosixPath(pattern).name
        for path in sorted(glob.glob(os.path.join(glob.escape(parent), name_glob))):
            shown = str(PurePosixPath(pattern).parent / os.path.basename(path))
            real = resolve_in_root(self.root, shown)
            if real is None or not os.path.isfile(real):
                continue
            with open(real, "rb") as fh:
                data = fh.read(self.settings.section_cap + 1)
            if len(data) > self.settings.section_cap:
                data, truncated = data[: self.settings.section_cap], True
            out[shown] = data.decode("utf-8", errors="replace")
        return out, truncated

    def collect(self, probes: Sequence[Probe]) -> Collected:
        sections: dict[str, Section] = {}
        for probe in probes:
            if not probe.files:
                sections[probe.name] = Section(
                    probe.name,
                    state="unavailable",
                    reason="needs a running system; not available on an offline dir: tree",
                )
                continue
            files: dict[str, str] = {}
            truncated = False
            for pattern in probe.files:
                found, cut = self._read(pattern)
                files.update(found)
                truncated = truncated or cut
            sections[probe.name] = Section(probe.name, files=files, exit_code=0,
                                           truncated=truncated)
        return Collected(sections, complete=True, uid=None)

    def close(self) -> None:
        return None
