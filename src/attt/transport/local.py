"""Run the collector on this machine with ``sh -s`` (sudo -n once if asked and not root)."""

from __future__ import annotations

import os
import subprocess
import sys

from ..errors import ConnectError
from .base import LiveTransport, RawRun


class LocalTransport(LiveTransport):
    def _argv(self) -> list[str]:
        want_sudo = self.settings.sudo if self.settings.sudo is not None else bool(
            self.host.options.get("sudo", False)
        )
        if want_sudo and os.geteuid() != 0:
            # On a terminal sudo may ask for the password on the tty (the script goes on
            # stdin, the password never does); elsewhere -n: fail at once, never hang.
            if sys.stdin.isatty():
                return ["sudo", "sh", "-s"]
            return ["sudo", "-n", "sh", "-s"]
        return ["sh", "-s"]

    def run_script(self, script: bytes) -> RawRun:
        self.channels_opened += 1
        try:
            proc = subprocess.run(
                self._argv(),
                input=script,
                capture_output=True,
                timeout=self.settings.command_timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            # Keep what the collector printed before the deadline: completed sections still count.
            return RawRun(exc.stdout or b"", None)
        except OSError as exc:
            raise ConnectError(f"cannot start the local collector: {exc}") from exc
        return RawRun(proc.stdout, proc.returncode)
