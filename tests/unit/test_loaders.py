"""Loaders: every bad input names the file and the key path; good inputs load."""

from __future__ import annotations

from pathlib import Path

import pytest

from attt.errors import InputError
from attt.inventory_loader import adhoc_inventory, load_inventory
from attt.profile_loader import bundled_profiles, load_profile, load_tailoring
from attt.waivers import load_waivers

GOOD_PROFILE = """
id: test-2
regime: nd85-tt12
level: 2
extends: nd85-tt12-1
title_vi: Thử
parameters:
  password.min_length: {min_length: 9}
requirements:
  - id: X.1
    title_vi: Mật khẩu
    group: server
    layer: 1
    severity: high
    clause: {tt12: "PL-II II.2/1.2.1"}
    checks:
      - id: password.min_length
"""


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_bundled_profiles_load_and_inherit() -> None:
    ids = bundled_profiles()
    assert {f"nd85-tt12-{n}" for n in range(1, 6)} <= set(ids)
    l1, l2, l3 = (load_profile(f"nd85-tt12-{n}") for n in (1, 2, 3))
    assert len(l1.requirements) < len(l2.requirements) < len(l3.requirements)
    assert {r.id for r in l1.requirements} <= {r.id for r in l2.requirements}
    assert l2.sources[0].endswith("nd85-tt12-1.yaml")


def test_level_raises_parameter_and_provenance_says_where() -> None:
    def min_len(level: int) -> tuple[object, str]:
        prof = load_profile(f"nd85-tt12-{level}")
        p = next(p for p in prof.provenance if p.name == "min_length")
        return p.value, p.source

    assert min_len(2) == (8, "profile nd85-tt12-1")
    assert min_len(3) == (10, "profile nd85-tt12-3")


def test_custom_profile_extends_bundled(tmp_path: Path) -> None:
    prof = load_profile(write(tmp_path, "p.yaml", GOOD_PROFILE))
    assert prof.id == "test-2"
    x1 = prof.requirement("X.1")
    assert x1.checks[0].params == {"min_length": 9}
    assert any(r.id == "TT12.KT.MC.2" for r in prof.requirements)  # inherited


def test_tailoring_sets_values_flags_weakening_and_excludes(tmp_path: Path) -> None:
    tail = write(tmp_path, "t.yaml", """
parameters:
  password.min_length: {min_length: 6}
exclusions:
  - requirement: TT12.KT.MC.5
    reason: "Thiết bị chuyên dụng, không cài được phần mềm"
""")
    prof = load_profile("nd85-tt12-2", tail)
    prov = [p for p in prof.provenance if p.name == "min_length"]
    assert prov and all(p.value == 6 and p.source.startswith("tailoring") for p in prov)
    assert all(p.weakened for p in prov)
    assert prof.exclusions[0].requirement_id == "TT12.KT.MC.5"
    stronger = write(tmp_path, "t2.yaml", "parameters:\n  password.min_length: {min_length: 14}\n")
    assert not any(p.weakened for p in load_profile("nd85-tt12-2", stronger).provenance)


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        (GOOD_PROFILE.replace("regime: nd85-tt12", "regime: tt99"), "regime", "expected one of"),
        (GOOD_PROFILE.replace("level: 2", "level: 9"), "level", "1-5"),
        (GOOD_PROFILE.replace("layer: 1", "layer: 7"), "requirements[0].layer", "1-4"),
        (GOOD_PROFILE.replace("severity: high", "severity: huge"), "requirements[0].severity",
         "expected low"),
        (GOOD_PROFILE.replace("- id: password.min_length", "- id: no.such_check"),
         "requirements[0].checks[0].id", "unknown check"),
        (GOOD_PROFILE.replace("password.min_length: {min_length: 9}",
                              "password.min_length: {minlen: 9}"),
         "parameters.password.min_length.minlen", "unknown parameter"),
        (GOOD_PROFILE.replace("    checks:\n      - id: password.min_length\n", ""),
         "requirements[0].checks", "needs checks, evidence"),
        (GOOD_PROFILE.replace("title_vi: Mật khẩu", "titel_vi: Mật khẩu"),
         "requirements[0].titel_vi", "unknown key"),
        (GOOD_PROFILE.replace("extends: nd85-tt12-1", "extends: nd85-tt12-7"), "extends",
         "no profile"),
        (GOOD_PROFILE.replace("extends: nd85-tt12-1", "extends: nd85-tt12-3"), "extends",
         "lower level"),
        (GOOD_PROFILE + "  - id: X.1\n    title_vi: a\n    group: g\n    layer: 1\n"
         "    evidence: [doc]\n", "requirements[1].id", "duplicate"),
        ("regime: nd85-tt12\nlevel: [1\n", "", "invalid YAML at line"),
        ("a: &x 1\nb: *x\n", "", "aliases"),
    ],
)
def test_bad_profile_names_file_and_key(tmp_path: Path, text: str, key: str,
                                        problem: str) -> None:
    path = write(tmp_path, "bad.yaml", text)
    with pytest.raises(InputError) as info:
        load_profile(path)
    assert str(info.value).startswith(f"{path}: ")
    assert info.value.key == key
    assert problem in str(info.value)


