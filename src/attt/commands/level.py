"""``attt level suggest``: propose a level from the classification criteria."""

from __future__ import annotations

import click

from ..i18n import gettext_for
from ..level_suggest import (
    HARM,
    ICS_GRADES,
    INFORMATION_TYPES,
    SCOPES,
    SYSTEM_TYPES,
    parse_answers,
    suggest,
)
from ..yamlio import Node, load_file
from ._output import echo


@click.group()
def level() -> None:
    """Security-level classification (cấp độ)."""


@level.command("suggest")
@click.option("--answers", type=click.Path(dir_okay=False), default=None,
              help="YAML file with the answers (same keys as the flags, with underscores).")
@click.option("--system-type", type=click.Choice(SYSTEM_TYPES), default=None)
@click.option("--information", multiple=True, type=click.Choice(INFORMATION_TYPES),
              help="Information processed (repeatable).")
@click.option("--users", type=click.IntRange(0), default=None, help="Number of users.")
@click.option("--personal-data-subjects", type=click.IntRange(0), default=None,
              help="People whose personal data is processed (default: --users if personal).")
@click.option("--sensitive-data-subjects", type=click.IntRange(0), default=None)
@click.option("--state-secret/--no-state-secret", default=None)
@click.option("--24x7/--no-24x7", "operation_24x7", default=None, help="Must run 24/7.")
@click.option("--scope", type=click.Choice(SCOPES), default=None, help="Infrastructure scope.")
@click.option("--public-service-level", type=click.IntRange(0, 4), default=None,
              help="Online public-service level 1-4 (0: none).")
@click.option("--conditional-business/--no-conditional-business", default=None)
@click.option("--admin-procedures/--no-admin-procedures", default=None)
@click.option("--national-egov/--no-national-egov", default=None)
@click.option("--national-data/--no-national-data", default=None)
@click.option("--harm", type=click.Choice(HARM), default=None,
              help="Harm to national defence and security if compromised.")
@click.option("--ics-grade", type=click.Choice(ICS_GRADES), default=None)
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
def level_suggest(answers: str | None, lang: str, **flags: object) -> None:
    """Propose the level with the Decree 85 article (and the Decree 331 variant)."""
    _ = gettext_for(lang)
    data: dict[str, object] = {}
    source = "command line"
    if answers:
        source = answers
        raw = load_file(answers) or {}
        data.update(Node(raw, answers).data)
    for key, value in flags.items():
        if value is None or value == ():
            continue
        data[key] = list(value) if isinstance(value, tuple) else value
    parsed = parse_answers(Node(data, source))
    result = suggest(parsed)
    for rs, name in ((result.nd85, "Nghị định 85/2016/NĐ-CP (nd85-tt12)"),
                     (result.nd331, _("Decree 331/2026 (law116-nd331, reported)"))):
        echo(_("{regime}: proposed level {level}").format(regime=name, level=rs.level))
        for cr in rs.matched:
            mark = "" if cr.confidence == "research-note" else " (*)"
            meaning = cr.meaning_vi if lang == "vi" else cr.meaning_en
            lead = "=>" if cr.level == rs.level else "  "
            echo(f"  {lead} {_('level')} {cr.level}: {cr.ref}{mark} - {meaning}")
    echo(_("The level is the highest level whose criterion is met. (*) wording not yet "
                 "checked against the official text."))
