"""``attt org``: the organisation's view of its units (scan every unit, rank, report).

Subcommands live in their own modules and register here with one line each.
"""

from __future__ import annotations

import click


@click.group()
def org() -> None:
    """Tổ chức: quét, xếp hạng và báo cáo theo đơn vị. / Organisation: scan, rank and
    report per unit."""


# Each subcommand registers with one line (its module imports nothing from here).
from .org_scan import org_scan  # noqa: E402 - after the group it joins

org.add_command(org_scan)
from .org_rank import org_rank  # noqa: E402

org.add_command(org_rank)
