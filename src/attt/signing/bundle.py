"""Signing a folder: copy the evidence in, write ``manifest.json`` and ``manifest.sig``."""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import stat
from collections.abc import Mapping

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .. import artefacts
from ..errors import InputError
from ..evidence import MAX_DOCUMENT_BYTES, document_problem
from ..messages import T
from .keys import load_private_key
from .manifest import EVIDENCE_DIR, MANIFEST, SIGNATURE, build_manifest, canonical_bytes

log = logging.getLogger("attt.signing")  # the name it had as one module


def _safe_name(text: str) -> str:
    keep = "".join(c if c.isalnum() or c in "-_." else "_" for c in text).strip("._")
    return keep or "system"



def evidence_files(folder: str) -> dict[str, str]:
    """Evidence the run in ``folder`` used, as {path under the folder: source path}: each
    system's evidence YAML (``run.evidence`` of results.json) and every document file it
    lists that was hashed at load time (``requirements[].documents[].document``)."""

    return _evidence_from_results(folder)[0]



def _evidence_from_results(folder: str) -> tuple[dict[str, str], dict[str, str]]:
    """(evidence_files, {source: sha256 recorded by the scan})."""

    results = os.path.join(folder, "results.json")
    try:
        doc = artefacts.read_json(results, artefacts.MAX_RESULTS_BYTES, "results.json")
    except InputError:
        return {}, {}
    if not isinstance(doc, dict):
        return {}, {}
    run = doc.get("run") or {}
    sources = run.get("evidence") or {}
    out: dict[str, str] = {}
    hashes: dict[str, str] = {}
    for system in doc.get("systems") or []:
        name = str(system.get("name", ""))
        base = f"{EVIDENCE_DIR}/{_safe_name(name)}"
        src = sources.get(name)
        if src:
            _add(out, f"{base}/{os.path.basename(src)}", str(src))
        root = str(run.get("evidence_root") or (os.path.dirname(str(src)) if src else ""))
        for req in system.get("requirements") or []:
            for result in req.get("documents") or []:
                document = (result or {}).get("document") or {}
                path, digest = document.get("file"), document.get("sha256")
                # Only what the scan hashed inside the evidence folder; results.json is
                # re-checked because it is a file anyone could have edited since.
                if not (path and isinstance(digest, str) and root):
                    continue
                if document_problem(str(path), root):
                    continue
                _add(out, f"{base}/files/{os.path.basename(str(path))}", str(path))
                hashes[str(path)] = digest
    return out, hashes



def _add(out: dict[str, str], rel: str, src: str) -> None:
    """Two different files with one name keep both: the second gets a numbered name."""

    stem, ext = os.path.splitext(rel)
    candidate, n = rel, 1
    while candidate in out and os.path.abspath(out[candidate]) != os.path.abspath(src):
        n += 1
        candidate = f"{stem}-{n}{ext}"
    out[candidate] = src



def _copy_checked(src: str, dest: str, expected: str | None) -> str:
    """Copy one evidence file; returns why it was not copied ("" when it was).

    Read once, through a descriptor that cannot be a device, a FIFO or a swapped-in
    symlink, and bounded in size; with ``expected``, the bytes copied must be the bytes the
    scan hashed, otherwise the copy is removed (the bundle never signs a later version
    under the earlier verdict)."""

    try:
        fd = os.open(os.path.realpath(src),
                     os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        return exc.strerror or "cannot open"
    digest = hashlib.sha256()
    with os.fdopen(fd, "rb") as fh:
        st = os.fstat(fh.fileno())
        if not stat.S_ISREG(st.st_mode):
            return "not a regular file"
        if st.st_size > MAX_DOCUMENT_BYTES:
            return "too big"
        size = 0
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, "wb") as out:
            for block in iter(lambda: fh.read(1 << 20), b""):
                size += len(block)
                if size > MAX_DOCUMENT_BYTES:
                    break
                digest.update(block)
                out.write(block)
    if size > MAX_DOCUMENT_BYTES or (expected is not None and digest.hexdigest() != expected):
        os.remove(dest)
        return "changed since the scan hashed it" if expected is not None else "too big"
    return ""



def _copy_evidence(
    folder: str, wanted: Mapping[str, str], hashes: Mapping[str, str] | None = None
) -> list[tuple[str, str]]:
    """Copy the evidence into the folder; returns (source, why) of those not copied."""

    skipped = []
    for rel, src in sorted(wanted.items()):
        dest = os.path.join(folder, *rel.split("/"))
        if os.path.abspath(src) == os.path.abspath(dest):
            continue
        why = _copy_checked(src, dest, (hashes or {}).get(src))
        if why:
            skipped.append((src, why))
    return skipped



def sign_folder(
    folder: str,
    key: str | Ed25519PrivateKey,
    passphrase: bytes | None = None,
    evidence: Mapping[str, str] | None = None,
    hashes: Mapping[str, str] | None = None,
) -> str:
    """Copy the evidence in, hash every file, write and sign ``manifest.json``.

    ``key``: a private key file (decrypted with ``passphrase``) or a loaded key (the CLI
    loads it before a long scan so a wrong passphrase fails at once).  ``evidence``: files
    to bring into the folder as {relative path: source}; default: what ``results.json``
    names (``evidence_files``).  ``hashes``: {source: sha256} the copies must match.
    Returns the manifest path.
    """

    if not os.path.isdir(folder):
        raise InputError(folder, "", T("not a folder"))
    private = key if isinstance(key, Ed25519PrivateKey) else load_private_key(key, passphrase)
    if evidence is None:
        wanted, hashes = _evidence_from_results(folder)
    else:
        wanted = dict(evidence)
    for src, why in _copy_evidence(folder, wanted, hashes):
        log.warning("evidence file %s not in the signed bundle: %s", src, why)
    manifest = build_manifest(folder, private.public_key())
    data = canonical_bytes(manifest)
    signature = private.sign(data)
    sig_doc = {
        "algorithm": "ed25519",
        "key_fingerprint": manifest["key_fingerprint"],
        "manifest_sha256": hashlib.sha256(data).hexdigest(),
        "signature": base64.b64encode(signature).decode("ascii"),
    }
    manifest_path = os.path.join(folder, MANIFEST)
    for name, payload in ((MANIFEST, data), (SIGNATURE, canonical_bytes(sig_doc))):
        path = os.path.join(folder, name)
        with open(path + ".tmp", "wb") as fh:
            fh.write(payload)
        os.replace(path + ".tmp", path)
    return manifest_path

