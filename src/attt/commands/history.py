"""History commands: ``attt history`` (the runs recorded) and ``attt diff RUN_A RUN_B``."""

from __future__ import annotations

import sys

import click

from .. import history as hist
from ..errors import InputError
from ._ci import db_option
from ._output import echo, echo_json


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}%"


@click.command("history")
@db_option
@click.option("--system", default="", help="Only runs that scanned this system.")
@click.option("--inventory", default="", help="Only runs of this inventory (as recorded).")
@click.option("-n", "--limit", type=click.IntRange(1, 100000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
def history_cmd(db: str, system: str, inventory: str, limit: int, as_json: bool) -> None:
    """List the recorded runs, newest first."""
    try:
        runs = hist.list_runs(db, system=system, inventory=inventory, limit=limit)
    except hist.HistoryError as exc:
        raise InputError("--db", "", str(exc)) from exc
    if as_json:
        echo_json([r.to_json() for r in runs])
        return
    if not runs:
        echo("no runs recorded")
        return
    echo(f"{'#':>4}  {'run id':<22} {'started':<25} {'score':>7} {'grade':<5} "
               f"{'exit':>4}  systems / inventory")
    for r in runs:
        flag = " (interrupted)" if r.interrupted else ""
        echo(
            f"{r.id:>4}  {r.run_id:<22} {r.started:<25} {_pct(r.score):>7} {r.grade or '-':<5} "
            f"{'' if r.exit_code is None else r.exit_code:>4}  {', '.join(r.systems)}{flag}"
        )
        echo(f"{'':>4}  {'':<22} {r.inventory}")


_TITLES = {
    "new_failures": "New failures",
    "fixed": "Fixed",
    "newly_applicable": "Newly applicable",
    "no_longer_applicable": "No longer applicable",
    "status_changes": "Other status changes",
    "changed_evidence": "Changed evidence (same status)",
}


@click.command("diff")
@click.argument("run_a")
@click.argument("run_b")
@db_option
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
def diff_cmd(run_a: str, run_b: str, db: str, as_json: bool) -> None:
    """What changed from RUN_A to RUN_B: new failures, fixed items, newly applicable checks and
    changed evidence, keyed on system + host + requirement + check + parameters.

    A run is its number in `attt history`, its run id (or a unique prefix), a run folder,
    `latest` or `previous`.  Exit 0 whatever changed (2 when a run is unknown)."""
    try:
        diff = hist.diff_runs(run_a, run_b, db)
    except hist.HistoryError as exc:
        raise InputError("--db", "", str(exc)) from exc
    if as_json:
        echo_json(diff.to_json())
        sys.exit(0)
    assert diff.a is not None and diff.b is not None
    echo(f"A: #{diff.a.id} {diff.a.run_id} ({diff.a.started})")
    echo(f"B: #{diff.b.id} {diff.b.run_id} ({diff.b.started})")
    for name, (before, after) in sorted(diff.scores.items()):
        delta = (
            "" if before is None or after is None else f" ({after - before:+.1f} points)"
        )
        echo(f"  {name}: {_pct(before)} -> {_pct(after)}{delta}")
    for cat in hist.Diff.CATEGORIES:
        changes = getattr(diff, cat)
        echo(f"{_TITLES[cat]}: {len(changes)}")
        for c in changes:
            i = c.item
            states = f"{c.before or '-'} -> {c.after or '-'}"
            echo(f"  {i.system}/{i.host}  {i.requirement}  {i.check}  {states}")
            if i.message:
                echo(f"      {i.message[:160]}")
    sys.exit(0)
