"""Signed bundles for real: keys on disk, a real scan folder, tampering of every kind."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from attt import signing
from attt.cli import main
from attt.errors import InputError

PASS = "correct horse battery staple"


def run(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> Result:
    # English output: these tests read the verify/keys lines; tests/cli/test_cli_vi.py has vi.
    return CliRunner().invoke(main, list(args), env={"ATTT_LANG": "en", **(env or {})},
                              input=input, catch_exceptions=False)


def make_rootfs(root: Path) -> Path:
    (root / "etc/ssh").mkdir(parents=True)
    (root / "etc/ssh/sshd_config").write_text("PermitRootLogin yes\nPasswordAuthentication no\n")
    (root / "etc/login.defs").write_text("PASS_MAX_DAYS 90\nPASS_MIN_LEN 12\n")
    return root


@pytest.fixture()
def keys(tmp_path: Path) -> tuple[Path, Path]:
    res = run("keys", "generate", "--out", str(tmp_path / "keys"),
              env={"ATTT_KEY_PASSPHRASE": PASS})
    assert res.exit_code == 0, res.output
    return tmp_path / "keys/attt-signing.key", tmp_path / "keys/attt-signing.pub"


@pytest.fixture()
def signed_run(tmp_path: Path, keys: tuple[Path, Path]) -> Path:
    rootfs = make_rootfs(tmp_path / "rootfs")
    (tmp_path / "quyche.pdf").write_bytes(b"%PDF-1.4 quy che ATTT")
    evidence = tmp_path / "evidence.yaml"
    evidence.write_text(
        "system: adhoc\ndocuments:\n"
        "  - {requirement: TT12.QL.CS.1, number: \"01/QĐ-STTTT\", title: Quy chế ATTT,\n"
        "     issued: 2026-01-05, approver: Giám đốc Sở, file: quyche.pdf}\n",
        encoding="utf-8",
    )
    out = tmp_path / "run"
    res = run("scan", "-t", f"dir:{rootfs}", "-o", str(out), "-q", "--evidence", str(evidence),
              "-f", "html,json,junit,sarif,csv", "--sign", str(keys[0]),
              env={"ATTT_KEY_PASSPHRASE": PASS})
    assert res.exit_code == 1, res.output  # PermitRootLogin yes: non-compliant, still signed
    assert "manifest.json" in res.output
    return out


def verify(folder: Path, pub: Path | None = None) -> Result:
    args = ["verify", str(folder)] + (["--key", str(pub)] if pub else [])
    return run(*args)


def test_generate_writes_encrypted_private_key_0600(keys: tuple[Path, Path]) -> None:
    priv, pub = keys
    assert stat.S_IMODE(priv.stat().st_mode) == 0o600
    text = priv.read_text()
    assert "BEGIN ENCRYPTED PRIVATE KEY" in text
    assert "BEGIN PUBLIC KEY" in pub.read_text()
    with pytest.raises(InputError, match="passphrase"):
        signing.load_private_key(str(priv), None)
    with pytest.raises(InputError, match="wrong passphrase"):
        signing.load_private_key(str(priv), b"not it")
    key = signing.load_private_key(str(priv), PASS.encode())
    assert signing.fingerprint(key.public_key()) == signing.fingerprint(
        signing.load_public_key(str(pub))
    )


def test_generate_refuses_empty_passphrase_and_overwrite(tmp_path: Path) -> None:
    res = run("keys", "generate", "-o", str(tmp_path), input="\n\n")
    assert res.exit_code == 2
    assert "empty passphrase" in res.output
    assert not (tmp_path / "attt-signing.key").exists()
    res = run("keys", "generate", "-o", str(tmp_path), input=f"{PASS}\n{PASS}\n")
    assert res.exit_code == 0, res.output
    res = run("keys", "generate", "-o", str(tmp_path), env={"ATTT_KEY_PASSPHRASE": PASS})
    assert res.exit_code == 2 and "exists already" in res.output
    res = run("keys", "generate", "-o", str(tmp_path / "plain"), "--no-passphrase")
    assert res.exit_code == 0
    assert "BEGIN PRIVATE KEY" in (tmp_path / "plain/attt-signing.key").read_text()


def test_signed_scan_verifies_and_carries_evidence(
    signed_run: Path, keys: tuple[Path, Path]
) -> None:
    manifest = json.loads((signed_run / "manifest.json").read_text())
    files = manifest["files"]
    for name in ("report.html", "results.json", "junit.xml", "results.sarif", "results.csv",
                 "findings.jsonl", "run.json", "evidence/adhoc/evidence.yaml",
                 "evidence/adhoc/files/quyche.pdf"):
        assert name in files, name
        assert len(files[name]["sha256"]) == 64
    assert "manifest.sig" not in files and "manifest.json" not in files
    assert manifest["key_fingerprint"].startswith("SHA256:")
    res = verify(signed_run, keys[1])
    assert res.exit_code == 0, res.output
    assert f"{len(files)} files intact" in res.output


def test_change_one_byte_is_named(signed_run: Path, keys: tuple[Path, Path]) -> None:
    report = signed_run / "report.html"
    data = bytearray(report.read_bytes())
    data[len(data) // 2] ^= 0x01
    report.write_bytes(bytes(data))
    res = verify(signed_run, keys[1])
    assert res.exit_code == 1
    assert "CHANGED  report.html" in res.output
    assert "TAMPERED" in res.output


def test_changed_evidence_copy_is_named(signed_run: Path, keys: tuple[Path, Path]) -> None:
    (signed_run / "evidence/adhoc/files/quyche.pdf").write_bytes(b"%PDF-1.4 forged")
    res = verify(signed_run, keys[1])
    assert res.exit_code == 1
    assert "CHANGED  evidence/adhoc/files/quyche.pdf" in res.output


def test_removed_file_is_named(signed_run: Path, keys: tuple[Path, Path]) -> None:
    (signed_run / "junit.xml").unlink()
    res = verify(signed_run, keys[1])
    assert res.exit_code == 1
    assert "REMOVED  junit.xml" in res.output


def test_added_file_is_named(signed_run: Path, keys: tuple[Path, Path]) -> None:
    (signed_run / "evidence/adhoc/extra.txt").write_text("planted")
    res = verify(signed_run, keys[1])
    assert res.exit_code == 1
    assert "ADDED    evidence/adhoc/extra.txt" in res.output


def test_swapped_key_is_detected(
    tmp_path: Path, signed_run: Path, keys: tuple[Path, Path]
) -> None:
    # An attacker edits a report and re-signs the whole folder with a key of their own.
    other = signing.generate_keys(str(tmp_path / "other"), None)
    results = signed_run / "results.json"
    results.write_text(results.read_text().replace('"non_compliant"', '"compliant"'))
    signing.sign_folder(str(signed_run), other.private_path)
    # Without the trusted key only integrity can be checked, and the forgery is consistent.
    assert verify(signed_run).exit_code == 0
    res = verify(signed_run, keys[1])
    assert res.exit_code == 1
    assert "OTHER KEY" in res.output and other.fingerprint in res.output
    assert "BAD SIGNATURE" in res.output
    # Swapping only the signature file (manifest left as signed by us) fails as well.
    signing.sign_folder(str(signed_run), signing.load_private_key(str(keys[0]), PASS.encode()))
    forged = json.loads((signed_run / "manifest.sig").read_text())
    key = signing.load_private_key(other.private_path, None)
    forged["signature"] = base64.b64encode(
        key.sign((signed_run / "manifest.json").read_bytes())
    ).decode()
    (signed_run / "manifest.sig").write_text(json.dumps(forged))
    res = verify(signed_run, keys[1])
    assert res.exit_code == 1 and "BAD SIGNATURE" in res.output


def test_edited_manifest_breaks_the_signature(
    signed_run: Path, keys: tuple[Path, Path]
) -> None:
    # Hide a change by updating its hash in the manifest: the signature no longer matches.
    report = signed_run / "report.html"
    report.write_bytes(report.read_bytes() + b"<!-- x -->")
    manifest = json.loads((signed_run / "manifest.json").read_text())
    res = signing.verify_folder(str(signed_run))
    assert res.changed == ["report.html"]
    manifest["files"]["report.html"]["sha256"] = hashlib.sha256(report.read_bytes()).hexdigest()
    manifest["files"]["report.html"]["size"] = report.stat().st_size
    (signed_run / "manifest.json").write_bytes(signing.canonical_bytes(manifest))
    res2 = verify(signed_run, keys[1])
    assert res2.exit_code == 1 and "BAD SIGNATURE" in res2.output
    assert "CHANGED" not in res2.output  # every file matches the (forged) manifest


def test_verify_usage_errors(tmp_path: Path, keys: tuple[Path, Path]) -> None:
    (tmp_path / "plain").mkdir()
    res = verify(tmp_path / "plain", keys[1])
    assert res.exit_code == 2 and "not signed" in res.output
    res = verify(tmp_path / "missing")
    assert res.exit_code == 2


def test_scan_sign_with_wrong_passphrase_fails_before_scanning(
    tmp_path: Path, keys: tuple[Path, Path]
) -> None:
    rootfs = make_rootfs(tmp_path / "rootfs")
    out = tmp_path / "run"
    res = run("scan", "-t", f"dir:{rootfs}", "-o", str(out), "-q", "--sign", str(keys[0]),
              env={"ATTT_KEY_PASSPHRASE": "wrong"})
    assert res.exit_code == 2 and "wrong passphrase" in res.output
    assert not out.exists()


def test_sign_folder_for_any_folder(tmp_path: Path, keys: tuple[Path, Path]) -> None:
    # What `attt dossier --sign` uses: a folder without results.json, explicit extra files.
    folder = tmp_path / "dossier"
    folder.mkdir()
    (folder / "dossier.html").write_text("<html>hồ sơ</html>", encoding="utf-8")
    (tmp_path / "so-do-mang.pdf").write_bytes(b"%PDF diagram")
    extra = {"evidence/so-do-mang.pdf": str(tmp_path / "so-do-mang.pdf")}
    path = signing.sign_folder(str(folder), str(keys[0]), PASS.encode(), evidence=extra)
    assert os.path.basename(path) == "manifest.json"
    result = signing.verify_folder(str(folder), str(keys[1]))
    assert result.ok and result.files == 2


def test_symlinks_are_refused_when_signing_and_reported_when_verifying(
    tmp_path: Path, keys: tuple[Path, Path]
) -> None:
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "report.html").write_text("ok")
    signing.sign_folder(str(folder), str(keys[0]), PASS.encode())
    (folder / "linked").symlink_to(tmp_path)
    res = verify(folder, keys[1])
    assert res.exit_code == 1 and "ADDED    linked" in res.output
    with pytest.raises(InputError, match="not a regular file"):
        signing.sign_folder(str(folder), str(keys[0]), PASS.encode())


def test_manifest_naming_files_outside_the_folder_is_a_problem(
    tmp_path: Path, keys: tuple[Path, Path]
) -> None:
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "a.txt").write_text("a")
    key = signing.load_private_key(str(keys[0]), PASS.encode())
    manifest = signing.build_manifest(str(folder), key.public_key())
    manifest["files"]["../outside.txt"] = {"sha256": "0" * 64, "size": 0}
    data = signing.canonical_bytes(manifest)
    (folder / "manifest.json").write_bytes(data)
    sig = {"signature": base64.b64encode(key.sign(data)).decode()}
    (folder / "manifest.sig").write_text(json.dumps(sig))
    result = signing.verify_folder(str(folder), str(keys[1]))
    assert result.signature_ok and not result.ok
    assert any("outside the folder" in str(p) for p in result.problems)
