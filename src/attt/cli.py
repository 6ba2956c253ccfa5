"""Command line: the ``attt`` group, logging, and the one place an ``AtttError`` becomes a
message and an exit code (docs/design.md §7).

Every command is a plain click command in ``attt.commands`` that prints through
``commands._output.echo`` and raises ``AtttError``; this module registers them with
``main.add_command`` and nothing imports it but ``attt.__main__``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from typing import IO, Any, cast

import click

from . import __version__
from .commands._output import cli_lang, echo, env_lang
from .commands.checks import checks
from .commands.collector import collector
from .commands.content import evidence, profiles
from .commands.coverage import coverage
from .commands.dossier import dossier
from .commands.explain import requirements
from .commands.history import diff_cmd, history_cmd
from .commands.inventory import inventory
from .commands.keys import keys, verify
from .commands.level import level
from .commands.network import network
from .commands.org import org
from .commands.org_annual import annual_report
from .commands.remediate import remediate
from .commands.scan import report, scan
from .commands.validate import validate
from .commands.worker import worker
from .errors import AtttError
from .messages import T
from .termsafe import LOG_FORMAT, EscapingFormatter, EscapingWriter

log = logging.getLogger("attt")


def _setup_logging(verbose: int) -> None:
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(EscapingFormatter(LOG_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    if verbose < 2:
        logging.getLogger("paramiko").setLevel(logging.CRITICAL)


def error_lines(exc: AtttError, lang: str) -> list[str]:
    """An error in the command-line language, then in English when that differs: the officer
    reads the first line, an English-reading CI engineer (and a log grep) the second."""

    english = f"attt: error: {exc.render('en')}"
    if lang == "en":
        return [english]
    local = T("attt: error: {message}", message=exc.render(lang)).render(lang)
    return [local] if local == english else [local, english]


class _Group(click.Group):
    """click's own usage errors repeat what was typed (an option, a path, a value): they go
    through the same escaping as every other line attt prints.  An ``AtttError`` from any
    command becomes ``attt: error: MESSAGE`` on stderr and its exit status, here only."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except AtttError as exc:
            for line in error_lines(exc, cli_lang()):
                echo(line, err=True)
            sys.exit(int(exc.exit_status))

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.ClickException as exc:
            # click words its usage errors in English only: say what happened in Vietnamese
            # first, click's precise message (the option, the value) follows.
            if env_lang() != "en":
                echo(T("attt: error: the command line is not valid (details below; see "
                       "--help)."), err=True)
            exc.show(file=cast(IO[str], EscapingWriter(sys.stderr)))
            sys.exit(exc.exit_code)
        except click.Abort as exc:
            echo(T("Aborted!"), err=True)
            # Ctrl-C outside a scan's own handling: the documented 130, not click's 1.
            sys.exit(130 if isinstance(exc.__cause__, KeyboardInterrupt) else 1)
        sys.exit(code if isinstance(code, int) else 0)


@click.group(
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"], "auto_envvar_prefix": "ATTT"},
)
@click.version_option(__version__, prog_name="attt",
                      help="In phiên bản rồi thoát. / Show the version and exit.")
@click.option("-v", "--verbose", count=True,
              help="Ghi nhật ký chi tiết hơn (-v thông tin, -vv gỡ lỗi). / More log output "
                   "(-v info, -vv debug).")
def main(verbose: int) -> None:
    """attt: kiểm tra tuân thủ cấp độ an toàn hệ thống thông tin (cấp độ 1-5, mô hình 4 lớp).

    Security-level compliance scanner for Vietnamese state information systems.
    """
    _setup_logging(verbose)


HELP_OPTION_TEXT = "In hướng dẫn này rồi thoát. / Show this message and exit."


def bilingual_help_option(command: click.Command) -> None:
    """``-h/--help`` of ``command`` and its subcommands described in Vietnamese then English
    (click's own text is English only).  click's own help option is kept (not a new
    parameter of the command), only its text changes."""

    original = command.get_help_option

    def get_help_option(ctx: click.Context) -> click.Option | None:
        option = original(ctx)
        if option is not None:
            option.help = HELP_OPTION_TEXT
        return option

    command.get_help_option = get_help_option  # type: ignore[method-assign]
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            bilingual_help_option(sub)


for _command in (scan, report, validate, checks, requirements, profiles, evidence, dossier,
                 history_cmd, diff_cmd, keys, verify, level, network, coverage, collector,
                 worker, inventory, remediate, org):
    main.add_command(_command)
org.add_command(annual_report)
bilingual_help_option(main)

if __name__ == "__main__":  # pragma: no cover
    main()
