"""``attt collector windows``: print or write the Windows collector script (collector.ps1)
that an administrator, a GPO startup script or a scheduled task runs on a Windows host."""

from __future__ import annotations

import os

import click

from ..errors import InputError
from ..messages import T
from ..windows import COLLECTOR_NAME, collector_bytes
from ._output import echo


@click.group()
def collector() -> None:
    """Tập lệnh thu thập chạy trên máy được kiểm tra. / Collector scripts run on the hosts
    being checked."""


@collector.command("windows")
@click.option("-o", "--out", default="",
              help="Tệp ghi ra (mặc định: in ra màn hình; không ghi đè tệp đã có). / File to "
                   "write (default: standard output; an existing file is not overwritten).")
def collector_windows(out: str) -> None:
    """In tập lệnh PowerShell thu thập cấu hình máy Windows (chỉ đọc, Windows PowerShell
    5.1, không cần cài mô-đun); tập lệnh in ra một tài liệu JSON để attt chấm điểm. / Print
    the PowerShell script that collects a Windows host's settings (read-only, Windows
    PowerShell 5.1, no module to install); it prints one JSON document for attt to grade."""
    data = collector_bytes()
    if not out or out == "-":
        # The exact bytes (ASCII, LF): click writes bytes to the binary stream as they are,
        # with no newline added and no escaping (nothing in it comes from outside attt).
        click.echo(data, nl=False)
        return
    try:
        with open(out, "xb") as fh:
            fh.write(data)
    except FileExistsError:
        raise InputError(out, "", T("exists already; not overwritten")) from None
    except OSError as exc:
        raise InputError(out, "", T("cannot write here: {problem}",
                                    problem=exc.strerror or str(exc))) from None
    echo(T("{path}: Windows collector written; run it on the host with: powershell.exe "
           "-NoProfile -ExecutionPolicy Bypass -File {name} -OutFile {target}",
           path=out, name=os.path.basename(out) or COLLECTOR_NAME,
           target="\\\\SERVER\\attt\\%COMPUTERNAME%.json"))
