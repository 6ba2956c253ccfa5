"""``attt org scan ORG.yaml``: scan every unit's inventories and record each run with its unit."""

from __future__ import annotations

import datetime as dt
import os
import sys
from typing import Any

import click

from ..i18n import VN_TZ
from ..messages import Msg, T
from ..org.league_model import number
from ..org.organisation import load_organisation, select_units
from ..org.scan import UnitRun, scan_units, worst
from ..scan import ScanOptions, ScanResult
from ._ci import FiniteFloat, db_option, lang_option
from ._output import cli_lang, echo, split_list
from .keys import load_signing_key, sign_or_fail


def _line(r: UnitRun) -> Msg:
    if r.error:
        return T("{unit} ({name}) {inventory}: not scanned (exit {code}): {error}",
                 unit=r.unit.id, name=r.unit.name, inventory=os.path.basename(r.inventory),
                 code=r.exit_code, error=r.error)
    score = "-" if r.score is None else f"{number(r.score, 1, cli_lang())} %"
    return T("{unit} ({name}) {inventory}: score {score} {grade}, exit {code}, {folder}",
             unit=r.unit.id, name=r.unit.name, inventory=os.path.basename(r.inventory),
             score=score, grade=r.grade, code=r.exit_code, folder=r.out_dir)


@click.command("scan")
@click.argument("organisation", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--out", default="",
              help="Thư mục gốc; mỗi lần quét ghi vào THƯ_MỤC/<đơn vị>/<tệp khai báo> (mặc "
                   "định: ./attt-org-<thời điểm>). / Base folder; each run goes to "
                   "DIR/<unit>/<inventory stem> (default: ./attt-org-<time>).")
@click.option("--unit", "units", multiple=True,
              help="Chỉ quét các đơn vị này (lặp lại được). / Only these units (repeatable).")
@click.option("-f", "--format", "formats", multiple=True, default=("html,json",),
              show_default=True,
              help="Định dạng đầu ra, cách nhau bằng dấu phẩy. / Output formats, comma "
                   "separated.")
@click.option("-l", "--level", type=click.IntRange(1, 5), default=None,
              help="Thay cấp độ đề xuất của các hệ thống. / Override the systems' proposed "
                   "level.")
@click.option("--network/--no-network", default=True, show_default=True,
              help="Kiểm tra mạng theo sơ đồ vùng mạng của tệp khai báo. / Network checks "
                   "from the inventories' zone plans.")
@click.option("-w", "--workers", type=click.IntRange(1, 256), default=8, show_default=True,
              help="Số máy chủ quét đồng thời. / Hosts scanned at once.")
@click.option("--connect-timeout", type=FiniteFloat(0, 3600, min_open=True), default=10.0,
              show_default=True, help="Thời gian chờ kết nối, giây. / Connect timeout, "
                                      "seconds.")
@click.option("--command-timeout", type=FiniteFloat(0, 86400, min_open=True), default=300.0,
              show_default=True, help="Thời gian chờ mỗi lệnh, giây. / Command timeout, "
                                      "seconds.")
@click.option("--accept-new-host-keys", is_flag=True,
              help="Tin cậy và ghi lại khóa SSH chưa biết của máy chủ. / Trust and record "
                   "unknown SSH host keys.")
@click.option("--sign", "sign", default=None, type=click.Path(exists=True, dir_okay=False),
              help="Ký từng thư mục kết quả bằng khóa bí mật Ed25519 này. / Sign each run "
                   "folder with this Ed25519 private key.")
@db_option
@lang_option
def org_scan(**params: Any) -> None:
    """Quét các tệp khai báo của mọi đơn vị và ghi lịch sử theo đơn vị. / Scan every unit's
    inventories and record each run with its unit."""
    org = load_organisation(params["organisation"])
    units = select_units(org, tuple(params["units"]))
    signer = load_signing_key(params["sign"]) if params["sign"] else None
    stamp = dt.datetime.now(VN_TZ).strftime("%Y%m%d-%H%M%S")
    base = os.path.abspath(params["out"] or f"attt-org-{stamp}")
    template = ScanOptions(
        formats=split_list(params["formats"]), level=params["level"],
        network=params["network"], workers=params["workers"], lang=params["lang"],
        connect_timeout=params["connect_timeout"], command_timeout=params["command_timeout"],
        accept_new_host_keys=params["accept_new_host_keys"], db=params["db"] or "",
    )

    def after_run(result: ScanResult) -> None:
        if signer is not None and not result.interrupted:
            sign_or_fail(result.out_dir, signer)

    runs = scan_units(org, units, base, template, after_run)
    for r in runs:
        echo(_line(r))
    without = [u.id for u in units if not u.inventories]
    if without:
        echo(T("Units without an inventory (nothing scanned): {units}",
               units=", ".join(without)))
    code = worst([r.exit_code for r in runs])
    # The closing line in Vietnamese and English: the officer and a CI log both read it.
    total = T("Organisation scan: {runs} runs of {units} units in {folder}; exit code {code}",
              runs=len(runs), units=len(units), folder=base, code=code)
    echo(total)
    if cli_lang() != "en":
        echo(total.render("en"))
    sys.exit(code)
