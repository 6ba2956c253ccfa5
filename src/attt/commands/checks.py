"""``attt checks``: the check library (``list`` here, ``show`` in commands/explain.py)."""

from __future__ import annotations

import click

from ..library import load_all
from ..registry import CHECKS
from ._output import echo
from .explain import checks_show


@click.group()
def checks() -> None:
    """The check library."""


@checks.command("list")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi")
def checks_list(lang: str) -> None:
    """Every registered check with severity, probes and parameters."""
    load_all()
    for spec in sorted(CHECKS.values(), key=lambda s: s.id):
        title = spec.title_vi if lang == "vi" else spec.title_en
        params = ", ".join(f"{k}={v!r}" for k, v in spec.params.items())
        echo(f"{spec.id:<34} {spec.severity.value:<8} {title}")
        echo(
            f"{'':<34} probes: {', '.join(spec.probes)}" + (f"; params: {params}" if params else "")
        )


checks.add_command(checks_show)
