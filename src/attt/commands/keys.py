"""Signing commands: ``attt keys generate`` and ``attt verify DIR``.

``load_signing_key`` is what every command with ``--sign KEY`` (scan, dossier) calls before
its work starts, so a wrong passphrase fails at once and not after a long scan; it then hands
the loaded key to ``attt.signing.sign_folder``.
"""

from __future__ import annotations

import os
import sys

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from .. import redact, signing
from ..errors import ExitStatus, InputError
from ._output import echo

PASSPHRASE_ENV = "ATTT_KEY_PASSPHRASE"


def _prompt(text: str, confirm: bool) -> bytes:
    try:
        value = click.prompt(text, hide_input=True, confirmation_prompt=confirm, err=True,
                             default="", show_default=False)
    except click.exceptions.Abort:
        raise InputError(PASSPHRASE_ENV, "", "no passphrase given (set it or type it)") from None
    return str(value).encode("utf-8")


def load_signing_key(path: str) -> Ed25519PrivateKey:
    """The private key at ``path``, decrypted with ``$ATTT_KEY_PASSPHRASE`` or a hidden
    prompt; raises ``AtttError`` (exit 2) on any problem."""

    passphrase: bytes | None = None
    if signing.private_key_encrypted(path):
        env = os.environ.get(PASSPHRASE_ENV)
        passphrase = env.encode("utf-8") if env else _prompt("Key passphrase", False)
        redact.register(passphrase.decode("utf-8", "replace"), PASSPHRASE_ENV)
    return signing.load_private_key(path, passphrase)


def sign_or_fail(folder: str, key: Ed25519PrivateKey) -> str:
    """Sign ``folder``; an OS error becomes an ``InputError`` naming the folder."""
    try:
        return signing.sign_folder(folder, key)
    except OSError as exc:
        raise InputError(folder, "", str(exc)) from exc


@click.group()
def keys() -> None:
    """Signing keys for report bundles (Ed25519)."""


@keys.command("generate")
@click.option("-o", "--out", default=".", show_default=True, help="Folder for the key pair.")
@click.option("--name", default="attt-signing", show_default=True,
              help="File names: NAME.key (private) and NAME.pub (public).")
@click.option("--no-passphrase", is_flag=True,
              help="Store the private key unencrypted (not recommended).")
@click.option("--force", is_flag=True, help="Replace an existing key pair.")
def keys_generate(out: str, name: str, no_passphrase: bool, force: bool) -> None:
    """Make an Ed25519 key pair; the private key is encrypted with a passphrase taken from
    $ATTT_KEY_PASSPHRASE or asked for (twice, hidden)."""
    passphrase: bytes | None = None
    if not no_passphrase:
        env = os.environ.get(PASSPHRASE_ENV)
        passphrase = env.encode("utf-8") if env else _prompt("New key passphrase", True)
        if not passphrase:
            raise InputError(PASSPHRASE_ENV, "", "empty passphrase (use --no-passphrase on "
                                                 "purpose)")
    pair = signing.generate_keys(out, passphrase, name=name, force=force)
    echo(f"private key: {pair.private_path} (mode 0600"
               + (", unencrypted)" if passphrase is None else ", encrypted)"))
    echo(f"public key:  {pair.public_path}")
    echo(f"fingerprint: {pair.fingerprint}")


@click.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("-k", "--key", "key", default=None, type=click.Path(dir_okay=False),
              envvar="ATTT_VERIFY_KEY",
              help="The signer's public key; without it only integrity is checked.")
def verify(folder: str, key: str | None) -> None:
    """Check the signature of a signed run or dossier FOLDER and name every file changed,
    added or removed (exit 0 intact, 1 tampered, 2 unsigned or unreadable)."""
    res = signing.verify_folder(folder, key)
    for problem in res.problems:
        echo(f"PROBLEM  {problem}")
    if not res.signature_ok:
        echo("BAD SIGNATURE  manifest.json is not signed by "
                   + (f"the given key {res.expected_fingerprint}" if key else "its own key"))
    if not res.key_ok:
        echo(f"OTHER KEY  signed by {res.key_fingerprint}, expected "
                   f"{res.expected_fingerprint}")
    for label, names in (("CHANGED", res.changed), ("REMOVED", res.removed),
                         ("ADDED", res.added)):
        for rel in names:
            echo(f"{label:<8} {rel}")
    if res.ok:
        echo(f"OK  {res.files} files intact, signed by {res.key_fingerprint}")
        if not key:
            echo("note: no --key given: integrity checked, not who signed it",
                       err=True)
        sys.exit(0)
    echo(f"TAMPERED  {folder}")
    sys.exit(int(ExitStatus.NON_COMPLIANT))
