"""Hostile offline trees (issue 8: offline trees and parsers): ``attt scan -t dir:TREE``.

A tree is untrusted input: special files where configuration should be, link loops, links
that climb out of the root, unreadable files, huge or binary files, PAM include loops.  For
every case the scan ends with a documented exit code and no traceback, in bounded time, and
the fact that could not be read is that check's ``error`` naming the path and the reason;
the host itself never becomes an "unexpected failure" and no check "crashes".
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from attt.render.document import all_findings

from .conftest import DEFAULT_TIMEOUT, Run, _isolated, assert_clean, run_attt

SSHD_CONFIG = ("Include /etc/ssh/sshd_config.d/*.conf\nKbdInteractiveAuthentication no\n"
               "UsePAM yes\nX11Forwarding yes\nSubsystem sftp /usr/lib/openssh/sftp-server\n")
COMMON_PASSWORD = ("password [success=1 default=ignore] pam_unix.so obscure yescrypt\n"
                   "password requisite pam_deny.so\npassword required pam_permit.so\n")
BASE = {
    "etc/passwd": ("root:x:0:0:root:/root:/bin/bash\n"
                   "sshd:x:100:65534::/run/sshd:/usr/sbin/nologin\n"),
    "etc/group": "root:x:0:\nshadow:x:42:\n",
    "etc/shadow": "root:*:19700:0:99999:7:::\nsshd:*:19700:0:99999:7:::\n",
    "etc/gshadow": "root:*::\nshadow:*::\n",
    "etc/login.defs": "PASS_MAX_DAYS 90\nPASS_MIN_DAYS 1\nPASS_WARN_AGE 7\n",
    "etc/ssh/sshd_config": SSHD_CONFIG,
    "etc/ssh/sshd_config.d/50-site.conf": "PermitRootLogin no\nPasswordAuthentication no\n",
    "etc/pam.d/common-password": COMMON_PASSWORD,
    "etc/pam.d/common-auth": "auth [success=1 default=ignore] pam_unix.so nullok\n"
                             "auth requisite pam_deny.so\nauth required pam_permit.so\n",
    "etc/systemd/system.conf": "[Manager]\n",
    "etc/systemd/journald.conf": "[Journal]\n#Storage=auto\n",
    "etc/issue.net": "Authorised users only.\n",
}
MODES = {"etc/shadow": 0o640, "etc/gshadow": 0o640}


@pytest.fixture()
def tree() -> Iterator[Path]:
    """A small Debian-like root filesystem, in a folder an unprivileged user can reach."""

    base = Path(tempfile.mkdtemp(prefix="attt-hostile-tree-"))
    os.chmod(base, 0o755)
    root = base / "root"
    for rel, text in BASE.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        os.chmod(path, MODES.get(rel, 0o644))
        if rel in MODES:
            os.chown(path, 0, 42)
    try:
        yield root
    finally:
        for dirpath, dirs, _files in os.walk(base):
            for d in dirs:
                os.chmod(os.path.join(dirpath, d), 0o755)
        shutil.rmtree(base, ignore_errors=True)


def _out(root: Path) -> Path:
    out = root.parent / "out"
    out.mkdir(exist_ok=True)
    os.chmod(out, 0o777)
    return out


def _scan_args(root: Path) -> list[str]:
    return ["scan", "-t", f"dir:{root}", "--no-network", "--no-history", "-q", "-f", "json",
            "--level", "3", "--lang", "en", "-o", str(_out(root))]


def _findings(root: Path, run: Run) -> dict[str, tuple[str, str]]:
    """check id -> (status, message), after the invariants every case keeps."""

    assert_clean(run, codes={0, 1, 3})
    doc = json.loads((_out(root) / "results.json").read_text(encoding="utf-8"))
    (host,) = doc["systems"][0]["hosts"]
    assert host["state"] == "ok", host
    out: dict[str, tuple[str, str]] = {}
    for f in all_findings(doc):
        assert "check crashed" not in f["message"], f
        assert "unexpected failure" not in f["message"], f
        out[f["check"]] = (f["status"], f["message"])
    return out


def scan(root: Path) -> dict[str, tuple[str, str]]:
    return _findings(root, run_attt(_scan_args(root), cwd=root.parent))


def scan_as_nobody(root: Path) -> dict[str, tuple[str, str]]:
    """The same scan by an unprivileged user (root reads mode-000 files; nobody cannot)."""

    if shutil.which("setpriv") is None:
        pytest.fail("setpriv (util-linux) is needed to scan as an unprivileged user")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATTT_")}
    env.update(CI="1", PYTHONDONTWRITEBYTECODE="1", HOME=str(_out(root)))
    cmd = [*_isolated(), "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
           sys.executable, "-m", "attt", *_scan_args(root)]
    try:
        proc = subprocess.run(cmd, cwd=_out(root), env=env, capture_output=True,
                              timeout=DEFAULT_TIMEOUT, check=False, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        pytest.fail("attt scan as nobody hung")
    run = Run(tuple(cmd), proc.returncode, proc.stdout.decode("utf-8", "replace"),
              proc.stderr.decode("utf-8", "replace"))
    return _findings(root, run)


def _error(found: dict[str, tuple[str, str]], check: str, *needles: str) -> None:
    status, message = found[check]
    assert status == "error", (check, status, message)
    for needle in needles:
        assert needle in message, (check, needle, message)


def _replace(root: Path, rel: str, make: Callable[[Path], object]) -> None:
    path = root / rel
    path.unlink()
    make(path)


# --------------------------------------------------------------------------- special files


def test_fifo_as_sshd_config_is_an_error_not_a_hang(tree: Path) -> None:
    _replace(tree, "etc/ssh/sshd_config", os.mkfifo)
    found = scan(tree)
    _error(found, "ssh.root_login_disabled", "/etc/ssh/sshd_config", "FIFO")
    assert found["password.min_length"][0] == "fail"  # the other probes still work


def test_socket_as_login_defs_is_an_error(tree: Path) -> None:
    sock = socket.socket(socket.AF_UNIX)
    try:
        _replace(tree, "etc/login.defs", lambda p: sock.bind(str(p)))
        found = scan(tree)
    finally:
        sock.close()
    _error(found, "accounts.password_max_age", "/etc/login.defs", "socket")


def test_link_to_a_device_node_in_the_tree_is_not_opened(tree: Path) -> None:
    (tree / "dev").mkdir()
    os.mknod(tree / "dev/zero", 0o666 | stat.S_IFCHR, os.makedev(1, 5))
    _replace(tree, "etc/pam.d/common-password", lambda p: p.symlink_to("/dev/zero"))
    found = scan(tree)
    _error(found, "password.min_length", "/etc/pam.d/common-password", "character device")


def test_relative_link_climbing_to_the_hosts_dev_zero_stays_in_the_root(tree: Path) -> None:
    # ../ stops at the tree's root: this names <root>/dev/zero, which the tree lacks.
    _replace(tree, "etc/pam.d/common-password",
             lambda p: p.symlink_to("../../../../../../../../dev/zero"))
    status, message = scan(tree)["password.min_length"]
    # Absent in the tree (the host's /dev/zero, a character device, would be an error).
    assert status == "fail" and "No PAM password stack" in message, message


def test_link_escaping_the_root_reads_the_trees_file_not_the_scanners(tree: Path) -> None:
    host_file = Path("/etc/hostname")
    if not host_file.exists() or not host_file.read_text().strip():
        pytest.skip("the scanning machine has no /etc/hostname to leak")
    _replace(tree, "etc/issue.net", lambda p: p.symlink_to("../../../../../etc/hostname"))
    (tree / "etc/ssh/sshd_config.d/60-banner.conf").write_text("Banner /etc/issue.net\n")
    found = scan(tree)
    status, message = found["ssh.warning_banner_set"]
    assert status == "fail" and "does not exist in the tree" in message, message
    assert host_file.read_text().strip() not in json.dumps(found)


def test_banner_named_by_the_config_is_a_fifo(tree: Path) -> None:
    (tree / "srv").mkdir()
    os.mkfifo(tree / "srv/banner")
    (tree / "etc/ssh/sshd_config.d/60-banner.conf").write_text("Banner /srv/banner\n")
    _error(scan(tree), "ssh.warning_banner_set", "/srv/banner", "FIFO")


# --------------------------------------------------------------------------- links, sizes


def test_symlink_loop_is_an_error_naming_the_path(tree: Path) -> None:
    _replace(tree, "etc/ssh/sshd_config", lambda p: p.symlink_to("sshd_config.loop"))
    (tree / "etc/ssh/sshd_config.loop").symlink_to("/etc/ssh/sshd_config")
    _error(scan(tree), "ssh.root_login_disabled", "/etc/ssh/sshd_config",
           "too many levels of symbolic links")


def test_huge_sparse_file_is_cut_not_read_whole(tree: Path) -> None:
    path = tree / "etc/pam.d/common-password"
    with open(path, "r+b") as fh:
        fh.truncate(1 << 40)  # 1 TiB of holes after the real lines
    _error(scan(tree), "password.min_length", "section size cap")


def test_world_writable_files_found_by_the_offline_walk(tree: Path) -> None:
    tool = tree / "usr/local/bin/backup.sh"
    tool.parent.mkdir(parents=True)
    tool.write_text("#!/bin/sh\n")
    os.chmod(tool, 0o777)
    (tree / "sbin").symlink_to("usr/local/bin")
    status, message = scan(tree)["files.world_writable_none"]
    assert status == "fail", message
    assert "/usr/local/bin/backup.sh" in message and "/sbin/backup.sh" in message


def test_mode_000_shadow_as_root_is_judged_from_the_tree(tree: Path) -> None:
    os.chmod(tree / "etc/shadow", 0o000)  # RHEL's mode: root still reads it
    os.chmod(tree / "etc/passwd", 0o666)
    status, message = scan(tree)["files.sensitive_permissions"]
    assert status == "fail" and "/etc/passwd (mode 666)" in message, message
    assert "/etc/shadow" not in message.split(":", 1)[1]


# --------------------------------------------------------------------------- non-root scanner


def test_mode_000_file_scanned_as_nobody_is_that_facts_error(tree: Path) -> None:
    os.chmod(tree / "etc/login.defs", 0o000)
    found = scan_as_nobody(tree)
    _error(found, "accounts.password_max_age", "/etc/login.defs", "permission denied")
    assert found["ssh.root_login_disabled"][0] == "pass"


def test_directory_without_search_permission_scanned_as_nobody(tree: Path) -> None:
    os.chmod(tree / "etc/pam.d", 0o700)
    found = scan_as_nobody(tree)
    _error(found, "password.min_length", "/etc/pam.d", "permission denied")
    _error(found, "password.lockout_configured", "/etc/pam.d", "permission denied")
    assert found["ssh.root_login_disabled"][0] == "pass"


# --------------------------------------------------------------------------- parsers


def test_pam_include_loop_is_the_checks_error_naming_the_files(tree: Path) -> None:
    (tree / "etc/pam.d/system-auth").write_text("password include password-auth\n")
    (tree / "etc/pam.d/password-auth").write_text("password substack system-auth\n")
    found = scan(tree)
    chain = "/etc/pam.d/system-auth -> /etc/pam.d/password-auth -> /etc/pam.d/system-auth"
    for check in ("password.min_length", "password.complexity_classes",
                  "password.history_remembered"):
        _error(found, check, "PAM include loop", chain)


def test_pam_self_include(tree: Path) -> None:
    (tree / "etc/pam.d/common-password").write_text(COMMON_PASSWORD +
                                                    "@include common-password\n")
    _error(scan(tree), "password.min_length",
           "PAM include loop: /etc/pam.d/common-password -> /etc/pam.d/common-password")


def test_non_utf8_bytes_in_sshd_config_are_read(tree: Path) -> None:
    (tree / "etc/ssh/sshd_config.d/50-site.conf").write_bytes(
        b"# Cau h\xecnh c\xf9a \xff\xfe site\nPermitRootLogin no\nPasswordAuthentication no\n")
    assert scan(tree)["ssh.root_login_disabled"][0] == "pass"


def test_nul_bytes_in_sshd_config_make_an_unparsable_error(tree: Path) -> None:
    (tree / "etc/ssh/sshd_config.d/50-site.conf").write_bytes(
        b"PermitRootLogin no\nPass\x00wordAuthentication no\n")
    _error(scan(tree), "ssh.root_login_disabled", "unparsable")


def test_empty_files_everywhere(tree: Path) -> None:
    for rel in BASE:
        (tree / rel).write_text("")
    found = scan(tree)  # no crash, no host failure: each check decides or errs on its own
    # An empty /etc/passwd names nobody: uid 0 is shown as a number, as stat shows UNKNOWN.
    status, message = found["files.sensitive_permissions"]
    assert status == "fail" and "/etc/passwd (owner 0, group 0)" in message, message
    assert found["ssh.warning_banner_set"][0] == "fail"
