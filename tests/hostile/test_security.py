"""Hostile corpus, security of outputs (issue 8: security): evidence copies, key names,
history database paths, secrets echoed by a host, control characters on the terminal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import Run, Sandbox, assert_clean, assert_input_error, run_attt

PASS = "correct horse battery staple"
OUTSIDE_MARK = b"TOP-SECRET-OUTSIDE-THE-EVIDENCE-FOLDER"


def make_rootfs(root: Path) -> Path:
    (root / "etc/ssh").mkdir(parents=True)
    (root / "etc/ssh/sshd_config").write_text("PermitRootLogin no\nPasswordAuthentication no\n")
    (root / "etc/login.defs").write_text("PASS_MAX_DAYS 90\nPASS_MIN_LEN 12\n")
    return root


def make_key(tmp: Path) -> Path:
    run = run_attt(["keys", "generate", "--out", str(tmp / "keys"), "--no-passphrase"], cwd=tmp)
    assert_clean(run, codes={0})
    return tmp / "keys" / "attt-signing.key"


def write_evidence(folder: Path, file_value: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    ev = folder / "evidence.yaml"
    ev.write_text(
        "system: adhoc\ndocuments:\n"
        "  - {requirement: TT12.QL.CS.1, number: \"01/QĐ\", title: Quy chế ATTT,\n"
        f"     issued: 2026-01-05, approver: Giám đốc, file: {json.dumps(file_value)}}}\n",
        encoding="utf-8",
    )
    return ev


def documents(run_dir: Path) -> list[dict[str, object]]:
    doc = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    out = []
    for system in doc["systems"]:
        for req in system["requirements"]:
            for res in req.get("documents") or []:
                if res.get("document"):
                    out.append(res)
    return out


def bundle_bytes(run_dir: Path) -> bytes:
    return b"".join(p.read_bytes() for p in run_dir.rglob("*") if p.is_file())


# ----------------------------------------------------------------------- 1. evidence copy


def _outside_cases(tmp: Path) -> dict[str, str]:
    """Each case: the ``file:`` value of a document, set up so that it resolves outside."""

    outside = tmp / "outside.pdf"
    outside.write_bytes(OUTSIDE_MARK)
    ev = tmp / "ev"
    ev.mkdir()
    (ev / "link-out.pdf").symlink_to(outside)
    (ev / "link-shadow").symlink_to("/etc/shadow")
    (ev / "sub").mkdir()
    (ev / "sub" / "up.pdf").symlink_to("../../outside.pdf")
    (ev / "dirlink").symlink_to(tmp)
    return {
        "dotdot": "../outside.pdf",
        "absolute": str(outside),
        "etc_shadow": "/etc/shadow",
        "etc_passwd_dotdots": "../../../../../../../../etc/passwd",
        "symlink_out": "link-out.pdf",
        "symlink_shadow": "link-shadow",
        "symlink_chain_up": "sub/up.pdf",
        "through_dir_symlink": "dirlink/outside.pdf",
        "home_tilde": "~/outside.pdf",
    }


OUTSIDE = ["dotdot", "absolute", "etc_shadow", "etc_passwd_dotdots", "symlink_out",
           "symlink_shadow", "symlink_chain_up", "through_dir_symlink", "home_tilde"]


@pytest.mark.parametrize("case", OUTSIDE)
def test_evidence_file_outside_the_folder_is_never_copied(
    tmp_path: Path, sandbox: Sandbox, case: str
) -> None:
    key = make_key(tmp_path)
    rootfs = make_rootfs(tmp_path / "rootfs")
    value = _outside_cases(tmp_path)[case]
    ev = write_evidence(tmp_path / "ev", value)
    out = tmp_path / "run"
    sandbox.allowed.append(out)
    sandbox.snapshot()
    run = run_attt(["scan", "-t", f"dir:{rootfs}", "-o", str(out), "-q", "--evidence", str(ev),
                    "-f", "json", "--sign", str(key), "--no-history"],
                   cwd=tmp_path, env={"HOME": str(tmp_path)})
    assert_clean(run, codes={1})
    results = documents(out)
    assert results
    for res in results:
        assert res["status"] == "fail"
        assert "outside the evidence folder" in str(res["message"])
        assert res["document"]["sha256"] is None  # type: ignore[index]
    assert not list(out.glob("evidence/*/files/*")), "a file outside was copied"
    assert OUTSIDE_MARK not in bundle_bytes(out)
    assert sandbox.changes_outside() == []


@pytest.mark.parametrize("case", ["fifo", "directory", "dev_zero_link", "too_big"])
def test_evidence_file_not_regular_or_too_big_is_not_attested(
    tmp_path: Path, case: str
) -> None:
    key = make_key(tmp_path)
    rootfs = make_rootfs(tmp_path / "rootfs")
    ev_dir = tmp_path / "ev"
    ev_dir.mkdir()
    target = ev_dir / "doc.pdf"
    if case == "fifo":
        os.mkfifo(target)  # reading it would block the scan forever
    elif case == "directory":
        target.mkdir()
    elif case == "dev_zero_link":
        # Inside by name, but resolving to a device outside: refused before reading.
        target.symlink_to("/dev/zero")
    else:
        with open(target, "wb") as fh:
            fh.truncate(100 * 1024 * 1024 + 1)  # sparse: one byte over the bound
    ev = write_evidence(ev_dir, "doc.pdf")
    out = tmp_path / "run"
    run = run_attt(["scan", "-t", f"dir:{rootfs}", "-o", str(out), "-q", "--evidence", str(ev),
                    "-f", "json", "--sign", str(key), "--no-history"], cwd=tmp_path, timeout=60)
    assert_clean(run, codes={1})
    expected = {"fifo": "not a regular file", "directory": "not a regular file",
                "dev_zero_link": "outside the evidence folder", "too_big": "larger than"}[case]
    results = documents(out)
    assert results
    for res in results:
        assert res["status"] == "fail"
        assert expected in str(res["message"])
    assert not list(out.glob("evidence/*/files/*"))


def test_evidence_root_option_allows_a_shared_document_folder(tmp_path: Path) -> None:
    key = make_key(tmp_path)
    rootfs = make_rootfs(tmp_path / "rootfs")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "quyche.pdf").write_bytes(b"%PDF quy che")
    ev = write_evidence(tmp_path / "docs" / "ev", "../quyche.pdf")
    out = tmp_path / "run"
    args = ["scan", "-t", f"dir:{rootfs}", "-o", str(out), "-q", "--evidence", str(ev),
            "-f", "json", "--sign", str(key), "--no-history"]
    run = run_attt([*args, "--evidence-root", str(tmp_path / "docs")], cwd=tmp_path)
    assert_clean(run, codes={1})
    results = documents(out)
    assert results and all(res["status"] == "pass" for res in results), results
    copies = list(out.glob("evidence/*/files/quyche.pdf"))
    assert len(copies) == 1 and copies[0].read_bytes() == b"%PDF quy che"
    verify = run_attt(["verify", str(out)], cwd=tmp_path)
    assert_clean(verify, codes={0})


def test_evidence_inside_is_copied_and_a_swap_after_hashing_is_not(tmp_path: Path) -> None:
    """The bundle holds the bytes that were hashed: a file changed between the scan's hash
    and the copy is left out rather than signed under the old digest."""

    from attt import signing
    from attt.signing import load_private_key

    ev_dir = tmp_path / "ev"
    ev_dir.mkdir()
    (ev_dir / "doc.pdf").write_bytes(b"original")
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "report.txt").write_text("x")
    key = load_private_key(str(make_key(tmp_path)), None)
    import hashlib

    good = hashlib.sha256(b"original").hexdigest()
    (ev_dir / "doc.pdf").write_bytes(b"swapped!")
    signing.sign_folder(str(folder), key, evidence={"evidence/files/doc.pdf": str(
        ev_dir / "doc.pdf")}, hashes={str(ev_dir / "doc.pdf"): good})
    assert not (folder / "evidence/files/doc.pdf").exists()


@pytest.mark.parametrize("case", ["dotdot", "etc_shadow", "symlink_shadow"])
def test_dossier_sign_never_copies_a_file_outside(tmp_path: Path, case: str) -> None:
    key = make_key(tmp_path)
    value = _outside_cases(tmp_path)[case]
    ev = tmp_path / "ev" / "evidence.yaml"
    ev.write_text(
        "system: cong-dich-vu-cong\ndocuments:\n"
        "  - {requirement: TT12.QL.CS.1, number: \"01/QĐ\", title: Quy chế ATTT,\n"
        f"     issued: 2026-01-05, approver: Giám đốc, file: {json.dumps(value)}}}\n",
        encoding="utf-8",
    )
    out = tmp_path / "dossier"
    run = run_attt(["dossier", "--system", "cong-dich-vu-cong", "--evidence", str(ev),
                    "-o", str(out), "-f", "html", "--sign", str(key)], cwd=tmp_path)
    assert_clean(run, codes={0})
    assert (out / "manifest.json").exists()
    assert not list(out.glob("evidence/files/*"))
    assert OUTSIDE_MARK not in bundle_bytes(out)
    assert b"root:" not in bundle_bytes(out)


def test_dossier_evidence_root_brings_a_shared_document(tmp_path: Path) -> None:
    key = make_key(tmp_path)
    (tmp_path / "docs" / "ev").mkdir(parents=True)
    (tmp_path / "docs" / "quyche.pdf").write_bytes(b"%PDF quy che")
    ev = tmp_path / "docs" / "ev" / "evidence.yaml"
    ev.write_text(
        "system: cong-dich-vu-cong\ndocuments:\n"
        "  - {requirement: TT12.QL.CS.1, number: \"01/QĐ\", title: Quy chế ATTT,\n"
        "     issued: 2026-01-05, approver: Giám đốc, file: ../quyche.pdf}\n",
        encoding="utf-8",
    )
    base = ["dossier", "--system", "cong-dich-vu-cong", "--evidence", str(ev), "-f", "html",
            "--sign", str(key)]
    without = run_attt([*base, "-o", str(tmp_path / "d1")], cwd=tmp_path)
    assert_clean(without, codes={0})
    assert not list((tmp_path / "d1").glob("evidence/files/*"))
    with_root = run_attt([*base, "-o", str(tmp_path / "d2"), "--evidence-root",
                          str(tmp_path / "docs")], cwd=tmp_path)
    assert_clean(with_root, codes={0})
    assert (tmp_path / "d2/evidence/files/quyche.pdf").read_bytes() == b"%PDF quy che"


# ----------------------------------------------------------------------- 4. key names


@pytest.mark.parametrize(
    "name", ["../../x", "../x", "sub/x", "/tmp/x", ".", "..", ".hidden", "", "a\x1b[31mb",
             "x\ny"],
)
def test_keys_generate_name_must_be_a_plain_file_name(
    tmp_path: Path, sandbox: Sandbox, name: str
) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    sandbox.snapshot()
    run = run_attt(["keys", "generate", "--out", str(tmp_path / "a" / "b"), "--name", name,
                    "--no-passphrase"], cwd=tmp_path / "a" / "b")
    assert_input_error(run, "--name")
    assert sandbox.changes_outside() == []
    assert not list((tmp_path / "a" / "b").iterdir())


# ----------------------------------------------------------------------- 5. --db paths


def _fifo(tmp: Path) -> str:
    os.mkfifo(tmp / "db.fifo")
    return str(tmp / "db.fifo")


def _dir(tmp: Path) -> str:
    (tmp / "db.dir").mkdir()
    return str(tmp / "db.dir")


def _dev_link(tmp: Path) -> str:
    (tmp / "db-link").symlink_to("/dev/null")
    return str(tmp / "db-link")


DB_CASES = {
    "dev_null": lambda tmp: "/dev/null",
    "dev_full": lambda tmp: "/dev/full",
    "fifo": _fifo,
    "directory": _dir,
    "symlink_to_device": _dev_link,
}


@pytest.mark.parametrize("case", sorted(DB_CASES))
@pytest.mark.parametrize("command", ["scan", "history"])
def test_db_must_be_a_regular_file(tmp_path: Path, case: str, command: str) -> None:
    db = DB_CASES[case](tmp_path)
    before = set(os.listdir("/dev"))
    if command == "scan":
        rootfs = make_rootfs(tmp_path / "rootfs")
        args = ["scan", "-t", f"dir:{rootfs}", "-o", str(tmp_path / "run"), "-q", "-f", "json",
                "--db", db]
    else:
        args = ["history", "--db", db]
    run = run_attt(args, cwd=tmp_path, timeout=60)
    # click refuses a folder itself (dir_okay=False); attt refuses the rest.
    assert_input_error(run, db, "is a directory" if case == "directory" else "not a regular file")
    assert set(os.listdir("/dev")) - before == set(), "files created beside the device"
    if command == "scan":
        assert not (tmp_path / "run").exists(), "refused before scanning"


# ----------------------------------------------------------------------- 3. terminal escapes

ESC_NAME = "a\x1b]0;pwned\x07b\x1b[2Jc\x9bd\x7f"


def _term_cases(tmp: Path) -> dict[str, list[str]]:
    odd = tmp / f"dir{ESC_NAME}"
    odd.mkdir()
    make_rootfs(odd)
    bad_yaml = tmp / f"ev{ESC_NAME}.yaml"
    bad_yaml.write_text("documents: [unclosed\n")
    fifo = tmp / f"db{ESC_NAME}"
    os.mkfifo(fifo)
    inv = tmp / "inv.yaml"
    inv.write_text(
        "systems:\n  - name: \"s\\e[31mred\"\n    level: 3\n    hosts:\n"
        "      - {name: \"h\\e]0;title\\a\", transport: dir, path: " + json.dumps(str(odd))
        + "}\n", encoding="utf-8")
    return {
        # No bracket here: urlsplit raises on one in the host (the loaders' area).
        "target": ["scan", "-t", "ssh://h\x1b(0\x07\x9b:22x", "-q", "--no-history"],
        "format": ["scan", "-t", f"dir:{odd}", "-f", ESC_NAME, "--no-history"],
        "dir_target_missing": ["scan", "-t", f"dir:{tmp}/none{ESC_NAME}", "--no-history"],
        "dir_target_progress": ["scan", "-t", f"dir:{odd}", "-o", str(tmp / "r1"),
                                "--no-history", "-f", "json"],
        "evidence_path": ["scan", "-t", f"dir:{odd}", "--evidence", str(bad_yaml),
                          "--no-history"],
        "db_fifo": ["history", "--db", str(fifo)],
        "verify_missing": ["verify", str(tmp / f"nofolder{ESC_NAME}")],
        "unknown_option": ["scan", f"--bogus{ESC_NAME}"],
        "system_option": ["scan", "-t", f"dir:{odd}", "--system", ESC_NAME, "--no-history"],
        "validate_file": ["validate", str(bad_yaml)],
        "inventory_names": ["-v", "scan", "-i", str(inv), "-o", str(tmp / "r2"),
                            "--no-network", "--no-history", "-f", "json"],
        "report_not_results": ["report", str(bad_yaml)],
    }


@pytest.mark.parametrize(
    "case", ["target", "format", "dir_target_missing", "dir_target_progress", "evidence_path",
             "db_fifo", "verify_missing", "unknown_option", "system_option", "validate_file",
             "inventory_names", "report_not_results"],
)
def test_control_characters_are_shown_escaped(tmp_path: Path, case: str) -> None:
    run = run_attt(_term_cases(tmp_path)[case], cwd=tmp_path)
    assert_clean(run)  # no raw ESC, BEL, C1 or DEL reached the terminal
    assert "\\x1b" in run.output, run.output[-2000:]  # shown, not silently dropped


# ----------------------------------------------------------------------- 2. secrets echoed

SECRET = "Zq8-s3cr3t-Pw!"


def _all_written(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())


def _sshd_config_with_banner(tmp: Path) -> Path:
    conf = tmp / "sshd_config"
    conf.write_text("Banner /etc/issue.net\n" + Path("/etc/ssh/sshd_config").read_text())
    return conf


def run_local_echoing_secret(tmp: Path, args: list[str], env: dict[str, str]) -> Run:
    """``attt ARGS`` in private mount and network namespaces where this machine's sshd
    Banner is /etc/issue.net and that file holds the secret: the local host echoes it."""

    issue = tmp / "issue.net"
    issue.write_text(f"Authorised users only. {SECRET}\n")
    conf = _sshd_config_with_banner(tmp)
    script = (f"mount --make-rprivate / && mount --bind {conf} /etc/ssh/sshd_config && "
              f"mount --bind {issue} /etc/issue.net && ip link set lo up && exec \"$@\"")
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("ATTT_")}
    full_env.update({"CI": "1", "ATTT_DB": str(tmp / "history.sqlite3"), **env})
    proc = subprocess.run(["unshare", "--mount", "--net", "sh", "-c", script, "sh",
                           sys.executable, "-m", "attt", *args], cwd=tmp, env=full_env,
                          capture_output=True, timeout=120, check=False,
                          stdin=subprocess.DEVNULL)
    return Run(tuple(args), proc.returncode, proc.stdout.decode(errors="replace"),
               proc.stderr.decode(errors="replace"))


def _local_inventory(tmp: Path, option: str) -> Path:
    inv = tmp / "inv.yaml"
    opts = f"{{{option}: ATTT_TEST_SECRET}}" if option else "{}"
    inv.write_text("systems:\n  - name: s\n    regime: nd85-tt12\n    level: 3\n    hosts:\n"
                   f"      - {{name: h, transport: local, roles: [server], options: {opts}}}\n",
                   encoding="utf-8")
    return inv


def _assert_no_secret(run: Run, out: Path, tmp: Path) -> None:
    assert_clean(run)
    assert SECRET not in run.output, run.output[-2000:]
    written = _all_written(out)
    assert SECRET.encode() not in written
    assert b"[REDACTED]" in written  # the host did echo it: redacted, not absent
    db = tmp / "history.sqlite3"
    if db.exists():
        assert SECRET.encode() not in db.read_bytes()


@pytest.mark.parametrize("option", ["password_env", "sudo_password_env"])
def test_secret_echoed_by_a_local_host_is_redacted_everywhere(
    tmp_path: Path, option: str
) -> None:
    out = tmp_path / "run"
    run = run_local_echoing_secret(
        tmp_path, ["-vv", "scan", "-i", str(_local_inventory(tmp_path, option)), "-o", str(out),
                   "--no-network", "-f", "html,json,junit,sarif,csv"],
        {"ATTT_TEST_SECRET": SECRET})
    _assert_no_secret(run, out, tmp_path)
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert doc["run"]["hosts_scanned"] == 1


def test_key_passphrase_echoed_by_a_host_is_redacted(tmp_path: Path) -> None:
    keys = run_attt(["keys", "generate", "--out", str(tmp_path / "keys")], cwd=tmp_path,
                    env={"ATTT_KEY_PASSPHRASE": SECRET})
    assert_clean(keys, codes={0})
    out = tmp_path / "run"
    run = run_local_echoing_secret(
        tmp_path, ["scan", "-i", str(_local_inventory(tmp_path, "")), "-o", str(out),
                   "--no-network", "-f", "html,json", "--sign",
                   str(tmp_path / "keys" / "attt-signing.key")],
        {"ATTT_KEY_PASSPHRASE": SECRET})
    _assert_no_secret(run, out, tmp_path)
    assert (out / "manifest.sig").exists()


@pytest.mark.parametrize("where", ["banner", "banner_path"])
def test_secret_in_an_offline_tree_is_redacted(tmp_path: Path, where: str) -> None:
    root = make_rootfs(tmp_path / "rootfs")
    if where == "banner":
        (root / "etc/ssh/sshd_config").write_text("Banner /etc/issue.net\nPermitRootLogin no\n")
        (root / "etc/issue.net").write_text(f"{SECRET} is the password\n")
    else:
        (root / "etc/ssh/sshd_config").write_text(f"Banner /etc/ssh/{SECRET}-banner\n")
    inv = tmp_path / "inv.yaml"
    inv.write_text("systems:\n  - name: s\n    regime: nd85-tt12\n    level: 3\n    hosts:\n"
                   f"      - {{name: h, transport: dir, path: {json.dumps(str(root))}, "
                   "options: {password_env: ATTT_TEST_SECRET}}\n", encoding="utf-8")
    out = tmp_path / "run"
    run = run_attt(["-vv", "scan", "-i", str(inv), "-o", str(out), "--no-network",
                    "-f", "html,json,junit,sarif,csv"], cwd=tmp_path,
                   env={"ATTT_TEST_SECRET": SECRET})
    _assert_no_secret(run, out, tmp_path)


def test_short_secret_is_not_redacted_and_says_so(tmp_path: Path) -> None:
    root = make_rootfs(tmp_path / "rootfs")
    inv = tmp_path / "inv.yaml"
    inv.write_text("systems:\n  - name: s\n    regime: nd85-tt12\n    level: 3\n    hosts:\n"
                   f"      - {{name: h, transport: dir, path: {json.dumps(str(root))}, "
                   "options: {password_env: ATTT_TEST_SECRET}}\n", encoding="utf-8")
    run = run_attt(["scan", "-i", str(inv), "-o", str(tmp_path / "run"), "--no-network",
                    "-f", "json"], cwd=tmp_path, env={"ATTT_TEST_SECRET": "no"})
    assert_clean(run, codes={0, 1})
    assert "ATTT_TEST_SECRET" in run.stderr and "too short to be redacted" in run.stderr
    # "no" is everywhere in a report ("PermitRootLogin no"): never mangled.
    assert b"[REDACTED]" not in _all_written(tmp_path / "run")


@pytest.mark.parametrize("secret", ['pw<&>"\'-x', "pw,with;csv\"quote", "mật-khẩu-Việt"])
def test_secret_with_markup_characters_is_redacted_in_every_format(
    tmp_path: Path, secret: str
) -> None:
    import html as html_mod

    root = make_rootfs(tmp_path / "rootfs")
    (root / "etc/ssh/sshd_config").write_text("Banner /etc/issue.net\nPermitRootLogin no\n")
    (root / "etc/issue.net").write_text(f"{secret} is the password\n", encoding="utf-8")
    inv = tmp_path / "inv.yaml"
    inv.write_text("systems:\n  - name: s\n    regime: nd85-tt12\n    level: 3\n    hosts:\n"
                   f"      - {{name: h, transport: dir, path: {json.dumps(str(root))}, "
                   "options: {sudo_password_env: ATTT_TEST_SECRET}}\n", encoding="utf-8")
    out = tmp_path / "run"
    run = run_attt(["scan", "-i", str(inv), "-o", str(out), "--no-network",
                    "-f", "html,json,junit,sarif,csv"], cwd=tmp_path,
                   env={"ATTT_TEST_SECRET": secret})
    assert_clean(run, codes={0, 1})
    forms = {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1],
             html_mod.escape(secret), html_mod.escape(secret, quote=False),
             secret.replace('"', '""')}
    for path in out.rglob("*"):
        if path.is_file():
            body = path.read_text(encoding="utf-8", errors="replace")
            for form in forms:
                assert form not in body, (path.name, form)
    assert "[REDACTED]" in (out / "results.json").read_text(encoding="utf-8")
