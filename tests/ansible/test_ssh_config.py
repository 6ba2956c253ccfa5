"""~/.ssh/config and --ssh-config against real loopback sshd: HostName, Port, User and
IdentityFile from the file, inventory values win, StrictHostKeyChecking never loosens,
ProxyJump through a second sshd, provenance in results.json and the HTML report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import Daemon

from attt.cli import main
from attt.errors import InputError
from attt.inventory_loader import load_inventory
from attt.ssh_config import apply_ssh_config

PROFILE = """
id: test-ssh-config
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


def _inventory(tmp: Path, host: str, known: str = "", **extra: Any) -> Path:
    lines = ["systems:", "  - name: he-thong", "    level: 2", "    hosts:",
             "      - name: may-1", f"        address: {host}", "        transport: ssh"]
    opts = extra.pop("options", None)
    lines += [f"        {k}: {v}" for k, v in extra.items()]
    if opts:
        lines.append(f"        options: {json.dumps(opts)}")
    if known:
        lines.insert(0, f"known_hosts: {known}")
    path = tmp / "inventory.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def _scan(tmp: Path, inv: Path, *extra: str) -> tuple[int, dict[str, Any], str, str]:
    profile = tmp / "profile.yaml"
    profile.write_text(PROFILE)
    out = tmp / "run"
    result = CliRunner().invoke(main, ["scan", "-i", str(inv), "-p", str(profile), "-o",
                                       str(out), "-q", "--no-history", "--no-network",
                                       "--connect-timeout", "10", "-f", "json,html", *extra])
    doc = json.loads((out / "results.json").read_text())
    return result.exit_code, doc, (out / "report.html").read_text(), result.stderr


def _host(doc: dict[str, Any]) -> dict[str, Any]:
    [system] = doc["systems"]
    [host] = system["hosts"]
    return dict(host)


def _known(tmp: Path, *daemons: Daemon) -> Path:
    path = tmp / "known_hosts"
    path.write_text("".join(d.known_hosts_line for d in daemons))
    return path


def test_hostname_port_user_identity_from_ssh_config(tmp_path: Path,
                                                     target_sshd: Daemon) -> None:
    config = tmp_path / "ssh_config"
    config.write_text("# attt test\nHost may-chu-thu\n  HostName 127.0.0.1\n"
                      f"  Port {target_sshd.port}\n  User root\n"
                      f"  IdentityFile {target_sshd.key_file}\n"
                      f"  UserKnownHostsFile {_known(tmp_path, target_sshd)}\n")
    inv = _inventory(tmp_path, "may-chu-thu")
    code, doc, html, _ = _scan(tmp_path, inv, "-F", str(config))
    host = _host(doc)
    assert host["state"] == "ok", host["message"]
    assert code in (0, 1)
    conn = host["connection"]
    assert conn["hostname"] == {"value": "127.0.0.1", "source": f"ssh_config {config}:3"}
    assert conn["port"] == {"value": target_sshd.port, "source": f"ssh_config {config}:4"}
    assert conn["user"] == {"value": "root", "source": f"ssh_config {config}:5"}
    assert conn["identity_file"]["source"] == f"ssh_config {config}:6"
    assert conn["known_hosts"]["source"] == f"ssh_config {config}:7"
    assert "connect_timeout" not in conn  # neither file sets it: the --connect-timeout
    # The HTML host detail says where each setting came from, in Vietnamese.
    assert "Thiết lập kết nối và nguồn của từng thiết lập" in html and "ssh_config:4</code>" in html
    assert "tệp cấu hình máy khách OpenSSH" in html and "Cổng" in html


