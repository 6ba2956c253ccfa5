"""Options shared by ``attt scan`` and ``attt report`` (gates) and by the history commands
(``--db``).  Kept here so cli.py carries one decorator per group, not the definitions."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar

import click

from ..gates import SEVERITY_RANK
from ..i18n import DEFAULT_LANG, LANGUAGES
from ..messages import T, render
from ._output import LANG_ENV, cli_lang, set_cli_lang

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
            self.fail(render(T("{value} is not a finite number.", value=repr(value)),
                             cli_lang()), param, ctx)
        return number


def gate_options(func: F) -> F:
    """``--fail-under``, ``--fail-on``, ``--max-errors`` (semantics: attt.gates)."""

    func = click.option(
        "--max-errors", type=click.IntRange(min=0), default=None,
        help="Chỉ thoát mã 3 khi số kết quả lỗi cộng số máy chủ chưa quét vượt quá N; tối đa "
             "N lỗi không làm lần quét bị coi là chưa đầy đủ. / Exit 3 only when error "
             "findings plus unscanned hosts exceed N; up to N errors do not make the run "
             "incomplete.",
    )(func)
    func = click.option(
        "--fail-on", type=click.Choice(list(SEVERITY_RANK)), default=None,
        help="Chỉ thoát mã 1 khi có yêu cầu không đạt với mức độ nghiêm trọng từ mức này trở "
             "lên. / Exit 1 only when a failed requirement has at least this severity.",
    )(func)
    func = click.option(
        "--fail-under", type=FiniteFloat(0, 100), default=None, metavar="PERCENT",
        help="Thoát mã 1 khi tỷ lệ tuân thủ chung dưới PERCENT. / "
             "Exit 1 when the overall compliance % is below PERCENT.",
    )(func)
    return func


def db_option(func: F) -> F:
    """The ``--db`` option (history database), shared by the commands that read it."""

    return click.option(
        "--db", default="", envvar="ATTT_DB", type=click.Path(dir_okay=False),
        help="Cơ sở dữ liệu lịch sử (mặc định: $XDG_DATA_HOME/attt/history.sqlite3). / "
             "History database (default: $XDG_DATA_HOME/attt/history.sqlite3).",
    )(func)


def _remember_lang(ctx: click.Context, param: click.Parameter, value: str) -> str:
    set_cli_lang(value)
    return value


def lang_option(func: F) -> F:
    """``--lang vi|en`` (default ``$ATTT_LANG``, else vi): the language of the files written
    and of every line the command prints."""

    return click.option(
        "--lang", type=click.Choice(list(LANGUAGES)), default=DEFAULT_LANG, envvar=LANG_ENV,
        show_default=True, callback=_remember_lang,
        help="Ngôn ngữ của báo cáo và của các dòng in ra (mặc định: $ATTT_LANG, nếu không "
             "thì vi). / Language of the report and of the printed lines (default: $ATTT_LANG, "
             "else vi).",
    )(func)
