"""Verifying a signed folder: the signature, the signer's key, every file as signed."""

from __future__ import annotations

import base64
import os
import stat
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .. import artefacts, safe_io
from ..errors import InputError
from ..messages import Msg, T
from .keys import fingerprint, load_public_key
from .manifest import MANIFEST, SIGNATURE, file_sha256, walk_files


@dataclass
class VerifyResult:
    """What ``verify_folder`` found.  ``ok``: signature valid, key trusted (when one was
    given) and every file as signed."""

    folder: str
    signature_ok: bool = False
    key_fingerprint: str = ""  # of the key in the manifest
    expected_fingerprint: str = ""  # of the key the caller trusts ("" if none given)
    key_ok: bool = True
    changed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    problems: list[Msg] = field(default_factory=list)  # printed in the CLI language
    files: int = 0

    @property
    def ok(self) -> bool:
        """Whether the signature, the key and every file check out."""

        return (
            self.signature_ok
            and self.key_ok
            and not (self.changed or self.added or self.removed or self.problems)
        )



def _read_json(path: str) -> tuple[bytes, dict[str, Any]]:
    if not os.path.lexists(path):
        raise InputError(path, "", T("missing: the folder is not signed"))
    raw = safe_io.read_bytes(path, artefacts.MAX_MANIFEST_BYTES, os.path.basename(path))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, "", safe_io.not_utf8(exc)) from None
    data = artefacts.parse_json(text, path)
    if not isinstance(data, dict):
        raise InputError(path, "", T("not a JSON object"))
    return raw, data



def verify_folder(
    folder: str, public_key: str | Ed25519PublicKey | None = None
) -> VerifyResult:
    """Check ``manifest.sig`` over ``manifest.json`` and every file against the manifest.

    Raises ``InputError`` (exit 2) when the folder carries no readable manifest or the key
    cannot be read; every other problem (bad signature, other key, changed, added or removed
    file, malformed manifest) is reported in the result (exit 1).
    """

    if not os.path.isdir(folder):
        raise InputError(folder, "", T("not a folder"))
    trusted: Ed25519PublicKey | None
    trusted = load_public_key(public_key) if isinstance(public_key, str) else public_key
    result = VerifyResult(folder)
    raw, manifest = _read_json(os.path.join(folder, MANIFEST))
    _, sig_doc = _read_json(os.path.join(folder, SIGNATURE))
    try:
        embedded = serialization.load_pem_public_key(str(manifest["public_key"]).encode())
        signature = base64.b64decode(str(sig_doc["signature"]), validate=True)
    except (KeyError, ValueError) as exc:
        # The exception text is a key name or the decoder's wording: data.
        result.problems.append(T("malformed manifest or signature: {problem}",
                                 problem=str(exc)))
        return result
    if not isinstance(embedded, Ed25519PublicKey):
        result.problems.append(T("the manifest's key is not an Ed25519 key"))
        return result
    result.key_fingerprint = fingerprint(embedded)
    if manifest.get("key_fingerprint") != result.key_fingerprint:
        result.problems.append(T("the manifest's key fingerprint does not match its key"))
    if trusted is not None:
        result.expected_fingerprint = fingerprint(trusted)
        result.key_ok = result.expected_fingerprint == result.key_fingerprint
    # Always against the trusted key when there is one: a bundle re-signed with another key
    # must fail even if its own embedded key checks out.
    try:
        (trusted or embedded).verify(signature, raw)
        result.signature_ok = True
    except InvalidSignature:
        result.signature_ok = False
    listed = manifest.get("files")
    if not isinstance(listed, dict):
        result.problems.append(T("the manifest lists no files"))
        return result
    result.files = len(listed)
    present = dict(walk_files(folder))
    for rel in sorted(listed):
        entry = listed[rel]
        if rel.startswith("/") or ".." in rel.split("/"):
            result.problems.append(T("the manifest names a file outside the folder: {file}",
                                     file=rel))
            continue
        st = present.get(rel)
        if st is None:
            result.removed.append(rel)
            continue
        if not stat.S_ISREG(st.st_mode):
            result.changed.append(rel)
            continue
        digest, size = file_sha256(os.path.join(folder, rel))
        if not isinstance(entry, dict) or entry.get("sha256") != digest or entry.get(
            "size"
        ) != size:
            result.changed.append(rel)
    result.added = sorted(rel for rel in present if rel not in listed)
    return result

