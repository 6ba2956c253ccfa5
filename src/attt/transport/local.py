"""Run the collector on this machine with ``sh -s`` (sudo -n once if asked and not root)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys

from ..errors import AuthError, ConnectError, TransportError
from ..messages import T
from .base import LiveTransport, RawRun

WAYS_OUT = T(
    "run attt as root, install sudo (and allow this user to run it), or pass --no-sudo "
    "(probes that need root will be errors)"
)


class LocalTransport(LiveTransport):
    """The machine attt runs on (``local``), optionally through sudo."""

    def _sudo(self) -> bool:
        want = self.settings.sudo if self.settings.sudo is not None else bool(
            self.host.options.get("sudo", False)
        )
        return want and os.geteuid() != 0

    def _argv(self) -> list[str]:
        if self._sudo():
            if shutil.which("sudo") is None:
                raise TransportError(T("not root and sudo is not installed: {advice}",
                                       advice=WAYS_OUT))
            # On a terminal sudo may ask for the password on the tty (the script goes on
            # stdin, the password never does); elsewhere -n: fail at once, never hang.
            if sys.stdin.isatty():
                return ["sudo", "sh", "-s"]
            return ["sudo", "-n", "sh", "-s"]
        return ["sh", "-s"]

    def run_script(self, script: bytes) -> RawRun:
        """Run the collector with sh (or sudo sh) locally, killed on timeout."""

        self.channels_opened += 1
        argv = self._argv()
        try:
            # Own session: on timeout the whole collector (and any hung probe command under
            # it) is killed, not only the top shell.
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except OSError as exc:
            raise ConnectError(T("cannot start the local collector: {error}",
                                 error=str(exc))) from exc
        try:
            out, err = proc.communicate(script, timeout=self.settings.command_timeout)
        except subprocess.TimeoutExpired:
            _kill_session(proc.pid)
            # Keep what the collector printed before the deadline: completed sections count.
            out, _ = proc.communicate()
            return RawRun(out or b"", None)
        if argv[0] == "sudo" and proc.returncode != 0 and not out.strip():
            # sudo refused before the collector started (a password needed, user not allowed).
            raise AuthError(T("sudo could not run the collector ({error}): {advice}",
                              error=_last_line(err), advice=WAYS_OUT))
        return RawRun(out, proc.returncode)


def _last_line(err: bytes) -> str:
    """sudo's own complaint, printable and short (it goes into reports and terminals)."""

    lines = [ln for ln in err.decode("utf-8", "replace").splitlines() if ln.strip()]
    text = lines[-1] if lines else "no message"
    return "".join(c for c in text if c.isprintable())[:200]


def _kill_session(sid: int) -> None:
    """SIGKILL every process of session ``sid``.

    A process group is not enough: GNU timeout, which bounds each probe, moves its command
    into a group of its own, so a hung probe would outlive a killpg of the collector.
    """

    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue  # gone already
        # Fields after the parenthesised command name: state ppid pgrp session ...
        fields = stat.rpartition(")")[2].split()
        if len(fields) > 3 and fields[3] == str(sid):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(int(entry), signal.SIGKILL)
