"""Options shared by ``attt scan`` and ``attt report`` (gates) and by the history commands
(``--db``).  Kept here so cli.py carries one decorator per group, not the definitions."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..gates import SEVERITY_RANK

F = TypeVar("F", bound=Callable[..., object])


class FiniteFloat(click.FloatRange):
    """A FloatRange that also refuses nan and +-inf (a NaN bound compares false both ways, so
    FloatRange lets ``--fail-under nan`` through and the gate silently never fires)."""

    name = "finite float"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None
                ) -> Any:
        """A float that is neither NaN nor infinite."""

        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number.", param, ctx)
        return number


def gate_options(func: F) -> F:
    """``--fail-under``, ``--fail-on``, ``--max-errors`` (semantics: attt.gates)."""

    func = click.option(
        "--max-errors", type=click.IntRange(min=0), default=None,
        help="Exit 3 only when error findings plus unscanned hosts exceed N; "
             "up to N errors do not make the run incomplete.",
    )(func)
    func = click.option(
        "--fail-on", type=click.Choice(list(SEVERITY_RANK)), default=None,
        help="Exit 1 only when a failed requirement has at least this severity.",
    )(func)
    func = click.option(
        "--fail-under", type=FiniteFloat(0, 100), default=None, metavar="PERCENT",
        help="Exit 1 when the overall compliance % is below PERCENT.",
    )(func)
    return func


def db_option(func: F) -> F:
    """The ``--db`` option (history database), shared by the commands that read it."""

    return click.option(
        "--db", default="", envvar="ATTT_DB", type=click.Path(dir_okay=False),
        help="History database (default: $XDG_DATA_HOME/attt/history.sqlite3).",
    )(func)
