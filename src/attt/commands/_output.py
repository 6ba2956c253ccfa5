"""What every command prints: one escaping ``echo``, JSON output and comma lists.

Shared by ``cli.py`` and every ``commands/*.py`` so no command module imports ``cli``.
"""

from __future__ import annotations

import json
from typing import Any

import click

from ..termsafe import escape, json_escape


def echo(message: str = "", err: bool = False, nl: bool = True) -> None:
    """Every line attt prints: control characters from names, paths and messages shown as
    visible escapes (attt.termsafe)."""

    click.echo(escape(message), err=err, nl=nl)


def echo_json(data: Any) -> None:
    """JSON on stdout; unsafe characters as JSON ``\\uXXXX`` escapes, so it stays valid."""

    click.echo(json_escape(json.dumps(data, ensure_ascii=False, indent=1)))


def split_list(values: tuple[str, ...]) -> tuple[str, ...]:
    """``-f html,json -f csv`` → ``("html", "json", "csv")``."""

    return tuple(v.strip() for item in values for v in item.split(",") if v.strip())
