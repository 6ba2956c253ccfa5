"""Bad inputs stop the run with a clear error before nmap is started (a fake nmap on PATH
records any call), and target validation on its own."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from nethelp import PROFILE, attt

from attt.errors import InputError
from attt.inventory_loader import load_inventory
from attt.network.services import parse_service
from attt.network.targets import check_target
from attt.render.document import all_findings

GOOD_ZONES = """    zones:
      - {name: users, role: internal, networks: ["127.0.0.1/32"]}
      - {name: servers, role: internal_server, networks: ["127.0.0.16/28"]ZT}
    vantage_points: [{zone: users}]
"""


def _inventory(tmp: Path, zones: str = GOOD_ZONES, extra: str = "", targets: str = "") -> Path:
    path = tmp / "inventory.yaml"
    path.write_text("systems:\n  - name: lab\n    level: 3\n"
                    + zones.replace("ZT", targets) + extra)
    return path


@pytest.fixture
def fake_nmap(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """PATH with an 'nmap' that only records that it was run."""

    bindir = tmp_path / "bin"
    bindir.mkdir()
    marker = tmp_path / "nmap-was-run"
    script = bindir / "nmap"
    script.write_text(f"#!/bin/sh\necho \"$@\" >> {marker}\nexit 1\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return {"PATH": f"{bindir}:{os.environ['PATH']}"}, marker


BAD = [
    ("targets-option", {"targets": ', targets: ["-iL /etc/shadow"]'},
     "zones[1].targets[0]: target looks like an nmap option, refused: '-iL /etc/shadow'"),
    ("targets-shell", {"targets": ', targets: ["127.0.0.1;id"]'},
     "zones[1].targets[0]: not an IP address, network or host name: '127.0.0.1;id'"),
    ("unterminated-cidr", {"zones": GOOD_ZONES.replace("127.0.0.16/28", "127.0.0.16/")},
     "zones[1].networks[0]: not an IP network: '127.0.0.16/'"),
    ("overlap", {"zones": GOOD_ZONES.replace("127.0.0.16/28", "127.0.0.0/24")},
     "zone 'users' (127.0.0.1/32) overlaps zone 'servers' (127.0.0.0/24)"),
    ("public-option", {"extra": "    public_services: [{name: w, host: '-iL /etc/shadow', "
                                "ports: [443]}]\n"},
     "public_services[0].host: target looks like an nmap option"),
    ("rule-port", {"extra": "    rules: {flows: [{from: users, to: servers, action: allow, "
                            "services: ['tcp/80;id'], reason: x}]}\n"},
     "rules.flows[0].services[0]: expected tcp/PORT"),
    ("resolver", {"zones": GOOD_ZONES.replace("{zone: users}",
                                              "{zone: users, resolver: '-iL x'}")},
     "vantage_points[0].resolver: expected IP, IP:PORT"),
]


@pytest.mark.parametrize(("name", "parts", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_a_clear_error_and_nothing_runs(
    tmp_path: Path, fake_nmap: tuple[dict[str, str], Path], name: str,
    parts: dict[str, str], message: str,
) -> None:
    env, marker = fake_nmap
    inv = _inventory(tmp_path, **parts)
    for args in (["--dry-run"], ["-q", "-o", str(tmp_path / "out")]):
        proc = attt("scan", *args, "-i", str(inv), "-p", PROFILE, "--from-zone", "users",
                    env=env)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert message in proc.stderr
        assert "Traceback" not in proc.stderr
    assert not marker.exists()
    assert not (tmp_path / "out").exists()
    with pytest.raises(InputError):
        load_inventory(str(inv))


def test_missing_nmap_binary_is_named(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = attt("scan", "-q", "-i", str(_inventory(tmp_path)), "-p", PROFILE,
                "--from-zone", "users", "-o", str(tmp_path / "out"), env={"PATH": str(empty)})
    assert proc.returncode == 2
    assert "the nmap binary was not found on PATH" in proc.stderr
    assert "apt-get install nmap" in proc.stderr


def test_unknown_vantage_zone(tmp_path: Path, fake_nmap: tuple[dict[str, str], Path]) -> None:
    env, marker = fake_nmap
    proc = attt("scan", "--dry-run", "-i", str(_inventory(tmp_path)), "-p", PROFILE,
                "--from-zone", "servers;id", env=env)
    assert proc.returncode == 2 and "no system in scope has this zone" in proc.stderr
    proc = attt("scan", "--dry-run", "-i", str(_inventory(tmp_path)), "-p", PROFILE,
                "--from-zone", "servers", env=env)
    assert proc.returncode == 2 and "is not a declared vantage point" in proc.stderr
    assert not marker.exists()


def test_no_network_scan_without_from_zone(tmp_path: Path) -> None:
    """Default: the zone plan is judged from the inventory; scan checks are errors (not
    evaluated), never passes; --no-network drops the network checks."""

    import json

    inv = _inventory(tmp_path)
    proc = attt("scan", "-q", "-i", str(inv), "-p", PROFILE, "-o", str(tmp_path / "a"),
                "-f", "json")
    doc = json.loads((tmp_path / "a" / "results.json").read_text())
    by = {f["check"]: f for f in all_findings(doc)}
    assert by["net.zone_internal"]["status"] == "pass"
    assert by["net.zone_db_server"]["status"] == "fail"
    assert by["net.rules_internal"]["status"] == "error"
    assert "--from-zone" in by["net.rules_internal"]["message"]
    assert by["net.rules_internal"]["host"] == "net:plan"
    assert proc.returncode == 1
    attt("scan", "-q", "--no-network", "-i", str(inv), "-p", PROFILE,
         "-o", str(tmp_path / "b"), "-f", "json")
    doc = json.loads((tmp_path / "b" / "results.json").read_text())
    assert not all_findings(doc)


@pytest.mark.parametrize("value", ["127.0.0.1", "::1", "198.18.0.0/15", "2001:2::/48",
                                   "portal.example.gov.vn", "host-1"])
def test_valid_targets(value: str) -> None:
    assert check_target(value) == value


@pytest.mark.parametrize("value", ["-iL /etc/shadow", "-oN/tmp/x", "127.0.0.1;id",
                                   "198.18.0.0/", "198.18.0.0/33", "a b", "host\n", "$(id)",
                                   "`id`", "1.2.3.4/24/", "", "--script=x"])
def test_invalid_targets(value: str) -> None:
    with pytest.raises(InputError):
        check_target(value)


def test_service_specs() -> None:
    assert parse_service("https") == (("tcp", 443, 443),)
    assert parse_service("udp/161") == (("udp", 161, 161),)
    assert parse_service("tcp/8000-8100") == (("tcp", 8000, 8100),)
    assert parse_service("any") is None
    for bad in ("tcp/0", "tcp/70000", "icmp/1", "80;id", "tcp/90-80"):
        with pytest.raises(ValueError):
            parse_service(bad)


def test_network_zones_command(tmp_path: Path) -> None:
    proc = attt("network", "zones", "-i", str(_inventory(tmp_path)), env={"ATTT_LANG": "en"})
    assert proc.returncode == 1
    assert "MISSING perimeter" in proc.stdout and "MISSING db_server" in proc.stdout
    assert "(no wireless zone: required only if the system has one)" in proc.stdout
    proc = attt("network", "zones", "-i", str(_inventory(tmp_path)), env={"ATTT_LANG": "vi"})
    assert proc.returncode == 1
    assert "THIẾU perimeter" in proc.stdout and "THIẾU db_server" in proc.stdout
