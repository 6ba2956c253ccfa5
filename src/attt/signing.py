"""Signed report bundles: Ed25519 keys, a SHA-256 manifest of a folder, its signature.

A signed folder (a scan run folder or a dossier folder) holds two more files:

* ``manifest.json``: the SHA-256 and size of every other regular file under the folder
  (reports, ``findings.jsonl``, ``run.json``, and the ``evidence/`` copies), the signer's
  public key and its fingerprint.  It is written once as canonical JSON (sorted keys, fixed
  separators, UTF-8) and the signature covers its exact bytes, so there is nothing to
  re-canonicalise when verifying.
* ``manifest.sig``: the Ed25519 signature of those bytes (base64) and the key fingerprint.

Evidence: the evidence files a run used (``run.evidence`` in ``results.json``: each system's
evidence YAML and the document files it lists) live outside the run folder and may move or
change later.  They are *copied* into ``evidence/<system>/`` before hashing, so the bundle is
self-contained and ``verify`` can check every byte the verdict rests on.

Verification without ``--key`` checks the signature against the public key embedded in the
manifest: it proves the folder is unchanged since it was signed, not who signed it.  Pass
the signer's public key (``verify_folder(folder, public_key)``) to check both.

Only ``cryptography`` does cryptography here; this module only moves bytes around.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
import os
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from . import __version__, artefacts, safe_io
from .errors import InputError
from .evidence import MAX_DOCUMENT_BYTES, document_problem

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
EVIDENCE_DIR = "evidence"
MANIFEST_SCHEMA = "attt.manifest/1"
PRIVATE_NAME = "attt-signing.key"
PUBLIC_NAME = "attt-signing.pub"
# Never listed in (nor compared against) the manifest: they are the signature itself.
_OWN_FILES = frozenset({MANIFEST, SIGNATURE})
# A PEM key is a few hundred bytes; the bound only stops a device or a huge file.
MAX_KEY_BYTES = 64 * 1024


# --------------------------------------------------------------------------- keys


def fingerprint(public_key: Ed25519PublicKey) -> str:
    """``SHA256:<hex>`` of the raw 32-byte public key (stable, printable)."""

    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "SHA256:" + hashlib.sha256(raw).hexdigest()


def public_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def _write_new(path: str, data: bytes, mode: int, overwrite: bool) -> None:
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if overwrite else os.O_EXCL)
    try:
        fd = os.open(path, flags, mode)
    except FileExistsError:
        raise InputError(path, "", "exists already (use --force to replace it)") from None
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(path, mode)  # the umask or an existing file must not widen it


def _check_key_name(name: str) -> None:
    """``--name`` becomes two file names inside ``--out``: a path, a hidden name or a
    control character would put the keys somewhere else or disguise them."""

    bad = (
        not name
        or name in (".", "..")
        or name.startswith(".")
        or "/" in name
        or (os.altsep is not None and os.altsep in name)
        or any(ord(c) < 32 or 127 <= ord(c) < 160 for c in name)
    )
    if bad:
        raise InputError("--name", repr(name) if name else "''",
                         "expected a plain file name (no folder, no leading dot, no control "
                         "character)")


@dataclass(frozen=True)
class KeyPair:
    private_path: str
    public_path: str
    fingerprint: str


def generate_keys(
    out_dir: str, passphrase: bytes | None, name: str = "attt-signing", force: bool = False
) -> KeyPair:
    """A new Ed25519 pair: ``<name>.key`` (PKCS#8 PEM, encrypted with ``passphrase`` unless it
    is None, mode 0600) and ``<name>.pub`` (SubjectPublicKeyInfo PEM, mode 0644)."""

    _check_key_name(name)
    if passphrase is not None and not passphrase:
        raise InputError("passphrase", "", "empty passphrase (use --no-passphrase on purpose)")
    os.makedirs(out_dir, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    priv_path = os.path.join(out_dir, f"{name}.key")
    pub_path = os.path.join(out_dir, f"{name}.pub")
    if not force:
        for path in (priv_path, pub_path):
            if os.path.exists(path):
                raise InputError(path, "", "exists already (use --force to replace it)")
    _write_new(priv_path, private, 0o600, force)
    _write_new(pub_path, public_pem(key.public_key()).encode("ascii"), 0o644, force)
    return KeyPair(priv_path, pub_path, fingerprint(key.public_key()))


def private_key_encrypted(path: str) -> bool:
    """True when the PEM at ``path`` needs a passphrase (so the CLI knows to ask for one)."""

    head = safe_io.read_bytes(path, MAX_KEY_BYTES, "private key")[:4096]
    return b"ENCRYPTED" in head


def load_private_key(path: str, passphrase: bytes | None) -> Ed25519PrivateKey:
    data = safe_io.read_bytes(path, MAX_KEY_BYTES, "private key")
    try:
        key = serialization.load_pem_private_key(data, password=passphrase or None)
    except TypeError:
        # cryptography: a passphrase for a plain key, or none for an encrypted one.
        need = "needs a passphrase (ATTT_KEY_PASSPHRASE)" if not passphrase else "is not encrypted"
        raise InputError(path, "", f"the private key {need}") from None
    except ValueError:
        raise InputError(
            path, "", "cannot load the private key: wrong passphrase or not a PEM key"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError(path, "", "not an Ed25519 private key")
    return key


def load_public_key(path: str) -> Ed25519PublicKey:
    """An Ed25519 public key from a PEM file; a private key file is accepted too (its
    public half is used) as long as it is not encrypted."""

    data = safe_io.read_bytes(path, MAX_KEY_BYTES, "public key")
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        try:
            priv = serialization.load_pem_private_key(data, password=None)
        except (TypeError, ValueError):
            raise InputError(path, "", "not a PEM public key") from None
        if not isinstance(priv, Ed25519PrivateKey):
            raise InputError(path, "", "not an Ed25519 key") from None
        return priv.public_key()
    if not isinstance(key, Ed25519PublicKey):
        raise InputError(path, "", "not an Ed25519 public key")
    return key


# --------------------------------------------------------------------------- manifest


def _sha256(path: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _walk(folder: str) -> Iterator[tuple[str, os.stat_result]]:
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
    return (
        json.dumps(data, sort_keys=True, ensure_ascii=False, indent=1, separators=(",", ": "))
        + "\n"
    ).encode("utf-8")


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


def build_manifest(folder: str, public_key: Ed25519PublicKey) -> dict[str, Any]:
    files: dict[str, dict[str, Any]] = {}
    for rel, st in _walk(folder):
        if not stat.S_ISREG(st.st_mode):
            raise InputError(
                os.path.join(folder, rel), "", "not a regular file (a bundle holds files only)"
            )
        digest, size = _sha256(os.path.join(folder, rel))
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
        raise InputError(folder, "", "not a folder")
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


# --------------------------------------------------------------------------- verify


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
    problems: list[str] = field(default_factory=list)
    files: int = 0

    @property
    def ok(self) -> bool:
        return (
            self.signature_ok
            and self.key_ok
            and not (self.changed or self.added or self.removed or self.problems)
        )


def _read_json(path: str) -> tuple[bytes, dict[str, Any]]:
    if not os.path.lexists(path):
        raise InputError(path, "", "missing: the folder is not signed")
    raw = safe_io.read_bytes(path, artefacts.MAX_MANIFEST_BYTES, os.path.basename(path))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, "", f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    data = artefacts.parse_json(text, path)
    if not isinstance(data, dict):
        raise InputError(path, "", "not a JSON object")
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
        raise InputError(folder, "", "not a folder")
    trusted: Ed25519PublicKey | None
    trusted = load_public_key(public_key) if isinstance(public_key, str) else public_key
    result = VerifyResult(folder)
    raw, manifest = _read_json(os.path.join(folder, MANIFEST))
    _, sig_doc = _read_json(os.path.join(folder, SIGNATURE))
    try:
        embedded = serialization.load_pem_public_key(str(manifest["public_key"]).encode())
        signature = base64.b64decode(str(sig_doc["signature"]), validate=True)
    except (KeyError, ValueError) as exc:
        result.problems.append(f"malformed manifest or signature: {exc}")
        return result
    if not isinstance(embedded, Ed25519PublicKey):
        result.problems.append("the manifest's key is not an Ed25519 key")
        return result
    result.key_fingerprint = fingerprint(embedded)
    if manifest.get("key_fingerprint") != result.key_fingerprint:
        result.problems.append("the manifest's key fingerprint does not match its key")
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
        result.problems.append("the manifest lists no files")
        return result
    result.files = len(listed)
    present = dict(_walk(folder))
    for rel in sorted(listed):
        entry = listed[rel]
        if rel.startswith("/") or ".." in rel.split("/"):
            result.problems.append(f"the manifest names a file outside the folder: {rel}")
            continue
        st = present.get(rel)
        if st is None:
            result.removed.append(rel)
            continue
        if not stat.S_ISREG(st.st_mode):
            result.changed.append(rel)
            continue
        digest, size = _sha256(os.path.join(folder, rel))
        if not isinstance(entry, dict) or entry.get("sha256") != digest or entry.get(
            "size"
        ) != size:
            result.changed.append(rel)
    result.added = sorted(rel for rel in present if rel not in listed)
    return result


__all__ = [
    "MANIFEST",
    "SIGNATURE",
    "KeyPair",
    "VerifyResult",
    "evidence_files",
    "fingerprint",
    "generate_keys",
    "load_private_key",
    "load_public_key",
    "private_key_encrypted",
    "sign_folder",
    "verify_folder",
]
