"""``attt org rank ORG.yaml --year 2026``: the league table of the units (HTML, CSV, XLSX,
JSON), from the history database, the units' inputs and coverage results."""

from __future__ import annotations

import os
from typing import Any

import click

from .. import history
from ..messages import T
from ..org.criteria_file import load_criteria
from ..org.league import build_league
from ..org.league_files import LEAGUE_FILES
from ..org.league_model import evidence_files, league_json, points_text
from ..org.organisation import load_organisation
from ..run_folder import make_folder
from ..signing import sign_folder
from ._ci import db_option, lang_option
from ._output import echo
from .keys import load_signing_key


@click.command("rank")
@click.argument("organisation", type=click.Path(exists=True, dir_okay=False))
@click.option("--year", type=click.IntRange(2000, 2100), required=True,
              help="Năm xếp hạng (kỳ số liệu 15/12 năm trước đến 14/12). / Year ranked (data "
                   "period 15 Dec of the year before to 14 Dec).")
@click.option("-o", "--out", default="",
              help="Thư mục ghi bảng xếp hạng (mặc định: ./attt-league-<năm>). / Output "
                   "folder (default: ./attt-league-<year>).")
@click.option("--criteria", "criteria", default=None,
              type=click.Path(exists=True, dir_okay=False),
              help="Tệp tiêu chí (mặc định: khóa criteria: của tệp tổ chức, nếu không thì bộ "
                   "tiêu chí kèm theo). / Criteria file (default: the organisation's criteria:, "
                   "else the bundled one).")
@click.option("--sign", "sign", default=None, type=click.Path(exists=True, dir_okay=False),
              help="Ký thư mục kết quả bằng khóa bí mật Ed25519 này. / Sign the output folder "
                   "with this Ed25519 private key.")
@db_option
@lang_option
def org_rank(**params: Any) -> None:
    """Lập bảng xếp hạng an toàn thông tin của các đơn vị. / Write the units' league table
    of information security."""
    org = load_organisation(params["organisation"])
    criteria = load_criteria(params["criteria"] or org.criteria_path or "")
    signer = load_signing_key(params["sign"]) if params["sign"] else None
    year, lang = int(params["year"]), str(params["lang"])
    out = os.path.abspath(params["out"] or f"attt-league-{year}")
    db = history.check_path(params["db"] or "")
    with history.connect(db, create=False) as conn:
        league = build_league(conn, org, criteria, year, db)
    model = league_json(league)
    make_folder(out)
    for name, write in LEAGUE_FILES.items():
        write(model, lang, os.path.join(out, name))
    if signer is not None:
        sign_folder(out, signer, evidence=evidence_files(model))
    for u in model["units"]:
        rank = str(u["rank"]) if u["rank"] is not None else "-"
        echo(T("{rank}. {unit} ({name}): {total}; without data: {missing}",
               rank=rank, unit=u["id"], name=u["name"], total=points_text(u["total"], lang),
               missing=u["missing"]))
    echo(T("League table of {year} written to {folder}", year=year, folder=out))
    if league.estimated:
        echo(T("Estimated scores: the criteria are not confirmed (ước tính)."))
