"""Bounded reads of regular files: every file attt reads goes through here.

A path given by a user (or named inside an input file) may be a FIFO, a device, a socket or a
folder: ``open()`` on a FIFO blocks forever and ``/dev/zero`` never ends.  The file is opened
non-blocking, checked with ``fstat`` on the open descriptor (no race with a swapped path), and
read to at most ``limit + 1`` bytes so an oversized file is refused without being loaded.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from typing import BinaryIO

from .errors import InputError
from .messages import Msg, T

MiB = 1024 * 1024
# What an unnamed file is called in errors.
FILE = T("file")


def _kind(mode: int) -> Msg:
    if stat.S_ISDIR(mode):
        return T("a folder")
    if stat.S_ISFIFO(mode):
        return T("a FIFO")
    if stat.S_ISCHR(mode):
        return T("a character device")
    if stat.S_ISBLK(mode):
        return T("a block device")
    if stat.S_ISSOCK(mode):
        return T("a socket")
    return T("not a plain file")


def _os_problem(exc: OSError, what: str | Msg) -> Msg:
    # ``what`` names the file: a file name (data) or a message ("private key").
    if exc.errno == errno.ENOENT:
        return T("{what} not found", what=what)
    if exc.errno == errno.ENXIO:
        return T("not a regular file (a socket or a device without a reader)")
    return T("cannot read {what}: {problem}", what=what, problem=exc.strerror or str(exc))


def _too_big(path: str, limit: int) -> InputError:
    return InputError(path, "", T("file larger than {limit} bytes", limit=limit))


def _require_regular(path: str, mode: int, size: int, limit: int) -> None:
    if not stat.S_ISREG(mode):
        raise InputError(path, "", T("not a regular file ({kind})", kind=_kind(mode)))
    if size > limit:
        raise _too_big(path, limit)


def check_regular(path: str, limit: int, what: str | Msg = FILE) -> None:
    """For files a library opens itself (keys, known_hosts): refuse what would hang or flood."""

    try:
        st = os.stat(path)
    except OSError as exc:
        raise InputError(path, "", _os_problem(exc, what)) from None
    _require_regular(path, st.st_mode, st.st_size, limit)


def open_regular(path: str, limit: int, what: str | Msg = FILE) -> BinaryIO:
    """A regular file opened for reading line by line (large files attt streams), refused
    beyond ``limit`` or if not a regular file: never blocks on a FIFO."""

    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputError(path, "", _os_problem(exc, what)) from None
    try:
        st = os.fstat(fd)
        _require_regular(path, st.st_mode, st.st_size, limit)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def read_bytes(path: str, limit: int, what: str | Msg = FILE) -> bytes:
    """A regular file's bytes, refused beyond ``limit`` or if not a regular file."""

    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputError(path, "", _os_problem(exc, what)) from None
    try:
        st = os.fstat(fd)
        _require_regular(path, st.st_mode, st.st_size, limit)
        chunks: list[bytes] = []
        got = 0
        # The size can grow between fstat and read (a log being written): bound the read too.
        while got <= limit:
            chunk = os.read(fd, min(1 * MiB, limit + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
    except OSError as exc:
        raise InputError(path, "", _os_problem(exc, what)) from None
    finally:
        os.close(fd)
    if got > limit:
        raise _too_big(path, limit)
    return b"".join(chunks)


def read_text(path: str, limit: int, what: str | Msg = FILE) -> str:
    """A regular file's UTF-8 text, bounded as read_bytes."""

    data = read_bytes(path, limit, what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, "", not_utf8(exc)) from None


def not_utf8(exc: UnicodeDecodeError) -> Msg:
    """Why bytes are not UTF-8 text (the decoder's reason is a technical token)."""

    return T("not UTF-8 text ({reason} at byte {offset})", reason=exc.reason, offset=exc.start)


def digest(path: str, limit: int) -> tuple[str, int] | None:
    """SHA-256 and size of a regular file of at most ``limit`` bytes, read in blocks.

    Opened without blocking and without following a last-component symlink, then checked
    on the open descriptor: a file swapped for a FIFO, device or link since the caller
    looked at it gives None instead of a hang or a read outside.
    """

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
        os.close(fd)  # checked before fdopen, which refuses a directory with an exception
        return None
    with os.fdopen(fd, "rb") as fh:
        sha = hashlib.sha256()
        size = 0
        for block in iter(lambda: fh.read(1 << 20), b""):
            size += len(block)
            if size > limit:
                return None
            sha.update(block)
    return sha.hexdigest(), size
