"""Paths of an imaged host inside a root folder: symlinks resolved under the root, never on
the scanning machine, and ``..`` stopping at the root.

Used by the offline transport (``attt.transport.directory``) and by the SARIF renderer (which
links a finding to the file it read); neither depends on the other.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import PurePosixPath

from .registry import TreeError

_MAX_LINKS = 40


def os_reason(exc: OSError) -> str:
    """A short reason for an OSError (permission denied, link loop ...)."""

    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.ELOOP:
        return "too many levels of symbolic links"
    return (exc.strerror or type(exc).__name__).lower()



class Resolver:
    """Image paths -> paths under the root, without ever leaving it."""

    def __init__(self, root: str) -> None:
        self.root = root
        # Resolved paths, so that the files of one directory share its resolution: an
        # offline host reads hundreds of files under a few directories, and each component
        # costs an lstat.  One resolver serves one scan of a tree, which is not written to.
        self._memo: dict[tuple[str, bool], str | None] = {}

    def shown(self, real: str) -> str:
        """A resolved real path shown as the path on the imaged host."""

        rel = os.path.relpath(real, self.root)
        return "/" if rel == "." else "/" + rel

    def resolve(self, target: str, follow: bool = True) -> str | None:
        """Where ``target`` is under the root; None if absent.  With ``follow`` false a
        final symlink is not followed (lstat semantics)."""

        key = (target, follow)
        if key in self._memo:
            return self._memo[key]
        parts = PurePosixPath(target).parts[1:]
        # Every component but the last is followed (as a directory), exactly as the walk
        # does when it reaches them: each such prefix is resolved once.
        current: str | None = self.root
        for i in range(len(parts) - 1):
            prefix = ("/" + "/".join(parts[: i + 1]), True)
            if prefix not in self._memo:
                self._memo[prefix] = self._walk(str(current), [parts[i]], True, target)
            current = self._memo[prefix]
            if current is None:
                break
        found = None if current is None else self._walk(current, list(parts[-1:]), follow,
                                                        target)
        self._memo[key] = found
        return found

    def _walk(self, current: str, parts: list[str], follow: bool, target: str) -> str | None:
        hops = 0
        while parts:
            part = parts.pop(0)
            if part in ("", "."):
                continue
            if part == "..":
                current = os.path.dirname(current) if current != self.root else self.root
                continue
            candidate = os.path.join(current, part)
            try:
                st = os.lstat(candidate)
            except (FileNotFoundError, NotADirectoryError):
                return None
            except OSError as exc:
                # lstat fails for want of search permission on the directory holding it.
                raise TreeError(self.shown(current), os_reason(exc)) from None
            if stat.S_ISLNK(st.st_mode) and (follow or parts):
                hops += 1
                if hops > _MAX_LINKS:
                    raise TreeError(target, "too many levels of symbolic links")
                try:
                    link = os.readlink(candidate)
                except OSError as exc:
                    raise TreeError(self.shown(candidate), os_reason(exc)) from None
                if link.startswith("/"):
                    current = self.root
                    parts = list(PurePosixPath(link).parts[1:]) + parts
                else:
                    parts = list(PurePosixPath(link).parts) + parts
                continue
            if parts and not stat.S_ISDIR(st.st_mode):
                return None  # a file used as a directory: ENOTDIR, nothing there
            current = candidate
        return current


def resolve_in_root(root: str, target: str) -> str | None:
    """Path of ``target`` (absolute, as on the imaged host) inside ``root``; None if absent
    or not reachable (link loop, no permission)."""

    try:
        return Resolver(root).resolve(target)
    except TreeError:
        return None
