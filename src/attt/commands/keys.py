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
from ..messages import T
from ._output import echo, text

PASSPHRASE_ENV = "ATTT_KEY_PASSPHRASE"


def _prompt(text: str, confirm: bool) -> bytes:
    try:
        value = click.prompt(text, hide_input=True, confirmation_prompt=confirm, err=True,
                             default="", show_default=False)
    except click.exceptions.Abort:
        raise InputError(PASSPHRASE_ENV, "", T("no passphrase given (set it or type it)")
                         ) from None
    return str(value).encode("utf-8")


def load_signing_key(path: str) -> Ed25519PrivateKey:
    """The private key at ``path``, decrypted with ``$ATTT_KEY_PASSPHRASE`` or a hidden
    prompt; raises ``AtttError`` (exit 2) on any problem."""

    passphrase: bytes | None = None
    if signing.private_key_encrypted(path):
        env = os.environ.get(PASSPHRASE_ENV)
        passphrase = env.encode("utf-8") if env else _prompt(text(T("Key passphrase")), False)
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
    """Khóa ký số cho bộ báo cáo (Ed25519). / Signing keys for report bundles (Ed25519)."""


@keys.command("generate")
@click.option("-o", "--out", default=".", show_default=True,
              help="Thư mục lưu cặp khóa. / Folder for the key pair.")
@click.option("--name", default="attt-signing", show_default=True,
              help="Tên tệp: NAME.key (khóa bí mật) và NAME.pub (khóa công khai). / "
                   "File names: NAME.key (private) and NAME.pub (public).")
@click.option("--no-passphrase", is_flag=True,
              help="Lưu khóa bí mật không mã hóa (không khuyến nghị). / "
                   "Store the private key unencrypted (not recommended).")
@click.option("--force", is_flag=True,
              help="Thay cặp khóa đã có. / Replace an existing key pair.")
def keys_generate(out: str, name: str, no_passphrase: bool, force: bool) -> None:
    """Tạo cặp khóa Ed25519; khóa bí mật được mã hóa bằng cụm mật khẩu lấy từ
    $ATTT_KEY_PASSPHRASE hoặc được hỏi (hai lần, ẩn). / Make an Ed25519 key pair; the private
    key is encrypted with a passphrase taken from $ATTT_KEY_PASSPHRASE or asked for (twice,
    hidden)."""
    passphrase: bytes | None = None
    if not no_passphrase:
        env = os.environ.get(PASSPHRASE_ENV)
        passphrase = (env.encode("utf-8") if env
                      else _prompt(text(T("New key passphrase")), True))
        if not passphrase:
            raise InputError(PASSPHRASE_ENV, "", T("empty passphrase (use --no-passphrase on "
                                                   "purpose)"))
    pair = signing.generate_keys(out, passphrase, name=name, force=force)
    if passphrase is None:
        echo(T("private key: {path} (mode 0600, unencrypted)", path=pair.private_path))
    else:
        echo(T("private key: {path} (mode 0600, encrypted)", path=pair.private_path))
    echo(T("public key:  {path}", path=pair.public_path))
    echo(T("fingerprint: {fingerprint}", fingerprint=pair.fingerprint))


@click.command()
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("-k", "--key", "key", default=None, type=click.Path(dir_okay=False),
              envvar="ATTT_VERIFY_KEY",
              help="Khóa công khai của người ký; không có khóa thì chỉ kiểm tra tính toàn vẹn. / "
                   "The signer's public key; without it only integrity is checked.")
def verify(folder: str, key: str | None) -> None:
    """Kiểm tra chữ ký của THƯ MỤC kết quả hoặc hồ sơ đã ký và nêu mọi tệp bị sửa, thêm hoặc
    xóa (thoát 0 nguyên vẹn, 1 bị sửa đổi, 2 chưa ký hoặc không đọc được). / Check the
    signature of a signed run or dossier FOLDER and name every file changed, added or removed
    (exit 0 intact, 1 tampered, 2 unsigned or unreadable)."""
    res = signing.verify_folder(folder, key)
    for problem in res.problems:
        echo(T("PROBLEM  {problem}", problem=problem))
    if not res.signature_ok:
        echo(T("BAD SIGNATURE  manifest.json is not signed by the given key {fingerprint}",
               fingerprint=res.expected_fingerprint) if key
             else T("BAD SIGNATURE  manifest.json is not signed by its own key"))
    if not res.key_ok:
        echo(T("OTHER KEY  signed by {signer}, expected {expected}",
               signer=res.key_fingerprint, expected=res.expected_fingerprint))
    for label, names in ((T("CHANGED"), res.changed), (T("REMOVED"), res.removed),
                         (T("ADDED"), res.added)):
        for rel in names:
            echo(f"{text(label):<8} {rel}")
    if res.ok:
        echo(T("OK  {count} files intact, signed by {fingerprint}", count=res.files,
               fingerprint=res.key_fingerprint))
        if not key:
            echo(T("note: no --key given: integrity checked, not who signed it"), err=True)
        sys.exit(0)
    echo(T("TAMPERED  {folder}", folder=folder))
    sys.exit(int(ExitStatus.NON_COMPLIANT))