def test_inventory_values_win_over_ssh_config(tmp_path: Path, target_sshd: Daemon) -> None:
    config = tmp_path / "ssh_config"
    # A wrong port and user in the file: the inventory's own values must be used.
    config.write_text("Host 127.0.0.1\n  Port 1\n  User nobody-here\n  ConnectTimeout 7\n")
    inv = _inventory(tmp_path, "127.0.0.1", known=str(_known(tmp_path, target_sshd)),
                     port=target_sshd.port, user="root",
                     options={"key_file": target_sshd.key_file})
    _, doc, _, _ = _scan(tmp_path, inv, "--ssh-config", str(config))
    host = _host(doc)
    assert host["state"] == "ok", host["message"]
    conn = host["connection"]
    assert conn["port"] == {"value": target_sshd.port, "source": "inventory"}
    assert conn["user"] == {"value": "root", "source": "inventory"}
    assert conn["identity_file"]["source"] == "inventory"
    assert conn["connect_timeout"] == {"value": 7.0, "source": f"ssh_config {config}:4"}
    assert conn["known_hosts"]["source"] == "inventory"


def test_strict_host_key_checking_no_does_not_loosen(tmp_path: Path,
                                                      target_sshd: Daemon) -> None:
    config = tmp_path / "ssh_config"
    empty = tmp_path / "empty_known_hosts"
    empty.write_text("")
    config.write_text(f"Host *\n  StrictHostKeyChecking no\n  UserKnownHostsFile {empty}\n")
    inv = _inventory(tmp_path, "127.0.0.1", port=target_sshd.port, user="root",
                     options={"key_file": target_sshd.key_file})
    code, doc, _, stderr = _scan(tmp_path, inv, "-F", str(config))
    host = _host(doc)
    assert host["state"] == "hostkey_error"  # the unknown key is still refused
    assert empty.read_text() == ""  # and nothing was recorded
    assert host["connection"]["strict_host_key_checking"] == {
        "value": "no", "source": f"ssh_config {config}:2", "applied": False}
    assert any("StrictHostKeyChecking no" in n and "not applied" in n for n in doc["notes"])
    assert "StrictHostKeyChecking no" in stderr and code == 3


def test_strict_host_key_checking_yes_tightens(tmp_path: Path, target_sshd: Daemon) -> None:
    config = tmp_path / "ssh_config"
    empty = tmp_path / "empty_known_hosts"
    empty.write_text("")
    config.write_text(f"Host *\n  StrictHostKeyChecking yes\n  UserKnownHostsFile {empty}\n")
    inv = _inventory(tmp_path, "127.0.0.1", port=target_sshd.port, user="root",
                     options={"key_file": target_sshd.key_file})
    _, doc, _, _ = _scan(tmp_path, inv, "-F", str(config), "--accept-new-host-keys")
    host = _host(doc)
    assert host["state"] == "hostkey_error"
    assert "StrictHostKeyChecking yes" in host["message"]
    assert empty.read_text() == ""
    # Without the file the same flag records the key: the refusal came from the config.
    _, doc, _, _ = _scan(tmp_path, inv, "-F", "none", "--accept-new-host-keys")
    assert _host(doc)["state"] == "ok"


def test_proxy_jump_through_a_second_sshd(tmp_path: Path, target_sshd: Daemon,
                                          jump_sshd: Daemon) -> None:
    known = _known(tmp_path, target_sshd, jump_sshd)
    config = tmp_path / "ssh_config"
    config.write_text(f"Host bastion\n  HostName 127.0.0.1\n  Port {jump_sshd.port}\n"
                      f"  User root\n  IdentityFile {jump_sshd.key_file}\n"
                      f"Host 127.0.0.1\n  ProxyJump bastion\n  UserKnownHostsFile {known}\n")
    inv = _inventory(tmp_path, "127.0.0.1", port=target_sshd.port, user="root",
                     options={"key_file": target_sshd.key_file})
    before = jump_sshd.handle.log_text().count("Accepted publickey")
    _, doc, _, _ = _scan(tmp_path, inv, "-F", str(config))
    host = _host(doc)
    assert host["state"] == "ok", host["message"]
    assert host["connection"]["proxy_jump"] == {
        "value": f"root@127.0.0.1:{jump_sshd.port}", "source": f"ssh_config {config}:7"}
    # The jump host really carried the session (a login and a forwarded connection).
    log = jump_sshd.handle.log_text()
    assert log.count("Accepted publickey") == before + 1


