"""``attt network``: the zone plan against the level minimums, and the planned nmap scans."""

from __future__ import annotations

import sys

import click

from ..inventory_loader import load_inventory
from ..network.zones import CONDITIONAL, LEVEL_MINIMUM, overlaps
from ..scan import ScanOptions
from ..scan import dry_run as plan_scan
from ._output import echo


@click.group()
def network() -> None:
    """Network checks: zone plan and planned nmap scans (nothing is scanned here)."""


@network.command("zones")
@click.option("-i", "--inventory", required=True, type=click.Path(dir_okay=False))
def zones(inventory: str) -> None:
    """Each system's zones against the minimum zones of its level (Circular 12 II.1.a)."""
    inv = load_inventory(inventory)
    missing_any = False
    for system in inv.systems:
        roles = {z.role for z in system.zones}
        echo(f"{system.name} (level {system.level}):")
        for z in system.zones:
            echo(f"  {z.name:<16} {z.role:<18} {', '.join(z.networks) or '-'}")
        for role in LEVEL_MINIMUM[system.level]:
            if role in roles:
                continue
            if role in CONDITIONAL:
                echo(f"  (no {role} zone: required only if the system has one)")
                continue
            missing_any = True
            echo(f"  MISSING {role}")
        for a, na, b, nb in overlaps(system.zones):
            missing_any = True
            echo(f"  OVERLAP {a} {na} / {b} {nb}")
    sys.exit(1 if missing_any else 0)


@network.command("plan")
@click.option("-i", "--inventory", required=True, type=click.Path(dir_okay=False))
@click.option("--from-zone", required=True, help="The vantage zone the scan would run from.")
@click.option("--system", "systems", multiple=True, help="Only these systems (repeatable).")
def plan(inventory: str, from_zone: str, systems: tuple[str, ...]) -> None:
    """Print the nmap commands `attt scan --from-zone` would run (same as --dry-run)."""
    lines = plan_scan(ScanOptions(inventory=inventory, systems=systems, from_zone=from_zone))
    for line in lines:
        echo(line)
