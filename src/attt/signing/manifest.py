"""The manifest of a signed folder: every file's SHA-256 and size, as canonical JSON."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import sys
from collections.abc import Iterator, Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .. import __version__, safe_io
from ..errors import InputError
from ..messages import T
from .keys import fingerprint, public_pem

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
EVIDENCE_DIR = "evidence"
MANIFEST_SCHEMA = "attt.manifest/1"

# Never listed in (nor compared against) the manifest: they are the signature itself.
_OWN_FILES = frozenset({MANIFEST, SIGNATURE})


def file_sha256(path: str) -> tuple[str, int]:
    """SHA-256 and size of a regular file; ("", -1) when it is not one any more (swapped
    for a FIFO, device or link since the folder was walked), which never matches a manifest
    entry."""

    return safe_io.digest(path, sys.maxsize) or ("", -1)


def walk_files(folder: str) -> Iterator[tuple[str, os.stat_result]]:
    """(relative POSIX path, lstat) of every entry that is not a directory, sorted."""

    found: list[tuple[str, os.stat_result]] = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        # os.walk does not descend into a symlinked folder; list it so that signing refuses
        # it and verifying reports it as added.
        links = [d for d in dirs if os.path.islink(os.path.join(root, d))]
        for name in [*files, *links]:
            full = os.path.join(root, name)
            rel = os.path.relpath(full, folder).replace(os.sep, "/")
            if rel in _OWN_FILES:
                continue
            found.append((rel, os.lstat(full)))
    yield from sorted(found)



def canonical_bytes(data: Mapping[str, Any]) -> bytes:
    """The manifest's canonical JSON bytes, the ones that are signed."""

    return (
        json.dumps(data, sort_keys=True, ensure_ascii=False, indent=1, separators=(",", ": "))
        + "\n"
    ).encode("utf-8")



def build_manifest(folder: str, public_key: Ed25519PublicKey) -> dict[str, Any]:
    """The manifest of a folder: SHA-256 and size of every file, the public key."""

    files: dict[str, dict[str, Any]] = {}
    for rel, st in walk_files(folder):
        if not stat.S_ISREG(st.st_mode):
            raise InputError(
                os.path.join(folder, rel), "", T("not a regular file (a bundle holds files only)")
            )
        digest, size = file_sha256(os.path.join(folder, rel))
        files[rel] = {"sha256": digest, "size": size}
    return {
        "schema": MANIFEST_SCHEMA,
        "tool": {"name": "attt", "version": __version__},
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "algorithm": "ed25519",
        "hash": "sha256",
        "public_key": public_pem(public_key),
        "key_fingerprint": fingerprint(public_key),
        "files": files,
    }