def test_proxy_jump_chain_of_two_hops(tmp_path: Path, target_sshd: Daemon,
                                      jump_sshd: Daemon) -> None:
    known = _known(tmp_path, target_sshd, jump_sshd)
    config = tmp_path / "ssh_config"
    config.write_text(f"Host 127.0.0.1\n  UserKnownHostsFile {known}\n")
    hops = f"root@127.0.0.1:{jump_sshd.port},root@127.0.0.1:{target_sshd.port}"
    inv = _inventory(tmp_path, "127.0.0.1", port=target_sshd.port, user="root",
                     options={"key_file": target_sshd.key_file, "jump": hops})
    _, doc, _, _ = _scan(tmp_path, inv, "-F", str(config))
    host = _host(doc)
    assert host["state"] == "ok", host["message"]
    assert host["connection"]["proxy_jump"] == {"value": hops, "source": "inventory"}


def test_jump_host_key_rules_apply_to_every_hop(tmp_path: Path, target_sshd: Daemon,
                                               jump_sshd: Daemon) -> None:
    known = _known(tmp_path, target_sshd)  # the jump host's key is unknown
    config = tmp_path / "ssh_config"
    config.write_text(f"Host 127.0.0.1\n  ProxyJump root@127.0.0.1:{jump_sshd.port}\n"
                      f"  UserKnownHostsFile {known}\n")
    inv = _inventory(tmp_path, "127.0.0.1", port=target_sshd.port, user="root",
                     options={"key_file": target_sshd.key_file})
    _, doc, _, _ = _scan(tmp_path, inv, "-F", str(config))
    host = _host(doc)
    assert host["state"] == "hostkey_error"
    assert str(jump_sshd.port) in host["message"]


def test_default_is_home_ssh_config_and_none_disables(tmp_path: Path) -> None:
    home_ssh = Path.home() / ".ssh"
    home_ssh.mkdir()
    (home_ssh / "config").write_text("Host alias-x\n  HostName 192.0.2.7\n  Port 2222\n")
    inv = load_inventory(str(_inventory(tmp_path, "alias-x")))
    [host] = apply_ssh_config(inv, "").hosts()
    assert (host.address, host.port) == ("192.0.2.7", 2222)
    [host] = apply_ssh_config(inv, "none").hosts()
    assert (host.address, host.port) == ("alias-x", 22)
    assert host.connection["port"] == {"value": 22, "source": "default"}


@pytest.mark.parametrize(("text", "key"), [
    ("Host a\n  Port http\n", "Port"),
    ("Host a\n  HostName 'bad name'\n", "HostName"),
    ("Host a\n  ConnectTimeout -3\n", "ConnectTimeout"),
])
def test_bad_ssh_config_value_names_file_line_and_keyword(tmp_path: Path, text: str,
                                                          key: str) -> None:
    config = tmp_path / "ssh_config"
    config.write_text(text)
    inv = load_inventory(str(_inventory(tmp_path, "a")))
    with pytest.raises(InputError) as err:
        apply_ssh_config(inv, str(config))
    assert err.value.source == f"{config}:2" and err.value.key == key


def test_missing_ssh_config_file_is_an_input_error(tmp_path: Path) -> None:
    inv = load_inventory(str(_inventory(tmp_path, "a")))
    with pytest.raises(InputError, match="no such file"):
        apply_ssh_config(inv, str(tmp_path / "nope"))


def test_include_and_proxy_command_are_reported(tmp_path: Path) -> None:
    config = tmp_path / "ssh_config"
    config.write_text("Include other.conf\nHost a\n  ProxyCommand nc %h %p\n")
    inv = apply_ssh_config(load_inventory(str(_inventory(tmp_path, "a"))), str(config))
    notes = [n.render("en") for n in inv.notes]
    assert any("Include is not followed" in n and f"{config}:1" in n for n in notes)
    assert any("ProxyCommand" in n and "he-thong/may-1" in n for n in notes)
