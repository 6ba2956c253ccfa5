"""SSH transport (paramiko) -- being written; see the SSH helper brief."""

from __future__ import annotations

from .base import LiveTransport, RawRun


class SSHTransport(LiveTransport):
    def run_script(self, script: bytes) -> RawRun:
        raise NotImplementedError