def test_profile_cycle_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "regime: nd85-tt12\nlevel: 2\ntitle_vi: a\nextends: b\n")
    write(tmp_path, "b.yaml", "regime: nd85-tt12\nlevel: 1\ntitle_vi: b\nextends: a\n")
    with pytest.raises(InputError, match=r"lower level|cycle"):
        load_profile(str(tmp_path / "a.yaml"))


INVENTORY = """
known_hosts: kh
defaults:
  user: attt
  options: {sudo: true, connect_timeout: 5}
groups:
  bastion: {options: {jump: "attt@127.0.0.1:2222"}}
systems:
  - name: cong
    owner: UBND
    operating_unit: Sở
    level: 3
    zones:
      - {name: dmz, role: dmz, networks: ["127.0.10.0/24", "::1/128"]}
    hosts:
      - {name: web, address: 127.0.0.1, zone: dmz, roles: [server, web]}
      - {name: app, address: localhost, port: 2222, group: bastion,
         options: {key_file: keys/id}}
      - {name: img, transport: dir, path: rootfs}
"""


def test_inventory_merges_defaults_groups_and_hosts(tmp_path: Path) -> None:
    inv = load_inventory(write(tmp_path, "inv.yaml", INVENTORY))
    web, app, img = inv.hosts()
    assert web.user == "attt" and web.options == {"sudo": True, "connect_timeout": 5}
    assert app.options["jump"] == "attt@127.0.0.1:2222" and app.port == 2222
    assert app.options["key_file"] == str(tmp_path / "keys" / "id")
    assert img.transport == "dir" and img.address == str(tmp_path / "rootfs")
    assert inv.known_hosts == str(tmp_path / "kh")
    assert inv.systems[0].regime == "nd85-tt12" and inv.systems[0].level == 3


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        ("address: 127.0.0.1,", "address: '-oProxyCommand=id',", "systems[0].hosts[0].address",
         "not an IP address"),
        ("address: 127.0.0.1,", "address: '127.0.0.1;id',", "systems[0].hosts[0].address",
         "not an IP address"),
        ("port: 2222,", "port: ssh,", "systems[0].hosts[1].port", "integer"),
        ("port: 2222,", "port: 70000,", "systems[0].hosts[1].port", "1-65535"),
        ("group: bastion,", "group: nope,", "systems[0].hosts[1].group", "no group"),
        ("zone: dmz,", "zone: lan,", "systems[0].hosts[0].zone", "no zone"),
        ("roles: [server, web]", "roles: [toaster]", "systems[0].hosts[0].roles[0]",
         "unknown role"),
        ("level: 3", "level: 6", "systems[0].level", "1-5"),
        ("level: 3", "level: 3\n    regime: old", "systems[0].regime", "expected one of"),
        ('"127.0.10.0/24"', '"127.0.10.0/33"', "systems[0].zones[0].networks[0]",
         "not an IP network"),
        ("sudo: true,", "sudo: yes please,", "defaults.options.sudo", "true or false"),
        ("connect_timeout: 5", "connect_timeout: -1", "defaults.options.connect_timeout",
         "positive"),
        ("connect_timeout: 5", "password: hunter2", "defaults.options.password",
         "unknown key"),
        ("transport: dir,", "transport: telnet,", "systems[0].hosts[2].transport",
         "expected one of"),
        ('jump: "attt@127.0.0.1:2222"', 'jump: "x@-oProxyCommand=id"', "options.jump",
         "not a valid jump host"),
    ],
)
def test_bad_inventory_names_file_and_key(tmp_path: Path, old: str, new: str, key: str,
                                          problem: str) -> None:
    assert old in INVENTORY
    path = write(tmp_path, "inv.yaml", INVENTORY.replace(old, new, 1))
    with pytest.raises(InputError) as info:
        load_inventory(path)
    assert str(info.value).startswith(f"{path}: ")
    assert info.value.key.endswith(key)
    assert problem in str(info.value)


