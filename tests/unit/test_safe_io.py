"""safe_io: regular files only, bounded, never blocking."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from attt import safe_io
from attt.errors import InputError
from attt.safe_io import check_regular, read_bytes, read_text


def test_reads_up_to_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 10)
    assert read_bytes(str(path), 10) == b"x" * 10
    with pytest.raises(InputError, match="larger than 9 bytes"):
        read_bytes(str(path), 9)


@pytest.mark.parametrize("kind", ["fifo", "dir", "devzero", "devnull", "socket", "missing"])
def test_refuses_what_is_not_a_regular_file(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "x"
    keep = None
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dir":
        path.mkdir()
    elif kind in ("devzero", "devnull"):
        path.symlink_to(f"/dev/{kind[3:]}")
    elif kind == "socket":
        keep = socket.socket(socket.AF_UNIX)
        keep.bind(str(path))
    with pytest.raises(InputError) as info:
        read_bytes(str(path), 1024, "thing")
    assert info.value.source == str(path)
    expected = "thing not found" if kind == "missing" else "not a regular file"
    assert expected in str(info.value.problem)
    with pytest.raises(InputError):
        check_regular(str(path), 1024, "thing")
    if keep is not None:
        keep.close()


def test_text_must_be_utf8(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"ok \xff")
    with pytest.raises(InputError, match="not UTF-8 text"):
        read_text(str(path), 100)


def test_digest_of_regular_files_only(tmp_path: Path) -> None:
    """One hashing helper for evidence and signed folders: a regular file gives its SHA-256
    and size; a FIFO (no hang), a link, a folder or a file over the bound gives None."""

    import hashlib

    regular = tmp_path / "doc.pdf"
    regular.write_bytes(b"x" * 3000)
    assert safe_io.digest(str(regular), 3000) == (hashlib.sha256(b"x" * 3000).hexdigest(), 3000)
    assert safe_io.digest(str(regular), 2999) is None
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    link = tmp_path / "link"
    link.symlink_to(regular)
    for path in (fifo, link, tmp_path, tmp_path / "missing"):
        assert safe_io.digest(str(path), 1 << 20) is None, path
