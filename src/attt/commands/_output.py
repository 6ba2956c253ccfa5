"""What every command prints: one escaping ``echo``, the command-line language, JSON output
and comma lists.

Shared by ``cli.py`` and every ``commands/*.py`` so no command module imports ``cli``.

The language of what the command line prints: a command's ``--lang`` (which also reads
``$ATTT_LANG``, see ``_ci.lang_option``), else ``$ATTT_LANG``, else Vietnamese.  ``echo``
renders ``T(...)`` messages in it, so commands never pick the language themselves.
"""

from __future__ import annotations

import json
import os
from typing import Any

import click

from ..i18n import DEFAULT_LANG, LANGUAGES
from ..messages import Msg, render
from ..termsafe import escape, json_escape

LANG_ENV = "ATTT_LANG"
# Key in click's Context.meta (shared by a group's context and its subcommands' contexts).
LANG_KEY = "attt.lang"


def env_lang() -> str:
    """``$ATTT_LANG`` when it names a language attt speaks, else the default (Vietnamese)."""

    value = os.environ.get(LANG_ENV, "").strip().lower()
    return value if value in LANGUAGES else DEFAULT_LANG


def cli_lang() -> str:
    """The language of this command: its ``--lang`` if it has one, else ``$ATTT_LANG``."""

    ctx = click.get_current_context(silent=True)
    chosen = ctx.meta.get(LANG_KEY) if ctx is not None else None
    return chosen if isinstance(chosen, str) and chosen in LANGUAGES else env_lang()


def set_cli_lang(lang: str) -> None:
    """Remember ``lang`` for every line this command prints (a ``--lang`` callback)."""

    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.meta[LANG_KEY] = lang


def text(message: str | Msg) -> str:
    """A message in the command-line language (plain strings as they are)."""

    return render(message, cli_lang())


def echo(message: str | Msg = "", err: bool = False, nl: bool = True) -> None:
    """Every line attt prints, in the command-line language: control characters from names,
    paths and messages shown as visible escapes (attt.termsafe)."""

    click.echo(escape(text(message)), err=err, nl=nl)


def echo_json(data: Any) -> None:
    """JSON on stdout; unsafe characters as JSON ``\\uXXXX`` escapes, so it stays valid."""

    click.echo(json_escape(json.dumps(data, ensure_ascii=False, indent=1)))


def split_list(values: tuple[str, ...]) -> tuple[str, ...]:
    """``-f html,json -f csv`` → ``("html", "json", "csv")``."""

    return tuple(v.strip() for item in values for v in item.split(",") if v.strip())
