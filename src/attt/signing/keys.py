"""Ed25519 signing keys: generate a pair, load a private or public key, fingerprint."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .. import safe_io
from ..errors import InputError
from ..messages import T

PRIVATE_NAME = "attt-signing.key"
PUBLIC_NAME = "attt-signing.pub"
# A PEM key is a few hundred bytes; the bound only stops a device or a huge file.
MAX_KEY_BYTES = 64 * 1024
PRIVATE_KEY = T("private key")  # names the file in read errors


def fingerprint(public_key: Ed25519PublicKey) -> str:
    """``SHA256:<hex>`` of the raw 32-byte public key (stable, printable)."""

    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "SHA256:" + hashlib.sha256(raw).hexdigest()



def public_pem(public_key: Ed25519PublicKey) -> str:
    """The public key as PEM (SubjectPublicKeyInfo)."""

    return public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")



def _write_new(path: str, data: bytes, mode: int, overwrite: bool) -> None:
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if overwrite else os.O_EXCL)
    try:
        fd = os.open(path, flags, mode)
    except FileExistsError:
        raise InputError(path, "", T("exists already (use --force to replace it)")) from None
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
                         T("expected a plain file name (no folder, no leading dot, no control "
                           "character)"))



@dataclass(frozen=True)
class KeyPair:
    """Where ``attt keys generate`` wrote a key pair, and its fingerprint."""

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
        raise InputError("passphrase", "", T("empty passphrase (use --no-passphrase on "
                                             "purpose)"))
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
                raise InputError(path, "", T("exists already (use --force to replace it)"))
    _write_new(priv_path, private, 0o600, force)
    _write_new(pub_path, public_pem(key.public_key()).encode("ascii"), 0o644, force)
    return KeyPair(priv_path, pub_path, fingerprint(key.public_key()))



def private_key_encrypted(path: str) -> bool:
    """True when the PEM at ``path`` needs a passphrase (so the CLI knows to ask for one)."""

    head = safe_io.read_bytes(path, MAX_KEY_BYTES, PRIVATE_KEY)[:4096]
    return b"ENCRYPTED" in head



def load_private_key(path: str, passphrase: bytes | None) -> Ed25519PrivateKey:
    """An Ed25519 private key from a PEM file (passphrase if encrypted)."""

    data = safe_io.read_bytes(path, MAX_KEY_BYTES, PRIVATE_KEY)
    try:
        key = serialization.load_pem_private_key(data, password=passphrase or None)
    except TypeError:
        # cryptography: a passphrase for a plain key, or none for an encrypted one.
        problem = (T("the private key needs a passphrase (ATTT_KEY_PASSPHRASE)")
                   if not passphrase else T("the private key is not encrypted"))
        raise InputError(path, "", problem) from None
    except ValueError:
        raise InputError(
            path, "", T("cannot load the private key: wrong passphrase or not a PEM key")
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError(path, "", T("not an Ed25519 private key"))
    return key



def load_public_key(path: str) -> Ed25519PublicKey:
    """An Ed25519 public key from a PEM file; a private key file is accepted too (its
    public half is used) as long as it is not encrypted."""

    data = safe_io.read_bytes(path, MAX_KEY_BYTES, T("public key"))
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        try:
            priv = serialization.load_pem_private_key(data, password=None)
        except (TypeError, ValueError):
            raise InputError(path, "", T("not a PEM public key")) from None
        if not isinstance(priv, Ed25519PrivateKey):
            raise InputError(path, "", T("not an Ed25519 key")) from None
        return priv.public_key()
    if not isinstance(key, Ed25519PublicKey):
        raise InputError(path, "", T("not an Ed25519 public key"))
    return key

