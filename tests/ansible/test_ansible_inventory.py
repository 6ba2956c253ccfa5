"""Ansible inventories read through ansible-core: groups, children, ranges, precedence,
overlay, reported variables, detection, and the missing-extra message."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from attt.ansible_overlay import load_ansible
from attt.cli import main
from attt.errors import InputError
from attt.inventory_sources import inventory_kind, load_any_inventory
from attt.model import Host, Inventory

FIXTURES = Path(__file__).parent / "fixtures"
KEY = str(FIXTURES / "keys" / "id_ed25519")


def _hosts(inv: Inventory) -> dict[str, Host]:
    return {h.name: h for h in inv.hosts()}


def _notes(inv: Inventory) -> str:
    return "\n".join(n.render("en") for n in inv.notes)


@pytest.mark.parametrize("name", ["hosts.ini", "inventory.yml"])
def test_groups_children_ranges_and_precedence(name: str) -> None:
    inv = load_ansible(str(FIXTURES / name), str(FIXTURES / "systems.yaml"))
    hosts = _hosts(inv)
    assert sorted(hosts) == ["db1", "db2", "web01", "web02", "web03"]  # web[01:03] expanded
    # host var beats group var beats all:
    assert (hosts["web02"].address, hosts["web02"].port) == ("192.0.2.12", 2202)
    assert (hosts["web01"].port, hosts["web01"].user) == (2200, "deploy")
    assert (hosts["db1"].port, hosts["db1"].user) == (22, "root")
    assert hosts["db1"].options["key_file"] == KEY  # relative to the inventory's folder
    assert hosts["db1"].options["sudo"] is True  # ansible_become
    assert "sudo" not in hosts["web01"].options
    assert hosts["db2"].transport == "ssh"  # paramiko connection
    [system] = inv.systems
    assert (system.name, system.level, system.owner) == ("cong-dich-vu-cong", 3, "UBND tỉnh Thử")
    assert [z.name for z in system.zones] == ["dmz", "noi-bo"]
    assert hosts["web01"].roles == ("server", "web") and hosts["web01"].zone == "dmz"
    assert hosts["db1"].roles == ("database",) and hosts["db1"].zone == "noi-bo"
    assert inv.source == str(FIXTURES / name)


def test_unknown_and_secret_variables_are_reported_never_read() -> None:
    inv = load_ansible(str(FIXTURES / "hosts.ini"), str(FIXTURES / "systems.yaml"))
    notes = _notes(inv)
    assert "variable ansible_python_interpreter is not used by attt (hosts: web01" in notes
    assert "variable ansible_ssh_common_args is not used by attt (hosts: db2)" in notes
    assert "variable ansible_password holds a secret and is never read" in notes
    assert "S3cr3t" not in notes
    assert all("S3cr3t" not in json.dumps(dict(h.options)) for h in inv.hosts())


def test_without_overlay_one_system_per_top_level_group(tmp_path: Path) -> None:
    ini = tmp_path / "hosts.ini"
    ini.write_text("lone ansible_host=192.0.2.30\n[web]\nw1 ansible_host=192.0.2.31\n"
                   "[db]\nd1 ansible_host=192.0.2.32\n")
    inv = load_ansible(str(ini))
    assert {s.name: [h.name for h in s.hosts] for s in inv.systems} == {
        "db": ["d1"], "ungrouped": ["lone"], "web": ["w1"]}
    assert all(s.level == 2 and s.regime == "nd85-tt12" for s in inv.systems)
    assert "one system per top-level group (db, ungrouped, web)" in _notes(inv)


def test_without_overlay_overlapping_groups_make_one_system() -> None:
    ini = FIXTURES / "hosts.ini"
    inv = load_ansible(str(ini))
    # web and dbs are both under prod: prod is the only top-level group, one system.
    assert [s.name for s in inv.systems] == ["prod"]


def test_without_overlay_host_in_two_top_groups(tmp_path: Path) -> None:
    ini = tmp_path / "site.ini"
    ini.write_text("[web]\nw1 ansible_host=192.0.2.31\n[hanoi]\nw1\n")
    inv = load_ansible(str(ini))
    assert [s.name for s in inv.systems] == ["site"]
    assert "hosts belong to several top-level groups" in _notes(inv)


@pytest.mark.parametrize(("overlay", "key", "problem"), [
    ("systems: [{name: s, level: 2, groups: [web, nope]}]", "systems[0].groups[1]",
     "no group 'nope'"),
    ("systems: [{name: s, level: 2, groups: [web], roles_by_group: {web: [chef]}}]",
     "systems[0].roles_by_group.web[0]", "unknown role"),
    ("systems: [{name: s, level: 2, groups: [web], zone_by_group: {web: dmz}}]",
     "systems[0].zone_by_group.web", "no zone 'dmz'"),
    ("systems: [{name: s, level: 9, groups: [web]}]", "systems[0].level", ""),
    ("systems: [{name: s, level: 2, groups: [web], hosts: []}]", "systems[0].hosts",
     "unknown key"),
    ("systms: []", "systms", "unknown key"),
    ("systems: [{name: s, level: 2}]", "systems[0].groups", "required"),
])
def test_bad_overlay_names_file_and_key(tmp_path: Path, overlay: str, key: str,
                                        problem: str) -> None:
    path = tmp_path / "systems.yaml"
    path.write_text(overlay + "\n")
    with pytest.raises(InputError) as err:
        load_ansible(str(FIXTURES / "hosts.ini"), str(path))
    assert err.value.source == str(path)
    assert err.value.key == key
    assert problem in str(err.value)


@pytest.mark.parametrize(("ini", "key", "problem"), [
    ("h1 ansible_host='{{ x }}'\n", "h1.ansible_host", "Jinja template"),
    ("h1 ansible_connection=docker\n", "h1.ansible_connection", "not supported"),
    ("h1 ansible_host=192.0.2.1 ansible_port=99999\n", "h1.ansible_port", "1-65535"),
    ("h1 ansible_host='a b'\n", "h1.ansible_host", "not an IP address"),
    ("h1 ansible_host=192.0.2.1 ansible_become=maybe\n", "h1.ansible_become", "true or false"),
])
def test_bad_ansible_variable_names_host_and_variable(tmp_path: Path, ini: str, key: str,
                                                       problem: str) -> None:
    path = tmp_path / "hosts.ini"
    path.write_text(ini)
    with pytest.raises(InputError) as err:
        load_ansible(str(path))
    assert (err.value.source, err.value.key) == (str(path), key)
    assert problem in str(err.value)


def test_unparsable_inventory_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "hosts.ini"
    path.write_text("[web\nx y=\n")
    with pytest.raises(InputError, match="not an Ansible inventory attt can read"):
        load_ansible(str(path))


def test_executable_inventory_is_never_run(tmp_path: Path) -> None:
    path = tmp_path / "hosts"
    marker = tmp_path / "ran"
    path.write_text(f"#!/bin/sh\ntouch {marker}\necho '{{}}'\n")
    path.chmod(0o755)
    with pytest.raises(InputError):
        load_ansible(str(path))
    assert not marker.exists()


@pytest.mark.parametrize(("name", "text", "overlay", "kind"), [
    ("inv.yaml", "systems: []\n", "", "attt"),
    ("inv.yaml", "all:\n  hosts: {a: {}}\n", "", "ansible"),
    ("inv.yaml", "web:\n  hosts: {a: {}}\ndb:\n  children: {}\n", "", "ansible"),
    ("inv.yaml", "known_hosts: k\n", "", "attt"),
    ("hosts", "[web]\na\n", "", "ansible"),
    ("site.ini", "a\n", "", "ansible"),
    ("list.txt", "a\n", "o.yaml", "ansible"),
])
def test_format_detection_rule(tmp_path: Path, name: str, text: str, overlay: str,
                               kind: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    assert inventory_kind(str(path), overlay) == kind


def test_attt_inventory_still_loads_through_the_dispatcher() -> None:
    inv = load_any_inventory(str(Path(__file__).parents[2] / "inventory" / "localhost.yaml"))
    assert inv.systems and not inv.notes


def test_missing_ansible_core_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ansible.constants", None)
    with pytest.raises(InputError) as err:
        load_ansible(str(FIXTURES / "hosts.ini"))
    assert "pip install ansible-core" in err.value.render("en")
    assert "pip install ansible-core" in err.value.render("vi")
    assert err.value.exit_status == 2


def test_cli_exit_2_when_ansible_core_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ansible.constants", None)
    result = CliRunner().invoke(main, ["scan", "-i", str(FIXTURES / "hosts.ini"), "--dry-run"])
    assert result.exit_code == 2
    assert "pip install ansible-core" in result.output


def test_dry_run_shows_the_notes() -> None:
    result = CliRunner().invoke(main, ["scan", "-i", str(FIXTURES / "hosts.ini"), "--systems",
                                       str(FIXTURES / "systems.yaml"), "--dry-run",
                                       "--no-network"])
    assert result.exit_code == 0, result.output
    assert "# Kho Ansible" in result.output and "ansible_ssh_common_args" in result.output
    assert "192.0.2.12 qua ssh cổng 2202" in result.output


def test_local_connection_scan_without_network(tmp_path: Path) -> None:
    ini = tmp_path / "hosts.ini"
    ini.write_text("[may_nay]\nthis-machine ansible_connection=local "
                   "ansible_python_interpreter=/usr/bin/python3\n")
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["scan", "-i", str(ini), "--no-network", "-o", str(out),
                                       "-q", "-f", "json", "--no-history"])
    assert result.exit_code in (0, 1), result.output
    doc = json.loads((out / "results.json").read_text())
    [system] = doc["systems"]
    [host] = system["hosts"]
    assert (system["name"], host["name"], host["transport"], host["state"]) == (
        "may_nay", "this-machine", "local", "ok")
    assert any("one system per top-level group" in n for n in doc["notes"])
    assert any("ansible_python_interpreter" in n for n in doc["notes_vi"])
    # The same notes on stderr: the command's language (Vietnamese), then English.
    err = result.stderr.splitlines()
    vi = [i for i, line in enumerate(err) if line.startswith("attt: cảnh báo:")]
    en = [i for i, line in enumerate(err) if line.startswith("attt: warning: Ansible inventory")]
    assert len(vi) == len(en) == 2 and all(i + 1 in en for i in vi)
    assert any("ansible_python_interpreter" in err[i] for i in vi)


def test_group_names_kept_as_written_and_no_ansible_warning(tmp_path: Path) -> None:
    ini = tmp_path / "hosts.ini"
    ini.write_text("[may-web]\nw1 ansible_host=192.0.2.1\n")
    overlay = tmp_path / "systems.yaml"
    overlay.write_text("systems: [{name: he-thong, level: 2, groups: [may-web]}]\n")
    # A process of its own: ansible-core prints its deferred warnings at exit.
    done = subprocess.run([sys.executable, "-m", "attt", "scan", "-i", str(ini), "--systems",
                           str(overlay), "--dry-run", "--no-network"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "he-thong/w1" in done.stdout
    assert "WARNING" not in done.stderr


def test_group_vars_and_host_vars_folders_beside_the_inventory(tmp_path: Path) -> None:
    (tmp_path / "hosts.ini").write_text("[web]\nw1 ansible_host=192.0.2.1\n"
                                        "w2 ansible_host=192.0.2.2 ansible_port=2002\n")
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "group_vars" / "web.yml").write_text("ansible_user: deploy\nansible_port: 2200\n")
    (tmp_path / "host_vars").mkdir()
    (tmp_path / "host_vars" / "w2.yml").write_text("ansible_port: 2999\n")
    hosts = _hosts(load_ansible(str(tmp_path / "hosts.ini")))
    assert (hosts["w1"].user, hosts["w1"].port) == ("deploy", 2200)
    # Ansible's order: host_vars/ beats the inventory file's own host variables.
    assert hosts["w2"].port == 2999


def test_timeout_and_host_key_checking(tmp_path: Path) -> None:
    path = tmp_path / "hosts.ini"
    path.write_text("[web]\nw1 ansible_host=192.0.2.1 ansible_ssh_timeout=7 "
                    "ansible_host_key_checking=false\n"
                    "w2 ansible_host=192.0.2.2 ansible_host_key_checking=true\n")
    inv = load_ansible(str(path))
    hosts = _hosts(inv)
    assert hosts["w1"].options["connect_timeout"] == 7
    assert "connect_timeout" not in hosts["w2"].options
    notes = _notes(inv)
    # false would loosen attt's host-key rules: reported, not applied; true is attt's own rule.
    assert ("the value of ansible_host_key_checking is not supported by attt and is not "
            "applied (hosts: w1)") in notes


def test_an_oversized_inventory_is_refused_before_ansible_reads_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from attt import ansible_inventory

    monkeypatch.setattr(ansible_inventory, "MAX_INVENTORY_BYTES", 64)
    ini = tmp_path / "hosts.ini"
    ini.write_text("[web]\n" + "".join(f"may-{i:03d} ansible_host=192.0.2.{i}\n"
                                       for i in range(1, 20)))
    with pytest.raises(InputError) as err:
        ansible_inventory.read_ansible(str(ini))
    assert str(ini) in str(err.value)
