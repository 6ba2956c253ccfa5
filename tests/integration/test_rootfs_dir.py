"""A real Debian 12 root filesystem (debootstrap) scanned offline with `--target dir:`,
hardened step by step: each step flips exactly the verdicts it should from fail to pass.

The rootfs is built once per machine (about 30 s, from Debian's package registry) and cached
under /var/cache/attt-tests; each test works on its own copy.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from attt.cli import main
from attt.render.document import all_findings
from tests.rootfs import debootstrap_image

CACHE = Path("/var/cache/attt-tests/rootfs-bookworm-v1")
PACKAGES = "openssh-server,rsyslog,nftables,systemd-timesyncd,procps,sudo,auditd"


@pytest.fixture(scope="session")
def rootfs_image() -> Path:
    return debootstrap_image(CACHE, PACKAGES)


@pytest.fixture()
def rootfs(rootfs_image: Path, tmp_path: Path) -> Iterator[Path]:
    copy = tmp_path / "rootfs"
    # cp -a keeps symlinks (absolute ones point into the image, resolved inside the root).
    subprocess.run(["cp", "-a", str(rootfs_image), str(copy)], check=True, timeout=300)
    yield copy
    shutil.rmtree(copy, ignore_errors=True)


def scan(root: Path, out: Path, level: int = 3) -> dict[str, str]:
    result = CliRunner().invoke(
        main, ["scan", "-t", f"dir:{root}", "--level", str(level), "-o", str(out), "-q",
               "-f", "json"], catch_exceptions=False)
    assert result.exit_code in (0, 1, 3), result.output
    doc = json.loads((out / "results.json").read_text())
    statuses: dict[str, str] = {}
    for f in all_findings(doc):
        assert "check crashed" not in f["message"], f
        statuses[f["check"]] = f["status"]
    return statuses


def test_rootfs_scan_and_hardening_flips_verdicts(rootfs: Path, tmp_path: Path) -> None:
    before = scan(rootfs, tmp_path / "r0")
    # A fresh minbase image: no hardening at all.
    for check in ("ssh.root_login_disabled", "ssh.password_auth_disabled",
                  "password.min_length", "firewall.default_deny_input",
                  "logging.remote_forwarding", "antivirus.running"):
        assert before[check] == "fail", (check, before[check])

    def ssh_drop_in() -> None:
        # As an Ansible role would write it (drop-ins win in Debian's Include order).
        (rootfs / "etc/ssh/sshd_config.d/50-attt.conf").write_text(
            "PermitRootLogin no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n")

    def password_length() -> None:
        pam = rootfs / "etc/pam.d/common-password"
        text = pam.read_text()
        assert "pam_unix.so obscure" in text
        pam.write_text(text.replace("pam_unix.so obscure", "pam_unix.so obscure minlen=12"))

    def firewall() -> None:
        (rootfs / "etc/nftables.conf").write_text(
            "#!/usr/sbin/nft -f\nflush ruleset\ntable inet filter {\n"
            "  chain input {\n    type filter hook input priority 0; policy drop;\n"
            "    iif lo accept\n    ct state established,related accept\n"
            "    tcp dport 22 accept\n  }\n}\n")
        wants = rootfs / "etc/systemd/system/sysinit.target.wants"
        wants.mkdir(parents=True, exist_ok=True)
        link = wants / "nftables.service"
        if not link.is_symlink():
            link.symlink_to("/lib/systemd/system/nftables.service")

    def forwarding() -> None:
        (rootfs / "etc/rsyslog.d/90-forward.conf").write_text(
            'action(type="omfwd" target="logs.example.gov.vn" port="514" protocol="tcp")\n')

    steps = [
        ("ssh", ssh_drop_in, ("ssh.root_login_disabled", "ssh.password_auth_disabled")),
        ("password", password_length, ("password.min_length",)),
        ("firewall", firewall, ("firewall.default_deny_input",)),
        # rsyslog forwarding to a collector also counts as the level-3 SIEM feed.
        ("forwarding", forwarding, ("logging.remote_forwarding", "monitoring.siem_agent")),
    ]
    previous = before
    for i, (name, apply, flipped) in enumerate(steps, start=1):
        apply()
        now = scan(rootfs, tmp_path / f"r{i}")
        for check in flipped:
            assert previous[check] == "fail" and now[check] == "pass", (name, check, now[check])
        unchanged = {c: s for c, s in previous.items() if c not in flipped}
        assert {c: now[c] for c in unchanged} == unchanged, name
        previous = now
    # Nothing installs an anti-malware product in this test: it must stay failed.
    assert previous["antivirus.running"] == "fail"
