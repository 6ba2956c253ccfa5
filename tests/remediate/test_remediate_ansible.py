"""``attt remediate --format ansible`` applied with real ansible-core over real SSH to a copy
of a Debian 12 tree whose own sshd runs chrooted into it on 127.0.0.1 (a "loopback sshd
host"): everything Ansible changes is inside the throwaway copy.  Re-scanned with ``dir:``,
exactly the fixed checks flip from fail to pass; a second run reports changed=0; the sh script
leaves the same files on another copy.

Why SSH and not a chroot connection: community.general.chroot is not in ansible-core, and the
tree's own sshd gives Ansible the route it takes to a real host.  sysctl, audit rules and the
firewall are written to their boot-time files only (no --apply-live): nothing here touches
this machine's kernel.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from attt.cli import main
from attt.remediation.catalog import FIXES
from tests.rootfs import need

from .conftest import (
    assert_exact_flips,
    remediate,
    scan_dir,
    sshd_helper,
    statuses,
    tree_digest,
)

ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"


@dataclass
class TreeHost:
    root: Path
    port: int
    key: str
    known_hosts: Path


@pytest.fixture()
def tree_host(rootfs: Path, tmp_path: Path) -> Iterator[TreeHost]:
    need(shutil.which("unshare") is not None, "unshare (util-linux) is needed")
    need(ANSIBLE_PLAYBOOK.exists(), "ansible-core is not installed (pip install -e '.[test]')")
    # The daemon's own files live under /run of the tree, which no check reads.
    conf_dir = rootfs / "run/attt-test"
    host_pub = sshd_helper.make_key(conf_dir / "host_key", comment="attt-tree-host")
    key, pub = sshd_helper.make_client_key(tmp_path)
    (conf_dir / "authorized_keys").write_text(pub + "\n")
    (rootfs / "run/sshd").mkdir(mode=0o755, exist_ok=True)
    port = sshd_helper.free_port()
    (conf_dir / "sshd_config").write_text(
        f"ListenAddress 127.0.0.1:{port}\nHostKey /run/attt-test/host_key\n"
        "PidFile /run/attt-test/sshd.pid\nAuthorizedKeysFile /run/attt-test/authorized_keys\n"
        "StrictModes no\nUsePAM no\nPermitRootLogin prohibit-password\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\n"
        "Subsystem sftp internal-sftp\n")
    log = open(tmp_path / "sshd.log", "wb")  # noqa: SIM115 - closed below
    # Its own config file (-f): a reload after the fixes re-reads this one, not the tree's
    # sshd_config that now says PermitRootLogin no.
    proc = subprocess.Popen(
        ["unshare", "--mount", "--uts", "--ipc", "chroot", str(rootfs), "/usr/sbin/sshd",
         "-D", "-e", "-f", "/run/attt-test/sshd_config"],
        stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
    known = tmp_path / "known_hosts"
    known.write_text(sshd_helper.known_hosts_line("127.0.0.1", port, host_pub))
    try:
        handle = sshd_helper.SshdHandle(tmp_path, [("127.0.0.1", port)], host_pub, proc,
                                        conf_dir / "sshd_config", tmp_path / "sshd.log")
        sshd_helper._wait_listening(handle, 10.0)
        yield TreeHost(rootfs, port, key, known)
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        log.close()


def _playbook(host: TreeHost, playbook: Path, tmp: Path) -> tuple[int, str]:
    inventory = tmp / "hosts.ini"
    inventory.write_text(
        f"{host.root.name} ansible_host=127.0.0.1 ansible_port={host.port} ansible_user=root "
        f"ansible_ssh_private_key_file={host.key} ansible_python_interpreter=/usr/bin/python3\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "SSH_AUTH"))}
    env.update(ANSIBLE_HOME=str(tmp / "ansible-home"), ANSIBLE_PIPELINING="True",
               ANSIBLE_NOCOLOR="1", ANSIBLE_HOST_KEY_CHECKING="True",
               ANSIBLE_SSH_CONTROL_PATH_DIR=str(tmp / "cp"),
               # One SSH connection for the whole run, closed 5 s after it.
               ANSIBLE_SSH_ARGS=f"-o UserKnownHostsFile={host.known_hosts} "
                                "-o StrictHostKeyChecking=yes -o ControlMaster=auto "
                                "-o ControlPersist=5s")
    proc = subprocess.run([str(ANSIBLE_PLAYBOOK), "-i", str(inventory), str(playbook)],
                          capture_output=True, text=True, timeout=600, env=env, check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    recap = re.search(r"\bchanged=(\d+)\s+unreachable=0\s+failed=0", out)
    assert recap is not None, out[-2000:]
    return int(recap.group(1)), out


# The first test of a machine builds the cached image (debootstrap) inside its fixture.
@pytest.mark.timeout(900)
def test_playbook_flips_exactly_the_fixed_checks(tree_host: TreeHost, tmp_path: Path,
                                                 py_rootfs_image: Path) -> None:
    root = tree_host.root
    # A setting the image has right, weakened: sudo's drop-in is checked with visudo.
    weak = "etc/sudoers.d/10-weak"
    (root / weak).write_text("Defaults !use_pty\n")
    before = scan_dir(root, tmp_path / "r0")
    playbook = tmp_path / "fix.yml"
    _output, fixed = remediate(tmp_path / "r0", "ansible", playbook)
    text = playbook.read_text()
    assert {"ssh.root_login_disabled", "kernel.redirects_ignored", "sudo.logging_enabled"} <= fixed
    assert "sysctl -p" not in text and "augenrules" not in text  # no --apply-live

    changed, _out = _playbook(tree_host, playbook, tmp_path)
    assert changed > len(fixed) // 2
    after = scan_dir(root, tmp_path / "r1")
    assert_exact_flips(before, after, fixed)

    again, out = _playbook(tree_host, playbook, tmp_path)
    assert again == 0, out[-3000:]

    # The shell script leaves the very same files on a second copy of the image.
    other = tmp_path / "other"
    subprocess.run(["cp", "-a", str(py_rootfs_image), str(other)], check=True, timeout=300)
    try:
        script = tmp_path / "fix.sh"
        remediate(tmp_path / "r0", "sh", script)
        (other / "tmp/attt-fix.sh").write_text(script.read_text())
        (other / weak).write_text("Defaults !use_pty\n")
        proc = subprocess.run(["chroot", str(other), "/bin/sh", "/tmp/attt-fix.sh",
                               "--host", root.name], capture_output=True, text=True,
                              timeout=120, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        ours, theirs = tree_digest(root), tree_digest(other)
        touched = {p for p in ours if ours[p] != tree_digest(py_rootfs_image).get(p)}
        assert touched, "the playbook changed nothing under /etc"
        assert {p: theirs.get(p) for p in touched} == {p: ours[p] for p in touched}
    finally:
        shutil.rmtree(other, ignore_errors=True)


def _scan_ssh(host: TreeHost, tmp: Path, name: str) -> dict[str, str]:
    """attt itself over SSH to the tree's sshd: its collector runs inside the tree."""

    inventory = tmp / "attt-inventory.yaml"
    inventory.write_text(
        f"known_hosts: {host.known_hosts}\n"
        "defaults:\n  transport: ssh\n  user: root\n"
        f"  options: {{key_file: {host.key}, connect_timeout: 5, command_timeout: 120}}\n"
        "systems:\n  - name: he-thong-thu\n    owner: UBND tỉnh Thử\n"
        "    operating_unit: Sở Thử\n    level: 3\n    hosts:\n"
        f"      - {{name: {host.root.name}, address: 127.0.0.1, port: {host.port}}}\n")
    out = tmp / name
    result = CliRunner().invoke(main, ["scan", "-i", str(inventory), "-o", str(out), "-q",
                                       "-f", "json"], catch_exceptions=False)
    assert result.exit_code in (0, 1, 3), result.output
    return statuses(out)


# The first test of a machine builds the cached image (debootstrap) inside its fixture.
@pytest.mark.timeout(900)
def test_playbook_over_ssh_flips_what_takes_effect_now(tree_host: TreeHost,
                                                       tmp_path: Path) -> None:
    """Both attt and Ansible reach the host over SSH.  Files read at each login or by sshd -T
    flip now; audit rules, kernel parameters and the firewall are read from the running
    kernel on a live host, so without --apply-live they stay as they were until a boot."""

    before = _scan_ssh(tree_host, tmp_path, "s0")
    playbook = tmp_path / "fix.yml"
    _output, fixed = remediate(tmp_path / "s0", "ansible", playbook)
    now = {c for c in fixed if FIXES[c].effect == "now"}
    later = fixed - now
    assert {"ssh.root_login_disabled", "password.min_length"} <= now
    assert {"audit.rules_logins", "firewall.default_deny_input"} <= later
    _playbook(tree_host, playbook, tmp_path)
    after = _scan_ssh(tree_host, tmp_path, "s1")
    assert_exact_flips(before, after, now)
    assert all(after[c] == "fail" for c in later)
