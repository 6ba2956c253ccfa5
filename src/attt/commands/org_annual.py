"""``attt org annual-report``: the yearly report on level-based security (Circular 12 Art.
13-14, or Decree 331 Art. 35-36 and its Form 08), pre-filled from the organisation's units,
their inputs and the history database, as DOCX, HTML and JSON."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..annual.build import REGIMES, owner_scope, report_document, report_json, unit_scope
from ..annual.build import build_report as build_annual
from ..annual.collect import collect, unit_party
from ..annual.model import AnnualReport
from ..annual.period import period
from ..dossier.context import vn_today
from ..dossier.docx import render_dossier_docx
from ..dossier.html import render_dossier_html
from ..errors import ExitStatus, InputError, OutputError
from ..history.store import check_path
from ..messages import T
from ..org.organisation import Organisation, Unit, load_organisation
from ..run_folder import write_atomic
from ..signing import EVIDENCE_DIR, sign_folder
from ._ci import lang_option
from ._output import echo
from .keys import load_signing_key

STEM = "annual-report"


def _today(value: str) -> dt.date:
    if not value:
        return vn_today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError("--today", value, T("expected a date YYYY-MM-DD")) from None


@click.command("annual-report")
@click.argument("organisation", type=click.Path(dir_okay=False))
@click.option("--year", type=click.IntRange(2000, 2100), required=True,
              help="Năm báo cáo (số liệu từ 15/12 năm trước đến 14/12). / Reporting year "
                   "(data from 15 Dec of the year before to 14 Dec).")
@click.option("--regime", type=click.Choice(REGIMES), default=None,
              help="Chế độ báo cáo (mặc định: regime của tệp tổ chức). / Reporting regime "
                   "(default: the organisation file's regime).")
@click.option("--unit", "unit_id", default="",
              help="Báo cáo của một đơn vị gửi chủ quản (hạn trước 20/12); mặc định: báo cáo "
                   "của chủ quản gồm mọi đơn vị (hạn trước 25/12). / One unit's report to the "
                   "owner (due before 20 Dec); default: the owner's report of every unit "
                   "(due before 25 Dec).")
@click.option("-o", "--out", default="",
              help="Thư mục ghi ra (mặc định: ./attt-annual-report-<năm>[-<đơn vị>]). / Output "
                   "folder (default: ./attt-annual-report-<year>[-<unit>]).")
@click.option("--db", default="", type=click.Path(dir_okay=False),
              help="Cơ sở dữ liệu lịch sử (mặc định: $ATTT_DB). / History database (default: "
                   "$ATTT_DB).")
@click.option("--check", is_flag=True,
              help="Liệt kê các chỗ để trống và lỗi nhất quán, mã thoát 1 khi còn; với -o, ghi "
                   "thêm báo cáo. / List the blanks and consistency failures, exit 1 while "
                   "any remain; with -o, also write the report.")
@click.option("--sign", "sign_key", default=None, type=click.Path(dir_okay=False),
              help="Ký thư mục kết quả bằng khóa bí mật Ed25519 này. / Sign the output folder "
                   "with this Ed25519 private key.")
@click.option("--today", default="", hidden=True,
              help="Ngày hôm nay (cho kiểm thử). / Today's date (for tests).")
@lang_option
def annual_report(organisation: str, year: int, regime: str | None, unit_id: str, out: str,
                  db: str, check: bool, sign_key: str | None, today: str, lang: str) -> None:
    """Báo cáo năm về bảo đảm an toàn hệ thống thông tin theo cấp độ (TT12 Điều 14, NĐ331
    Mẫu số 08). / Annual report on level-based security (TT12 Art. 14, ND331 Form 08)."""
    if check and sign_key:
        raise InputError("--sign", "", T("--check writes no final document to sign"))
    key = load_signing_key(sign_key) if sign_key else None
    day = _today(today)
    org = load_organisation(organisation)
    regime = regime or org.regime
    if unit_id:
        try:
            unit = org.unit(unit_id)
        except KeyError:
            raise InputError(organisation, "units", T(
                "no unit '{unit}' (known: {known})", unit=unit_id,
                known=[u.id for u in org.units])) from None
        units: tuple[Unit, ...] = (unit,)
        scope = unit_scope(unit.id, unit_party(unit), org.owner, org.security_unit, org.name)
    else:
        units = org.units
        scope = owner_scope(org.owner, org.security_unit, org.name, regime,
                            [(u.id, unit_party(u)) for u in units])
    facts = collect(org, units, year, check_path(db))
    report = build_annual(facts, scope, year, regime, day, lang,
                          os.path.basename(org.path))
    alert = period(year, scope.level).alert(day)
    if alert is not None:
        echo(T("WARNING  {message}", message=alert), err=True)
    folder = out or f"attt-annual-report-{year}" + (f"-{unit_id}" if unit_id else "")
    if check:
        _print_check(report)
        if out:
            _write(report, folder, lang)
        sys.exit(int(ExitStatus.NON_COMPLIANT) if report.gaps or report.checks else 0)
    _write(report, folder, lang)
    if key is not None:
        _sign(folder, key, org, units)
    echo(T("{count} blanks in the report (attt org annual-report --check lists them)",
           count=len(report.gaps)), err=True)


def _print_check(report: AnnualReport) -> None:
    for g in report.gaps:
        echo(f"{g.unit or '-'}  {g.system or '-'}  {g.field}: {g.where}")
    for c in report.checks:
        where = " ".join(("", "[" + c.unit, c.system + "]")) if c.system else ""
        echo(T("CONSISTENCY  {rule}{where}", rule=c.rule, where=where))
    echo(T("{gaps} blanks and {checks} consistency failures in the report of {year}",
           gaps=len(report.gaps), checks=len(report.checks), year=report.year))


def _write(report: AnnualReport, folder: str, lang: str) -> None:
    os.makedirs(folder, exist_ok=True)
    doc = report_document(report, lang)
    written: list[str] = []
    outputs = (
        ("docx", lambda: render_dossier_docx(doc)),
        ("html", lambda: render_dossier_html(doc)),
        ("json", lambda: json.dumps(report_json(report), ensure_ascii=False, indent=1) + "\n"),
    )
    for ext, render in outputs:
        path = os.path.join(folder, f"{STEM}.{ext}")
        try:
            write_atomic(path, render())
        except OSError as exc:
            raise OutputError(path, exc, tuple(os.path.basename(p) for p in written)) from exc
        written.append(path)
        echo(path)


def _sign(folder: str, key: Ed25519PrivateKey, org: Organisation, units: tuple[Unit, ...]
          ) -> None:
    """Sign the folder, bringing the organisation file, inputs and inventories it used."""

    bring = {f"{EVIDENCE_DIR}/{os.path.basename(org.path)}": org.path}
    for u in org.units:
        if u not in units:
            continue
        for path in (*u.inventories, *((u.inputs,) if u.inputs else ())):
            bring[f"{EVIDENCE_DIR}/{u.id}/{os.path.basename(path)}"] = path
    try:
        echo(sign_folder(folder, key, evidence=bring, hashes={}))
    except OSError as exc:
        raise InputError(folder, "", str(exc)) from exc
