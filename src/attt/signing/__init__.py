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

from .bundle import evidence_files, sign_folder
from .keys import (
    MAX_KEY_BYTES,
    PRIVATE_NAME,
    PUBLIC_NAME,
    KeyPair,
    fingerprint,
    generate_keys,
    load_private_key,
    load_public_key,
    private_key_encrypted,
    public_pem,
)
from .manifest import (
    EVIDENCE_DIR,
    MANIFEST,
    MANIFEST_SCHEMA,
    SIGNATURE,
    build_manifest,
    canonical_bytes,
)
from .verify import VerifyResult, verify_folder

__all__ = [
    "EVIDENCE_DIR",
    "MANIFEST",
    "MANIFEST_SCHEMA",
    "MAX_KEY_BYTES",
    "PRIVATE_NAME",
    "PUBLIC_NAME",
    "SIGNATURE",
    "KeyPair",
    "VerifyResult",
    "build_manifest",
    "canonical_bytes",
    "evidence_files",
    "fingerprint",
    "generate_keys",
    "load_private_key",
    "load_public_key",
    "private_key_encrypted",
    "public_pem",
    "sign_folder",
    "verify_folder",
]
