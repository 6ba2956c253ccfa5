"""attt inventory export --ansible, and the round trip attt -> Ansible -> attt."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from attt.ansible_overlay import load_ansible
from attt.cli import main
from attt.inventory_loader import load_inventory
from attt.model import Inventory

FIXTURES = Path(__file__).parent / "fixtures"


def _meaning(inv: Inventory, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """What an inventory means for a scan: systems, zones, hosts and how to reach them."""

    return {
        s.name: {
            "system": (s.owner, s.operating_unit, s.level, s.regime,
                       [(z.name, z.role, z.networks) for z in s.zones]),
            "hosts": {h.name: (h.transport, h.address, h.port, h.user, sorted(h.roles), h.zone,
                               h.tags, dict(h.options))
                      for h in s.hosts if h.key not in skip},
        }
        for s in inv.systems
    }


def test_round_trip_keeps_the_meaning(tmp_path: Path) -> None:
    source = FIXTURES / "attt-inventory.yaml"
    out = tmp_path / "hosts.yml"
    result = CliRunner().invoke(main, ["inventory", "export", "--ansible", "-i", str(source),
                                       "-o", str(out)])
    assert result.exit_code == 0, result.output
    overlay = tmp_path / "hosts.systems.yaml"
    assert overlay.is_file()
    # The dir: host has no Ansible form: named on stderr, not silently dropped.
    assert "quan-tri/golden" in result.stderr
    back = load_ansible(str(out), str(overlay))
    assert _meaning(back) == _meaning(load_inventory(str(source)), skip=("quan-tri/golden",))


def test_exported_inventory_shape(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["inventory", "export", "--ansible", "-i",
                                       str(FIXTURES / "attt-inventory.yaml")])
    assert result.exit_code == 0, result.output
    doc = yaml.safe_load(result.stdout)
    groups = doc["all"]["children"]
    assert set(groups) >= {"sys_cong_thong_tin", "sys_quan_tri", "zone_cong_thong_tin_dmz",
                           "role_database", "role_web"}
    web02 = groups["sys_cong_thong_tin"]["hosts"]["web02"]
    assert web02["ansible_host"] == "192.0.2.11" and web02["ansible_port"] == 2222
    assert web02["ansible_become"] is True and web02["ansible_user"] == "root"
    assert groups["sys_quan_tri"]["hosts"]["this-machine"] == {
        "ansible_connection": "local", "ansible_user": "root",
        "attt_options": {"connect_timeout": 5}}
    db01 = groups["sys_cong_thong_tin"]["hosts"]["db01"]
    assert db01["attt_options"]["password_env"] == "DB_SSH_PASSWORD"
    assert "password" not in str({k: v for k, v in db01.items() if k != "attt_options"})
