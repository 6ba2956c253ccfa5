"""History commands: ``attt history`` (the runs recorded) and ``attt diff RUN_A RUN_B``."""

from __future__ import annotations

import sys

import click

from .. import history as hist
from ..errors import InputError
from ..i18n import N_, STATUS_LABELS
from ..messages import Msg, T
from ._ci import db_option
from ._output import cli_lang, echo, echo_json, text
from ._summary import percent


def _status(status: str | None) -> str:
    """A finding status as the report labels it; "-" for none."""

    if status is None:
        return "-"
    return text(Msg(STATUS_LABELS[status])) if status in STATUS_LABELS else status


def _pct(value: float | None) -> str:
    return "-" if value is None else percent(value, cli_lang())


@click.command("history")
@db_option
@click.option("--system", default="",
              help="Chỉ các lần quét có hệ thống này. / Only runs that scanned this system.")
@click.option("--inventory", default="",
              help="Chỉ các lần quét theo tệp khai báo này (như đã ghi). / "
                   "Only runs of this inventory (as recorded).")
@click.option("-n", "--limit", type=click.IntRange(1, 100000), default=20, show_default=True,
              help="Số lần quét tối đa được liệt kê. / Most runs listed.")
@click.option("--json", "as_json", is_flag=True, help="Xuất dạng JSON. / JSON output.")
def history_cmd(db: str, system: str, inventory: str, limit: int, as_json: bool) -> None:
    """Liệt kê các lần quét đã ghi, mới nhất trước. / List the recorded runs, newest first."""
    try:
        runs = hist.list_runs(db, system=system, inventory=inventory, limit=limit)
    except hist.HistoryError as exc:
        raise InputError("--db", "", exc.message) from exc
    if as_json:
        echo_json([r.to_json() for r in runs])
        return
    if not runs:
        echo(T("no runs recorded"))
        return
    head = [text(Msg(h)) for h in (N_("run id"), N_("started"), N_("score"), N_("grade"),
                                 N_("exit"), N_("systems / inventory"))]
    echo(f"{'#':>4}  {head[0]:<22} {head[1]:<25} {head[2]:>7} {head[3]:<5} {head[4]:>4}  "
         f"{head[5]}")
    for r in runs:
        flag = text(T(" (interrupted)")) if r.interrupted else ""
        echo(
            f"{r.id:>4}  {r.run_id:<22} {r.started:<25} {_pct(r.score):>7} {r.grade or '-':<5} "
            f"{'' if r.exit_code is None else r.exit_code:>4}  {', '.join(r.systems)}{flag}"
        )
        echo(f"{'':>4}  {'':<22} {r.inventory}")


_TITLES = {
    "new_failures": N_("New failures: {count}"),
    "fixed": N_("Fixed: {count}"),
    "newly_applicable": N_("Newly applicable: {count}"),
    "no_longer_applicable": N_("No longer applicable: {count}"),
    "status_changes": N_("Other status changes: {count}"),
    "changed_evidence": N_("Changed evidence (same status): {count}"),
}


@click.command("diff")
@click.argument("run_a")
@click.argument("run_b")
@db_option
@click.option("--json", "as_json", is_flag=True, help="Xuất dạng JSON. / JSON output.")
def diff_cmd(run_a: str, run_b: str, db: str, as_json: bool) -> None:
    """Những gì thay đổi từ RUN_A đến RUN_B: lỗi mới, mục đã khắc phục, kiểm tra mới áp dụng
    và bằng chứng thay đổi. / What changed from RUN_A to RUN_B: new failures, fixed items,
    newly applicable checks and changed evidence, keyed on system + host + requirement +
    check + parameters.

    Một lần quét là số thứ tự trong `attt history`, mã lần quét (hoặc phần đầu duy nhất), một
    thư mục kết quả, `latest` hoặc `previous`.  Thoát 0 dù thay đổi thế nào (2 khi không
    biết lần quét).

    A run is its number in `attt history`, its run id (or a unique prefix), a run folder,
    `latest` or `previous`.  Exit 0 whatever changed (2 when a run is unknown)."""
    try:
        diff = hist.diff_runs(run_a, run_b, db)
    except hist.HistoryError as exc:
        raise InputError("--db", "", exc.message) from exc
    if as_json:
        echo_json(diff.to_json())
        sys.exit(0)
    assert diff.a is not None and diff.b is not None
    echo(f"A: #{diff.a.id} {diff.a.run_id} ({diff.a.started})")
    echo(f"B: #{diff.b.id} {diff.b.run_id} ({diff.b.started})")
    for name, (before, after) in sorted(diff.scores.items()):
        delta = (
            "" if before is None or after is None
            else text(T(" ({points} points)", points=format(after - before, "+.1f")))
        )
        echo(f"  {name}: {_pct(before)} -> {_pct(after)}{delta}")
    for cat in hist.Diff.CATEGORIES:
        changes = getattr(diff, cat)
        echo(Msg(_TITLES[cat], count=len(changes)))
        for c in changes:
            i = c.item
            states = f"{_status(c.before)} -> {_status(c.after)}"
            echo(f"  {i.system}/{i.host}  {i.requirement}  {i.check}  {states}")
            shown = i.message_vi if cli_lang() == "vi" and i.message_vi else i.message
            if shown:
                echo(f"      {shown[:160]}")
    sys.exit(0)
