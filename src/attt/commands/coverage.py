"""``attt coverage``: "100% of computers protected", reconciled from asset sources and
anti-malware console exports (attt.coverage)."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys

import click

from ..coverage.consoles import default_mappings, load_console, load_mapping
from ..coverage.match import Params
from ..coverage.report import lines, reconcile, to_json
from ..coverage.sources import Loaded, from_inventory, load_assets
from ..errors import InputError
from ..messages import T, render
from ..run_folder import write_atomic
from ._ci import lang_option
from ._output import cli_lang, echo, echo_json


def _as_of(value: str | None) -> dt.datetime:
    if not value:
        return dt.datetime.now(dt.UTC)
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InputError("--as-of", "", T("not an ISO date or date and time: {value}",
                                          value=repr(value))) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone(dt.timedelta(hours=7)))
    return parsed.astimezone(dt.UTC)


@click.command("coverage")
@click.option("-i", "--inventory", type=click.Path(dir_okay=False), default=None,
              help="Tệp khai báo hệ thống: các máy chủ, máy trạm đã khai báo. / Inventory file: "
                   "the declared hosts.")
@click.option("--system", default=None,
              help="Chỉ các máy của hệ thống này trong tệp khai báo. / Only this system's hosts "
                   "of the inventory.")
@click.option("--assets", multiple=True, type=click.Path(dir_okay=False),
              help="Nguồn tài sản (lặp lại được): nmap -sn -oX, dhcpd.leases, CSV của "
                   "Get-DhcpServerv4Lease hoặc Get-ADComputer. / Asset source (repeatable): "
                   "nmap -sn -oX XML, dhcpd.leases, Get-DhcpServerv4Lease or Get-ADComputer CSV.")
@click.option("--console", "consoles", multiple=True, required=True,
              type=click.Path(dir_okay=False),
              help="Tệp xuất từ máy chủ quản trị phòng chống mã độc (lặp lại được): Kaspersky "
                   "Security Center, Defender for Endpoint, Apex Central hoặc CSV theo --mapping. "
                   "/ Anti-malware console export (repeatable): Kaspersky Security Center, "
                   "Defender for Endpoint, Apex Central, or a CSV read with --mapping.")
@click.option("--mapping", "mappings", multiple=True, type=click.Path(dir_okay=False),
              help="Tệp YAML ánh xạ cột cho một máy chủ quản trị khác (BKAV...), lặp lại được. "
                   "/ Column-mapping YAML for another console (BKAV ...), repeatable.")
@click.option("--max-bases-age", type=click.IntRange(0), default=7, show_default=True,
              help="Số ngày tối đa từ lần cập nhật cơ sở dữ liệu mã độc. / Maximum age of the "
                   "anti-malware bases, in days.")
@click.option("--max-unseen", type=click.IntRange(0), default=14, show_default=True,
              help="Số ngày tối đa máy không kết nối về máy chủ quản trị. / Maximum days since "
                   "the console last saw the machine.")
@click.option("--ip-window", type=click.IntRange(0), default=7, show_default=True,
              help="Chỉ ghép theo địa chỉ IP khi hai lần ghi nhận cách nhau tối đa N ngày. / "
                   "Match by IP only when both observations are at most N days apart.")
@click.option("--max-account-age", type=click.IntRange(0), default=0, show_default=True,
              help="Bỏ qua tài khoản máy tính AD không đăng nhập quá N ngày (0: không bỏ "
                   "qua). / Leave out AD computer accounts not logged on for more than N days "
                   "(0: keep all).")
@click.option("--as-of", default=None,
              help="Thời điểm đánh giá (ISO 8601; mặc định: bây giờ). / Time of the assessment "
                   "(ISO 8601; default: now).")
@click.option("--json", "as_json", is_flag=True,
              help="In kết quả dạng JSON. / Print the result as JSON.")
@click.option("-o", "--out", default="", type=click.Path(file_okay=False),
              help="Ghi coverage.json và coverage.txt vào thư mục này. / Write coverage.json "
                   "and coverage.txt into this folder.")
@lang_option
def coverage(inventory: str | None, system: str | None, assets: tuple[str, ...],
             consoles: tuple[str, ...], mappings: tuple[str, ...], max_bases_age: int,
             max_unseen: int, ip_window: int, max_account_age: int, as_of: str | None,
             as_json: bool, out: str, lang: str) -> None:
    """Đối soát "100% máy tính được cài phần mềm phòng chống mã độc": nguồn tài sản so với tệp
    xuất của máy chủ quản trị. Mã thoát 0 khi mọi máy được bảo vệ và cập nhật, 1 nếu không, 2
    khi tệp đầu vào lỗi. / Reconcile "100% of computers protected": asset sources against
    console exports. Exit 0 when every computer is protected and current, 1 otherwise, 2 on
    input errors."""
    if inventory is None and not assets:
        raise InputError("--inventory", "", T("give --inventory or at least one --assets file"))
    if system is not None and inventory is None:
        raise InputError("--system", "", T("--system needs --inventory"))
    params = Params(_as_of(as_of), dt.timedelta(days=ip_window), max_bases_age, max_unseen)
    loaded: list[Loaded] = []
    if inventory is not None:
        loaded.append(Loaded(inventory, "inventory",
                             tuple(from_inventory(inventory, system))))
    account_age = dt.timedelta(days=max_account_age) if max_account_age else None
    loaded += [load_assets(path, params.as_of, params.ip_window, account_age)
               for path in assets]
    maps = [load_mapping(path) for path in mappings] + default_mappings()
    exports = [load_console(path, maps) for path in consoles]
    result = reconcile(loaded, exports, params)
    if result.total == 0:
        raise InputError(", ".join(x.path for x in loaded), "",
                         T("no computer in the asset sources"))
    if out:
        os.makedirs(out, exist_ok=True)
        # As every report: through a fresh temporary file and a rename, never through a
        # symlink planted at the name.
        write_atomic(os.path.join(out, "coverage.json"),
                     json.dumps(to_json(result), ensure_ascii=False, indent=1))
        write_atomic(os.path.join(out, "coverage.txt"),
                     [render(line, cli_lang()) + "\n" for line in lines(result)])
    if as_json:
        echo_json(to_json(result))
    else:
        for line in lines(result):
            echo(line)
    sys.exit(0 if result.complete else 1)
