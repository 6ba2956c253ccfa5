"""``attt level suggest``: propose a level from the classification criteria."""

from __future__ import annotations

import click

from ..level_suggest import (
    HARM,
    ICS_GRADES,
    INFORMATION_TYPES,
    PUBLIC_SERVICE,
    SCOPES,
    SYSTEM_TYPES,
    parse_answers,
    suggest,
)
from ..messages import T
from ..yamlio import Node, load_file
from ._ci import lang_option
from ._output import echo


@click.group()
def level() -> None:
    """Xác định cấp độ an toàn hệ thống thông tin. / Security-level classification."""


@level.command("suggest")
@click.option("--answers", type=click.Path(dir_okay=False), default=None,
              help="Tệp YAML chứa các câu trả lời (cùng khóa như các cờ, dùng dấu gạch dưới). / "
                   "YAML file with the answers (same keys as the flags, with underscores).")
@click.option("--system-type", type=click.Choice(SYSTEM_TYPES), default=None,
              help="Loại hệ thống. / System type.")
@click.option("--information", multiple=True, type=click.Choice(INFORMATION_TYPES),
              help="Loại thông tin được xử lý (lặp lại được). / "
                   "Information processed (repeatable).")
@click.option("--users", type=click.IntRange(0), default=None,
              help="Số người sử dụng. / Number of users.")
@click.option("--personal-data-subjects", type=click.IntRange(0), default=None,
              help="Số người có dữ liệu cá nhân được xử lý (mặc định: --users nếu có dữ liệu "
                   "cá nhân). / People whose personal data is processed (default: --users if "
                   "personal).")
@click.option("--sensitive-data-subjects", type=click.IntRange(0), default=None,
              help="Số người có dữ liệu cá nhân nhạy cảm được xử lý. / "
                   "People whose sensitive personal data is processed.")
@click.option("--state-secret/--no-state-secret", default=None,
              help="Hệ thống có xử lý bí mật nhà nước hay không. / "
                   "Whether the system processes state secrets.")
@click.option("--24x7/--no-24x7", "operation_24x7", default=None,
              help="Hệ thống phải vận hành 24/7. / Must run 24/7.")
@click.option("--scope", type=click.Choice(SCOPES), default=None,
              help="Phạm vi hạ tầng. / Infrastructure scope.")
@click.option("--public-service", type=click.Choice(tuple(PUBLIC_SERVICE)), default=None,
              help="Dịch vụ công trực tuyến theo Nghị định 42/2022/NĐ-CP: none (không có), "
                   "partial (một phần, tương đương mức 3 cũ), full (toàn trình, tương đương "
                   "mức 4 cũ). / Online public service as Decree 42/2022 names it: none, "
                   "partial (old level 3), full (old level 4).")
@click.option("--public-service-level", type=click.IntRange(0, 4), default=None,
              help="Mức dịch vụ công trực tuyến theo thang cũ 1-4 của Nghị định 43/2011/NĐ-CP "
                   "(0: không có); nên dùng --public-service. / Online public-service level on "
                   "the old 1-4 scale of Decree 43/2011 (0: none); prefer --public-service.")
@click.option("--conditional-business/--no-conditional-business", default=None,
              help="Phục vụ ngành, nghề kinh doanh có điều kiện. / "
                   "Serves a conditional business line.")
@click.option("--admin-procedures/--no-admin-procedures", default=None,
              help="Phục vụ giải quyết thủ tục hành chính. / "
                   "Serves administrative procedures.")
@click.option("--national-egov/--no-national-egov", default=None,
              help="Thuộc hệ thống Chính phủ điện tử quốc gia. / "
                   "Part of the national e-government system.")
@click.option("--national-data/--no-national-data", default=None,
              help="Thuộc cơ sở dữ liệu quốc gia. / Part of a national database.")
@click.option("--harm", type=click.Choice(HARM), default=None,
              help="Mức tổn hại tới quốc phòng, an ninh quốc gia nếu bị xâm phạm. / "
                   "Harm to national defence and security if compromised.")
@click.option("--ics-grade", type=click.Choice(ICS_GRADES), default=None,
              help="Cấp của hệ thống điều khiển công nghiệp. / Industrial control system grade.")
@lang_option
def level_suggest(answers: str | None, lang: str, **flags: object) -> None:
    """Đề xuất cấp độ kèm điều khoản Nghị định 85 (và phương án theo Nghị định 331). /
    Propose the level with the Decree 85 article (and the Decree 331 variant)."""
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
    for rs, name in ((result.nd85, T("Decree 85/2016/ND-CP (nd85-tt12)")),
                     (result.nd331, T("Decree 331/2026 (law116-nd331, reported)"))):
        echo(T("{regime}: proposed level {level}", regime=name, level=rs.level))
        for cr in rs.matched:
            mark = "" if cr.confidence == "research-note" else " (*)"
            meaning = cr.meaning_vi if lang == "vi" else cr.meaning_en
            lead = "=>" if cr.level == rs.level else "  "
            echo(T("  {lead} level {level}: {ref}{mark} - {meaning}", lead=lead, level=cr.level,
                   ref=cr.citation, mark=mark, meaning=meaning))
    echo(T("The level is the highest level whose criterion is met. (*) wording not yet "
           "checked against the official text."))
