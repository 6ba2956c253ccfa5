"""``attt network``: the zone plan against the level minimums, and the planned nmap scans."""

from __future__ import annotations

import sys

import click

from ..inventory_loader import load_inventory
from ..messages import T
from ..network.zones import CONDITIONAL, LEVEL_MINIMUM, overlaps
from ..scan import ScanOptions
from ..scan import dry_run as plan_scan
from ._output import echo


@click.group()
def network() -> None:
    """Kiểm tra mạng: sơ đồ vùng mạng và các lần quét nmap dự kiến (lệnh này không quét gì).
    / Network checks: zone plan and planned nmap scans (nothing is scanned here)."""


@network.command("zones")
@click.option("-i", "--inventory", required=True, type=click.Path(dir_okay=False),
              help="Tệp khai báo hệ thống. / Inventory file.")
def zones(inventory: str) -> None:
    """Các vùng mạng của từng hệ thống so với số vùng tối thiểu của cấp độ (Thông tư 12
    II.1.a). / Each system's zones against the minimum zones of its level (Circular 12
    II.1.a)."""
    inv = load_inventory(inventory)
    missing_any = False
    for system in inv.systems:
        roles = {z.role for z in system.zones}
        echo(T("{name} (level {level}):", name=system.name, level=system.level))
        for z in system.zones:
            echo(f"  {z.name:<16} {z.role:<18} {', '.join(z.networks) or '-'}")
        for role in LEVEL_MINIMUM[system.level]:
            if role in roles:
                continue
            if role in CONDITIONAL:
                echo(T("  (no {role} zone: required only if the system has one)", role=role))
                continue
            missing_any = True
            echo(T("  MISSING {role}", role=role))
        for a, na, b, nb in overlaps(system.zones):
            missing_any = True
            echo(T("  OVERLAP {a} {na} / {b} {nb}", a=a, na=na, b=b, nb=nb))
    sys.exit(1 if missing_any else 0)


@network.command("plan")
@click.option("-i", "--inventory", required=True, type=click.Path(dir_okay=False),
              help="Tệp khai báo hệ thống. / Inventory file.")
@click.option("--from-zone", required=True,
              help="Vùng mạng nơi chạy lệnh quét. / The vantage zone the scan would run from.")
@click.option("--system", "systems", multiple=True,
              help="Chỉ các hệ thống này (lặp lại được). / Only these systems (repeatable).")
def plan(inventory: str, from_zone: str, systems: tuple[str, ...]) -> None:
    """In các lệnh nmap mà `attt scan --from-zone` sẽ chạy (như --dry-run). / Print the nmap
    commands `attt scan --from-zone` would run (same as --dry-run)."""
    lines = plan_scan(ScanOptions(inventory=inventory, systems=systems, from_zone=from_zone))
    for line in lines:
        echo(line)