def test_inventory_missing_file_and_empty(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        load_inventory(str(tmp_path / "nope.yaml"))
    with pytest.raises(InputError, match="at least one system"):
        load_inventory(write(tmp_path, "e.yaml", "systems: []\n"))
    with pytest.raises(InputError, match="expected a mapping"):
        load_inventory(write(tmp_path, "l.yaml", "- a\n- b\n"))


def test_adhoc_targets() -> None:
    assert adhoc_inventory("local", 2).hosts()[0].transport == "local"
    ssh = adhoc_inventory("ssh://root@127.0.0.1:2200", 3).hosts()[0]
    assert (ssh.address, ssh.port, ssh.user) == ("127.0.0.1", 2200, "root")
    assert adhoc_inventory("dir:/tmp", 2).hosts()[0].address == "/tmp"
    for bad in ("ftp://x", "ssh://-oProxyCommand=id", "dir:", "ssh://h:99999"):
        with pytest.raises(InputError):
            adhoc_inventory(bad, 2)


def test_tailoring_and_waiver_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        load_profile("nd85-tt12-2", write(tmp_path, "t.yaml",
                     "exclusions:\n  - requirement: NOPE\n    reason: x\n"))
    assert info.value.key == "exclusions[0].requirement"
    with pytest.raises(InputError) as info:
        load_tailoring(write(tmp_path, "t2.yaml", "exclusions:\n  - requirement: A\n"))
    assert info.value.key == "exclusions[0].reason"
    with pytest.raises(InputError) as info:
        load_profile("nd85-tt12-2", write(tmp_path, "t3.yaml", "profile: nd85-tt12-3\n"))
    assert info.value.key == "profile"
    bad_w = "waivers:\n  - target: A\n    reason: r\n    approver: a\n    expires: 31/12/2026\n"
    with pytest.raises(InputError) as info:
        load_waivers(write(tmp_path, "w.yaml", bad_w))
    assert info.value.key == "waivers[0].expires"
    no_approver = "waivers:\n  - target: A\n    reason: r\n    expires: 2026-12-31\n"
    with pytest.raises(InputError) as info:
        load_waivers(write(tmp_path, "w2.yaml", no_approver))
    assert info.value.key == "waivers[0].approver"
    good = "waivers:\n  - check: ssh.root_login_disabled\n    hosts: 'web*'\n    reason: r\n" \
           "    approver: Giám đốc\n    expires: 2026-12-31\n"
    (w,) = load_waivers(write(tmp_path, "w3.yaml", good))
    assert (w.target, w.hosts, w.expires) == ("ssh.root_login_disabled", "web*", "2026-12-31")
