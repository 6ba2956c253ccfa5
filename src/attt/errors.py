"""Error tree and exit statuses.

Every error the user can cause or meet is an ``AtttError``; ``cli.py`` turns it into one
clear line and an exit code.  Library exceptions (paramiko, nmap, yaml) are translated at
the boundary where they are raised so the engine never leaks a traceback to a user.
"""

from __future__ import annotations

from enum import IntEnum

from .messages import Msg, T, render


class ExitStatus(IntEnum):
    """The documented exit codes of every attt command."""

    COMPLIANT = 0
    NON_COMPLIANT = 1
    USAGE = 2
    INCOMPLETE = 3
    INTERRUPTED = 130


class AtttError(Exception):
    """Base of every error attt raises on purpose.

    The message is a plain string (loaders, English only) or a ``T(...)`` message that the
    command line prints in its language (``render``); ``str()`` is the English text.
    """

    exit_status = ExitStatus.USAGE

    def __init__(self, message: str | Msg = "", *args: object) -> None:
        super().__init__(message, *args)
        self.message: str | Msg = message

    def __str__(self) -> str:
        return render(self.message, "en")

    def render(self, lang: str) -> str:
        """The message in ``lang`` (a plain-string message as it is)."""

        return render(self.message, lang)


class InputError(AtttError):
    """A profile, inventory, tailoring, waiver or evidence file is wrong.

    The message always names the file and the key path, e.g.
    ``inventory.yaml: systems[0].hosts[2].port: expected an integer 1-65535, got 'ssh'``.
    """

    def __init__(self, source: str, key: str | Msg, problem: str | Msg) -> None:
        self.source = source
        self.key = render(key, "en")
        self.problem = problem
        # The file and key path are data, translated only when attt words them itself
        # ("(top level)"); the problem is translated.
        where: str | Msg = T("{source}: {key}", source=source, key=key) if key else source
        super().__init__(T("{where}: {problem}", where=where, problem=problem))


class TransportError(AtttError):
    """Could not reach or talk to a host; becomes an ``error`` finding, never aborts a scan."""

    exit_status = ExitStatus.INCOMPLETE


class ConnectError(TransportError):
    """The host could not be reached (refused, timeout, no route)."""

    pass


class AuthError(TransportError):
    """The host refused every credential offered."""

    pass


class HostKeyError(TransportError):
    """The host's key is unknown or changed; never accepted silently."""

    pass


class OutputError(AtttError):
    """A file of the run could not be written once the run was under way (disk full, folder
    removed, /dev/full): the run is incomplete; what was written is kept."""

    exit_status = ExitStatus.INCOMPLETE

    def __init__(self, path: str, exc: OSError, kept: tuple[str, ...] = ()) -> None:
        self.path = path
        self.error = exc
        self.kept = kept
        problem = exc.strerror or str(exc)
        if kept:
            message = T("{path}: cannot write: {problem}; the run is incomplete "
                        "(written: {kept})", path=path, problem=problem, kept=list(kept))
        else:
            message = T("{path}: cannot write: {problem}; the run is incomplete",
                        path=path, problem=problem)
        super().__init__(message)
