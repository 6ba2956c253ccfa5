"""One real scan through an Ansible inventory (and its overlay) against a loopback sshd."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from conftest import Daemon

from attt.cli import main

PROFILE = """
id: test-ansible
regime: nd85-tt12
level: 2
title_vi: Hồ sơ kiểm thử
requirements:
  - id: T.SSH.1
    title_vi: Cấm đăng nhập root qua SSH
    title_en: No root SSH login
    group: server
    layer: 1
    severity: high
    checks: [{id: ssh.root_login_disabled}]
"""


def test_scan_through_ansible_inventory(tmp_path: Path, target_sshd: Daemon) -> None:
    (tmp_path / "known_hosts").write_text(target_sshd.known_hosts_line)
    ini = tmp_path / "hosts.ini"
    ini.write_text(
        "[web]\nmay-web ansible_host=127.0.0.1\n\n[web:vars]\n"
        f"ansible_port={target_sshd.port}\nansible_user=root\n"
        f"ansible_ssh_private_key_file={target_sshd.key_file}\n"
        "ansible_become=false\n")
    overlay = tmp_path / "systems.yaml"
    overlay.write_text("known_hosts: known_hosts\nsystems:\n  - name: cong-thu\n    level: 2\n"
                       "    groups: [web]\n    roles_by_group: {web: [web, server]}\n")
    (tmp_path / "profile.yaml").write_text(PROFILE)
    out = tmp_path / "run"
    result = CliRunner().invoke(main, [
        "scan", "-i", str(ini), "--systems", str(overlay), "-p", str(tmp_path / "profile.yaml"),
        "-o", str(out), "-q", "--no-history", "--no-network", "-F", "none", "-f", "json"])
    assert result.exit_code in (0, 1), result.output
    doc = json.loads((out / "results.json").read_text())
    [system] = doc["systems"]
    [host] = system["hosts"]
    assert (system["name"], host["name"], host["state"]) == ("cong-thu", "may-web", "ok")
    assert host["channels"] == 1 and host["roles"] == ["server", "web"]
    assert host["connection"]["port"] == {"value": target_sshd.port, "source": "inventory"}
    assert doc["run"]["inventory"] == str(ini)
    assert host["counts"] and set(host["counts"]) <= {"pass", "fail"}  # really evaluated
