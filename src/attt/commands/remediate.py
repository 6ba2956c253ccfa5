"""``attt remediate RUN_DIR``: a playbook (or shell script) fixing the run's failing checks
that have an automatic fix, and the list of those a person must decide.

Exit status: 0 when the file was written (whether or not anything needed fixing), 2 when the
run folder or an option is not valid.
"""

from __future__ import annotations

import os
import sys

import click

from ..errors import InputError
from ..messages import Msg, T
from ..remediation import FORMATS, build_plan
from ..remediation.plan import Listed
from ..run_folder import write_atomic
from ..termsafe import escape

DEFAULT_NAMES = {"ansible": "attt-remediate.yml", "sh": "attt-remediate.sh"}


def _say(message: Msg | str, err: bool) -> None:
    """A line in Vietnamese, then in English when it differs (the officer and the CI log)."""

    if isinstance(message, str):
        click.echo(escape(message), err=err)
        return
    vi, en = message.render("vi"), message.render("en")
    click.echo(escape(vi), err=err)
    if en != vi:
        click.echo(escape(en), err=err)


def _list(title: Msg, items: list[Listed], err: bool) -> None:
    if not items:
        return
    _say(title, err)
    for item in items:
        _say(f"  {item.check} ({', '.join(item.hosts)})", err)
        _say(f"    {item.reason_vi}", err)
        _say(f"    {item.reason_en}", err)


@click.command()
@click.argument("run_dir", type=click.Path(file_okay=False))
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default="ansible",
              show_default=True,
              help="Dạng đầu ra: playbook Ansible hoặc tập lệnh sh. / Output: an Ansible "
                   "playbook or a POSIX shell script.")
@click.option("-o", "--output", default=None,
              help="Tệp ghi ra ('-' là đầu ra chuẩn; mặc định attt-remediate.yml hoặc .sh). / "
                   "File to write ('-' for stdout; default attt-remediate.yml or .sh).")
@click.option("--host", "hosts", multiple=True,
              help="Chỉ các máy có tên khớp mẫu (lặp lại được). / Only hosts matching this "
                   "pattern (repeatable).")
@click.option("--system", "systems", multiple=True,
              help="Chỉ các hệ thống có tên khớp mẫu. / Only systems matching this pattern.")
@click.option("--apply-live", is_flag=True,
              help="Áp dụng ngay tham số nhân, quy tắc kiểm toán, tường lửa vào hệ thống đang "
                   "chạy. / Also apply kernel parameters, audit rules and the firewall to the "
                   "running system.")
def remediate(run_dir: str, fmt: str, output: str | None, hosts: tuple[str, ...],
              systems: tuple[str, ...], apply_live: bool) -> None:
    """Viết playbook (hoặc tập lệnh sh) khắc phục các kiểm tra không đạt có cách sửa tự động.
    / Write a playbook (or shell script) fixing the failing checks that have an automatic fix.
    """

    if not os.path.isdir(run_dir):
        raise InputError(run_dir, "", T("not a folder: give the folder of a scan run"))
    plan = build_plan(run_dir, hosts, systems)
    text = FORMATS[fmt](plan, apply_live)
    to_stdout = output == "-"
    target = output or DEFAULT_NAMES[fmt]
    if to_stdout:
        sys.stdout.write(text)
    else:
        try:
            # Through a fresh temporary file and a rename, as every report: a symlink
            # planted at the name (to /etc/...) is replaced, never written through.
            write_atomic(target, text)
            if fmt == "sh":
                os.chmod(target, 0o755)
        except OSError as exc:
            raise InputError(target, "", T("cannot write the file: {reason}",
                                            reason=exc.strerror or str(exc))) from None
    err = to_stdout  # keep stdout for the playbook itself
    fixed = sorted({h for t in plan.tasks for h in t.hosts})
    _say(T("Automatic fixes: {count} for {hosts} host(s).", count=len(plan.tasks),
           hosts=len(fixed)), err)
    _list(T("Needs a decision by a person (not fixed):"), plan.human, err)
    _list(T("No automatic fix known (not fixed):"), plan.unsupported, err)
    if not to_stdout:
        _say(T("Written to {path}.", path=target), err)


__all__ = ["remediate"]
