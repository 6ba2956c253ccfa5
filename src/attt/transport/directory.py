"""Offline transport: an unpacked root filesystem or config tree (``dir:PATH``).

File probes read their files; probes with an ``offline`` reader compute what their command
would print on the imaged host (file modes, directory walks, files named by other files);
other command probes end as ``unavailable`` so a check never passes on a fact it did not see.

The tree is untrusted input.  Symlinks are resolved inside the tree: an absolute link such as
``etc/localtime -> /usr/share/zoneinfo/...`` is read under the root, never from the scanning
machine, and ``..`` stops at the root.  Only regular files are opened (a FIFO would block, a
device could be endless); reads stop at the section cap.  What exists but cannot be read (a
FIFO, a socket, a device, a link loop, a file or directory the scanning user may not read)
makes that probe's section ``failed`` with the path and the reason; the other probes go on.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from pathlib import PurePosixPath
from typing import ClassVar

from ..collect import Collected, boundary, new_token
from ..errors import ConnectError
from ..messages import T
from ..model import Host
from ..paths import Resolver as _Resolver
from ..paths import os_reason as _reason
from ..registry import FileStat, Mode, Probe, Section, TreeError, described
from .base import TransportSettings

log = logging.getLogger(__name__)

_GLOB_CHARS = frozenset("*?[")
_KINDS = (
    (stat.S_ISREG, "file"), (stat.S_ISDIR, "dir"), (stat.S_ISLNK, "link"),
    (stat.S_ISFIFO, "fifo"), (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "char"),
    (stat.S_ISBLK, "block"),
)
_KIND_NAMES = {"fifo": T("a FIFO"), "socket": T("a socket"), "char": T("a character device"),
               "block": T("a block device"), "link": T("a symbolic link"),
               "dir": T("a directory")}
_READ_FLAGS = (os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY
               | getattr(os, "O_CLOEXEC", 0))


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "other")




def _account_names(text: str) -> dict[int, str]:
    """id -> name from passwd(5) or group(5) text; the first entry of an id wins."""

    out: dict[int, str] = {}
    for line in text.splitlines():
        fields = line.split(":")
        # A name that would not survive a space-separated stat line stays a number.
        if (len(fields) >= 3 and fields[0] and fields[0].isprintable() and fields[0].isascii()
                and not any(c.isspace() for c in fields[0]) and fields[2].isdigit()):
            out.setdefault(int(fields[2]), fields[0])
    return out


class _Tree:
    """The ``OfflineTree`` one probe sees: reads count against that probe's section cap."""

    def __init__(self, resolver: _Resolver, cap: int, boundary: str,
                 names: Callable[[], _Names]) -> None:
        self._r = resolver
        self.boundary = boundary
        self.remaining = cap
        self.truncated = False
        self._names = names

    # ----------------------------------------------------------------- files

    def _matches(self, pattern: str) -> list[str]:
        pure = PurePosixPath(pattern)
        if not _GLOB_CHARS & set(pure.name):
            return [pattern]
        parent = self._r.resolve(str(pure.parent))
        if parent is None:
            return []
        try:
            if not stat.S_ISDIR(os.stat(parent).st_mode):
                return []
            names = os.listdir(parent)
        except OSError as exc:
            raise TreeError(str(pure.parent), T("cannot list the directory: {error}",
                                                error=_reason(exc))) from None
        # glob(3) and the shell skip dot files unless the pattern names them.
        hidden = pure.name.startswith(".")
        return [str(pure.parent / n) for n in sorted(names)
                if fnmatch.fnmatchcase(n, pure.name) and (hidden or not n.startswith("."))]

    def _masked(self, shown: str, real: str | None) -> bool:
        """Whether ``shown`` is a link to /dev/null: the way systemd masks a configuration
        file (sysctl.d, tmpfiles.d...).  On the imaged host reading it gives nothing, and
        the tree may hold /dev/null as a device node or not at all."""

        if real is not None and self._r.shown(real) == "/dev/null":
            return True
        link = self._r.resolve(shown, follow=False)
        if link is None or not os.path.islink(link):
            return False
        try:
            target = os.readlink(link)
        except OSError:
            return False
        return os.path.normpath(target) == "/dev/null"

    def _read_file(self, shown: str) -> str | None:
        real = self._r.resolve(shown)
        if self._masked(shown, real):
            return ""
        if real is None:
            return None
        try:
            st = os.lstat(real)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise TreeError(shown, _reason(exc)) from None
        kind = _kind(st.st_mode)
        if kind == "dir":
            return None  # the live collector's [ -f ] skips directories too
        if kind != "file":
            raise TreeError(shown, T("is {kind}, not a regular file; not opened",
                                     kind=_KIND_NAMES.get(kind, T("a special file"))))
        try:
            fd = os.open(real, _READ_FLAGS)
        except OSError as exc:
            raise TreeError(shown, _reason(exc)) from None
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped since the lstat
                raise TreeError(shown, T("not a regular file; not opened"))
            try:
                data = fh.read(self.remaining + 1)
            except OSError as exc:
                raise TreeError(shown, _reason(exc)) from None
        if len(data) > self.remaining:
            data, self.truncated = data[: self.remaining], True
        self.remaining -= len(data)
        return data.decode("utf-8", errors="replace")

    def read(self, pattern: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for shown in self._matches(pattern):
            if self.truncated:
                break
            text = self._read_file(shown)
            if text is not None:
                out[shown] = text
        return out

    # ----------------------------------------------------------------- metadata

    def _file_stat(self, shown: str, st: os.stat_result) -> FileStat:
        names = self._names()
        return FileStat(shown, _kind(st.st_mode), stat.S_IMODE(st.st_mode), st.st_uid,
                        st.st_gid, names.user(st.st_uid), names.group(st.st_gid))

    def stat(self, path: str) -> FileStat | None:
        real = self._r.resolve(path, follow=False)
        if real is None:
            return None
        try:
            return self._file_stat(path, os.lstat(real))
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise TreeError(path, _reason(exc)) from None

    def is_dir(self, path: str) -> bool:
        real = self._r.resolve(path)
        return real is not None and os.path.isdir(real)

    def walk(self, top: str, limit: int, mode_any: int | None = None
             ) -> Iterator[FileStat]:
        """``find -H TOP -xdev``: the start point's link is followed, nothing below is, and
        the walk stays on the start point's file system.  Only entries with one of the
        ``mode_any`` bits are described (``-perm /MODE``): a probe that looks for
        world-writable files need not name the owner of 15,000 others."""

        real = self._r.resolve(top)
        if real is None or not os.path.isdir(real):
            return
        device = os.stat(real).st_dev
        stack = [(real, top.rstrip("/") or "/")]
        seen = 0
        while stack:
            directory, shown = stack.pop()
            try:
                st = os.lstat(directory)
                entries = sorted(os.scandir(directory), key=lambda e: e.name, reverse=True)
            except OSError as exc:
                raise TreeError(shown, T("cannot list the directory: {error}",
                                         error=_reason(exc))) from None
            if mode_any is None or st.st_mode & mode_any:
                yield self._file_stat(shown, st)
            for entry in entries:
                seen += 1
                if seen > limit:
                    raise TreeError(top, T("more than {limit} entries; the walk stopped",
                                           limit=limit))
                child = f"{shown.rstrip('/')}/{entry.name}"
                try:
                    est = entry.stat(follow_symlinks=False)
                except OSError as exc:
                    raise TreeError(child, _reason(exc)) from None
                if stat.S_ISDIR(est.st_mode):
                    if est.st_dev == device:
                        stack.append((entry.path, child))
                    continue
                if mode_any is None or est.st_mode & mode_any:
                    yield self._file_stat(child, est)


class _Names:
    """uid/gid -> names of the imaged host, from the tree's own /etc/passwd and /etc/group."""

    EMPTY: _Names

    def __init__(self, users: dict[int, str], groups: dict[int, str]) -> None:
        self._users = users
        self._groups = groups

    @classmethod
    def of(cls, resolver: _Resolver) -> _Names:
        return cls(cls._load(resolver, "/etc/passwd"), cls._load(resolver, "/etc/group"))

    @staticmethod
    def _load(resolver: _Resolver, path: str) -> dict[int, str]:
        tree = _Tree(resolver, 16_000_000, "", lambda: _Names.EMPTY)
        try:
            text = tree.read(path).get(path, "")
        except TreeError as exc:
            log.info("owner names: %s", exc)  # ids are then shown as numbers
            return {}
        return _account_names(text)

    def user(self, uid: int) -> str:
        return self._users.get(uid, str(uid))

    def group(self, gid: int) -> str:
        return self._groups.get(gid, str(gid))


_Names.EMPTY = _Names({}, {})


class DirectoryTransport:
    """An offline root filesystem or config tree (``dir:PATH``): files only."""

    mode: Mode = "offline"
    # All the work is Python reading local files: worth a worker process (host_processes).
    cpu_bound: ClassVar[bool] = True

    def __init__(self, host: Host, settings: TransportSettings) -> None:
        self.host = host
        self.settings = settings
        self.root = os.path.realpath(host.address)
        self.channels_opened = 0
        if not os.path.isdir(self.root):
            raise ConnectError(T("dir:{path} is not a directory", path=host.address))
        self._resolver = _Resolver(self.root)
        self._names: _Names | None = None

    def _owner_names(self) -> _Names:
        if self._names is None:
            self._names = _Names.of(self._resolver)
        return self._names

    def _section(self, probe: Probe, mark: str) -> Section:
        cap = self.settings.section_cap
        tree = _Tree(self._resolver, cap, mark, self._owner_names)
        try:
            if probe.offline is not None:
                text = probe.offline(tree)
                cut = len(text.encode("utf-8", errors="replace")) > cap
                return Section(probe.name, text=text[:cap] if cut else text, exit_code=0,
                               truncated=cut or tree.truncated)
            files: dict[str, str] = {}
            for pattern in probe.files:
                files.update(tree.read(pattern))
            return Section(probe.name, files=files, exit_code=0, truncated=tree.truncated)
        except TreeError as exc:
            return Section(probe.name, state="failed",
                           reason=T("cannot read the tree: {path}: {problem}", path=exc.path,
                                    problem=exc.reason))

    def collect(self, probes: Sequence[Probe]) -> Collected:
        """Read each probe's files (or offline reader) inside the tree."""

        mark = boundary(new_token())
        sections: dict[str, Section] = {}
        for probe in probes:
            if not probe.files and probe.offline is None:
                sections[probe.name] = Section(
                    probe.name,
                    state="unavailable",
                    reason=T("needs a running system; not available on an offline dir: tree"),
                )
                continue
            try:
                sections[probe.name] = self._section(probe, mark)
            except Exception as exc:  # one probe's reader bug must not cost the other probes
                log.exception("%s: offline reader of %s failed", self.host.key, probe.name)
                sections[probe.name] = Section(
                    probe.name, state="failed",
                    reason=T("offline reader failed: {error}",
                             error=described(exc)))
        return Collected(sections, complete=True, uid=None)

    def close(self) -> None:
        """Nothing to release."""

        return None

