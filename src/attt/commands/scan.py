"""``attt scan`` and ``attt report``: scan and grade, or render a saved results.json again."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import fields, replace
from typing import Any

import click

from .. import gates
from ..errors import ExitStatus, InputError
from ..i18n import HOST_STATE_LABELS
from ..messages import Msg, T
from ..render import load_formats
from ..results_file import read_results
from ..run_folder import make_folder, render_files
from ..runner import HostOutcome
from ..scan import ScanOptions, run_scan
from ..scan import dry_run as plan_scan
from ..termsafe import escape
from ._broker import broker_options
from ._ci import FiniteFloat, db_option, gate_options, lang_option
from ._output import cli_lang, echo, split_list
from ._summary import gate_line, status_counts, system_lines
from .keys import load_signing_key, sign_or_fail

# Options of ``attt scan`` that steer the command, not the scan: not in ScanOptions.
COMMAND_ONLY = frozenset({"dry_run", "exit_zero", "no_history", "quiet", "resume", "sign"})


def scan_options(params: Mapping[str, Any]) -> ScanOptions:
    """ScanOptions from click's parameters of ``attt scan`` (the options are declared once, by
    the decorators): same names; an optional file not given (None) is ""; ``-f a,b`` is
    split; ``--no-history`` is ``history=False``."""

    if params["inventory"] and params["target"]:
        raise InputError("--target", "", T("give either --inventory or --target, not both"))
    values: dict[str, Any] = {}
    for f in fields(ScanOptions):
        if f.name == "history":
            values["history"] = not params["no_history"]
        elif f.name == "formats":
            values["formats"] = split_list(params["formats"])
        else:
            value = params[f.name]
            values[f.name] = "" if value is None and f.default == "" else value
    return ScanOptions(**values)


def _without_broker_password(opts: ScanOptions) -> ScanOptions:
    """A password in --broker is moved to the environment variable the run reads it from,
    so run.json never holds it."""

    if not opts.broker:
        return opts
    from ..distributed.app import split_password

    url, password = split_password(opts.broker)
    if password:
        from .. import redact

        redact.register(password, opts.broker_password_env)
        os.environ[opts.broker_password_env] = password  # what was typed wins
    return replace(opts, broker=url)


class _Progress:
    """A progress bar on a terminal, plain lines in CI logs (stderr either way)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.tty = sys.stderr.isatty() and not os.environ.get("CI")
        self.total = 0
        self.done = 0

    def start(self, total: int, skipped: int) -> None:
        self.total, self.done = total, skipped
        if self.enabled and skipped:
            echo(T("Resuming: {skipped} of {total} hosts already scanned",
                   skipped=skipped, total=total), err=True)

    def host_done(self, o: HostOutcome) -> None:
        self.done += 1
        if not self.enabled:
            return
        state = host_state(o)
        if self.tty:
            width = 30
            filled = int(width * self.done / max(self.total, 1))
            bar = "#" * filled + "-" * (width - filled)
            # The one raw control character attt prints on purpose: \r redraws the bar.
            click.echo(
                f"\r[{bar}] {self.done}/{self.total} {escape(o.host.key[:40]):<40}", err=True,
                nl=False,
            )
            if o.state != "ok":
                echo(T("\n  {host}: {state}", host=o.host.key, state=state), err=True)
            if self.done == self.total:
                echo("", err=True)
        else:
            counts = status_counts(o.record()["counts"], keep_zero=False)
            echo(T("[{done}/{total}] {host}: {state} ({counts})", done=self.done,
                   total=self.total, host=o.host.key, state=state, counts=counts), err=True)


def _warn(note: Msg) -> None:
    """A note of the inventory on stderr: in the command's language, then in English."""

    lang = cli_lang()
    echo(T("attt: warning: {message}", message=note), err=True)
    if lang != "en":
        click.echo(escape(f"attt: warning: {note.render('en')}"), err=True)


def host_state(o: HostOutcome) -> Msg:
    """A host's state label; with the transport's own words when it was not scanned."""

    label = Msg(HOST_STATE_LABELS.get(o.state, o.state))
    if o.state == "ok":
        return label
    return T("{state}: {message}", state=label, message=o.message)


def _print_summary(doc: dict[str, Any], out_dir: str, files: list[str], code: int) -> None:
    run = doc["run"]
    for system in doc["systems"]:
        for i, line in enumerate(system_lines(system, run, cli_lang())):
            echo(line if i == 0 else T("  {line}", line=line))
    summary = doc["summary"]
    echo(T("Hosts scanned: {done}/{total}", done=run["hosts_scanned"], total=run["hosts_total"]))
    if summary["host_errors"]:
        echo(T("Hosts with errors: {count}", count=summary["host_errors"]))
    if doc["expired_waivers"]:
        echo(T("!! Expired waivers ignored: {count}", count=len(doc["expired_waivers"])))
        for w in doc["expired_waivers"]:
            echo(f"   {w['target']} ({w['hosts']}, {w['expires']})")
    if run.get("interrupted"):
        echo(T("Scan interrupted; results are incomplete"))
    echo(T("Report written to {path}", path=out_dir))
    for path in files:
        echo(f"  {os.path.basename(path)}")
    _print_exit(doc, code)


def _print_exit(doc: dict[str, Any], code: int) -> None:
    """The gate that decided (if any) and the exit code: CI logs show why a job went red."""

    line = gate_line(doc)
    if line is not None:
        echo(line)
    echo(T("Exit code: {code}", code=code))


@click.command()
@click.option(
    "-i",
    "--inventory",
    type=click.Path(dir_okay=False),
    default="",
    help="Tệp khai báo hệ thống YAML (mặc định: inventory/localhost.yaml đi kèm). / "
         "Inventory YAML (default: the bundled inventory/localhost.yaml).",
)
@click.option(
    "--systems", "overlay", type=click.Path(dir_okay=False), default="",
    help="Tệp bổ sung cho kho Ansible: hệ thống, cấp độ, vùng mạng, vai trò theo nhóm (-i là "
         "kho Ansible). / Overlay of an Ansible inventory: systems, levels, zones, roles by "
         "group (-i is an Ansible inventory).",
)
@click.option(
    "-F", "--ssh-config", "ssh_config", default="",
    help="Tệp cấu hình máy khách OpenSSH (mặc định: ~/.ssh/config nếu có; none: không dùng). "
         "/ OpenSSH client configuration (default: ~/.ssh/config if present; none: no file).",
)
@click.option(
    "-t", "--target", default="",
    help="Một đối tượng quét: local, dir:ĐƯỜNG_DẪN hoặc ssh://user@host:port. / "
         "One ad-hoc target: local, dir:PATH or ssh://user@host:port."
)
@click.option("--system", "systems", multiple=True,
              help="Chỉ quét các hệ thống này (lặp lại được). / Only these systems (repeatable).")
@click.option("--hosts", default="",
              help="Chỉ quét máy chủ có tên hoặc hệ_thống/tên khớp mẫu này. / "
                   "Only hosts whose name or system/name matches this glob.")
@click.option(
    "-p",
    "--profile",
    default="",
    help="Mã hoặc tệp hồ sơ yêu cầu (mặc định: theo chế độ và cấp độ của từng hệ thống). / "
         "Profile id or file (default: from each system's regime and level).",
)
@click.option(
    "-l",
    "--level",
    type=click.IntRange(1, 5),
    default=None,
    help="Thay cấp độ đề xuất của các hệ thống. / Override the systems' proposed level.",
)
@click.option(
    "--tailoring",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Tệp tùy chỉnh. / Tailoring file.",
)
@click.option(
    "--evidence",
    "evidence",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Tệp bằng chứng của một hệ thống (lặp lại được; mặc định: khóa evidence: của tệp "
         "khai báo). / Evidence file of a system (repeatable; default: the inventory's "
         "evidence: key).",
)
@click.option(
    "--coverage",
    type=click.Path(dir_okay=False),
    default=None,
    help="Kết quả 'attt coverage' (coverage.json) của hệ thống được quét, dùng cho TT12.KT.GP.13 "
         "(thay cho khóa coverage: của tệp khai báo). / The 'attt coverage' result "
         "(coverage.json) of the scanned system, graded as TT12.KT.GP.13 (instead of the "
         "inventory's coverage: key).",
)
@click.option(
    "--evidence-root",
    type=click.Path(exists=True, file_okay=False),
    default=None,
    help="Thư mục chứa các tài liệu bằng chứng (mặc định: thư mục của từng tệp bằng chứng). / "
         "Folder that evidence document files must lie in (default: each evidence file's).",
)
@click.option(
    "--waivers", type=click.Path(exists=True, dir_okay=False), default=None,
    help="Tệp miễn trừ. / Waivers file."
)
@click.option(
    "-f",
    "--format",
    "formats",
    multiple=True,
    default=("html,json,junit",),
    show_default=True,
    help="Định dạng đầu ra, cách nhau bằng dấu phẩy. / Output formats, comma separated.",
)
@click.option("-o", "--out", default="",
              help="Thư mục kết quả (mặc định: ./attt-report-<mã lần quét>). / "
                   "Run folder (default: ./attt-report-<run id>).")
@click.option(
    "-w",
    "--workers",
    type=click.IntRange(1, 256),
    default=8,
    show_default=True,
    help="Số máy chủ quét đồng thời. / Hosts scanned at once.",
)
@lang_option
@click.option(
    "--resume",
    "resume",
    type=click.Path(exists=True, file_okay=False),
    default=None,
    help="Tiếp tục một lần quét bị gián đoạn; bỏ qua máy chủ đã quét xong. / "
         "Continue an interrupted run folder; hosts already done are skipped.",
)
@click.option(
    "--accept-new-host-keys",
    is_flag=True,
    help="Tin cậy và ghi lại khóa SSH chưa biết của máy chủ (không bao giờ chấp nhận khóa "
         "đã thay đổi). / Trust and record unknown SSH host keys (never changed ones).",
)
@click.option("--connect-timeout", type=FiniteFloat(0, 3600, min_open=True), default=10.0,
              show_default=True, help="Thời gian chờ kết nối, giây (0 < N <= 3600). / "
                   "Connect timeout, seconds (0 < N <= 3600).")
@click.option("--command-timeout", type=FiniteFloat(0, 86400, min_open=True), default=300.0,
              show_default=True, help="Thời gian chờ mỗi lệnh, giây (0 < N <= 86400). / "
                   "Command timeout, seconds (0 < N <= 86400).")
@click.option(
    "--sudo/--no-sudo", default=None,
    help="Chạy bộ thu thập bằng sudo (mặc định: theo từng máy chủ). / "
         "Run the collector with sudo (default: per host)."
)
@click.option(
    "--exit-zero", is_flag=True,
    help="Luôn thoát với mã 0 dù kết luận thế nào (quy trình chỉ lập báo cáo). / "
         "Exit 0 whatever the verdict (report-only pipelines)."
)
@gate_options
@db_option
@click.option("--no-history", is_flag=True, help="Không ghi lần quét này vào lịch sử. / "
              "Do not record this run in the history.")
@click.option(
    "--sign", "sign", default=None, type=click.Path(exists=True, dir_okay=False),
    help="Ký thư mục kết quả bằng khóa bí mật Ed25519 này (manifest.json + manifest.sig). / "
         "Sign the run folder with this Ed25519 private key (manifest.json + manifest.sig).",
)
@click.option(
    "--from-zone",
    default="",
    help="Chạy quét mạng nmap từ vùng mạng này (attt chạy trên một máy trong vùng). / "
         "Run the nmap network scans from this zone (attt runs on a machine inside it).",
)
@click.option(
    "--network/--no-network",
    default=True,
    show_default=True,
    help="Kiểm tra mạng: sơ đồ vùng mạng theo tệp khai báo; chỉ quét nmap khi có "
         "--from-zone. / Network checks: zone plan from the inventory; nmap scans only with "
         "--from-zone.",
)
@click.option(
    "--network-only", is_flag=True,
    help="Chỉ kiểm tra mạng: không thu thập máy chủ nào; các yêu cầu về máy chủ không áp "
         "dụng. / Network checks only: collect no host; host requirements are not "
         "applicable.",
)
@click.option(
    "--dry-run", is_flag=True,
    help="In các máy chủ sẽ thu thập và các lệnh nmap dự kiến; không quét gì. / "
         "Print the hosts it would collect and the planned nmap commands; scan nothing.",
)
@broker_options(required=False)
@click.option(
    "--deadline", type=FiniteFloat(0, 7 * 86400, min_open=True), default=3600.0,
    show_default=True,
    help="Với --broker: số giây chờ kết quả của các worker; máy chủ chưa có kết quả là "
         "\"chưa đánh giá\" (lỗi). / With --broker: seconds to wait for the workers' results; "
         "a host without one is \"not assessed\" (error).")
@click.option(
    "--unit", default="",
    help="Mã đơn vị (trong tệp tổ chức) mà lần quét này thuộc về; được ghi vào lịch sử. / "
         "Organisation unit id this run belongs to; recorded in the history.")
@click.option("-q", "--quiet", is_flag=True, help="Không in tiến độ. / No progress output.")
def scan(**params: Any) -> None:
    """Quét theo tệp khai báo (hoặc một --target) và ghi báo cáo đánh giá. / Scan an
    inventory (or one --target) and write the graded report."""
    opts = _without_broker_password(scan_options(params))
    dry_run, exit_zero, quiet = params["dry_run"], params["exit_zero"], params["quiet"]
    resume: str | None = params["resume"]
    sign: str | None = params["sign"]
    if dry_run:
        lines = plan_scan(opts)
        for line in lines:
            echo(line)
        sys.exit(0)
    # Loaded (passphrase asked) before scanning: a wrong passphrase must not waste a scan.
    signer = load_signing_key(sign) if sign else None
    progress = _Progress(not quiet)
    result = run_scan(opts, progress.start, progress.host_done, resume_dir=resume or "",
                      on_note=_warn)
    if result.interrupted:
        echo(T("\nInterrupted: hosts already scanned are saved; continue with "
               "`attt scan --resume {folder}`", folder=result.out_dir), err=True)
    if signer is not None and not result.interrupted:
        manifest = sign_or_fail(result.out_dir, signer)
        result.files += [manifest, os.path.join(result.out_dir, "manifest.sig")]
    code = 0 if exit_zero and result.exit_code != 130 else result.exit_code
    _print_summary(result.document, result.out_dir, result.files, code)
    if result.interrupted:
        # Hosts still in flight sit in worker threads (an SSH read can take minutes) and the
        # interpreter would wait for them at exit; everything finished is already on disk.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(int(ExitStatus.INTERRUPTED))
    sys.exit(code)



@click.command()
@click.argument("results", type=click.Path(exists=True, dir_okay=False))
@click.option("-f", "--format", "formats", multiple=True, default=("html",), show_default=True,
              help="Định dạng đầu ra, cách nhau bằng dấu phẩy. / "
                   "Output formats, comma separated.")
@click.option("-o", "--out", default="", help="Thư mục ghi tệp (mặc định: cạnh RESULTS). / "
                   "Folder for the files (default: beside RESULTS).")
@lang_option
@gate_options
def report(
    results: str,
    formats: tuple[str, ...],
    out: str,
    lang: str,
    fail_under: float | None,
    fail_on: str | None,
    max_errors: int | None,
) -> None:
    """Lập lại báo cáo từ RESULTS (một results.json) ở định dạng khác, không quét lại. /
    Render RESULTS (a results.json) again in other formats, without rescanning.

    Thoát 0 khi đã ghi xong các tệp (bất kể kết luận đã lưu); với tùy chọn ngưỡng
    (--fail-under, --fail-on, --max-errors) thì mã thoát theo ngưỡng như `attt scan`. Không
    bao giờ ghi vào thư mục đã ký: dùng -o THƯ_MỤC_MỚI.

    Exit 0 once the files are written (a render command, whatever the saved verdict); with a
    gate option (--fail-under, --fail-on, --max-errors) the gated code, as `attt scan` would
    give.  A signed run folder is never written into: use -o NEWDIR."""
    doc = read_results(results)
    names = split_list(formats)
    known = load_formats()
    for name in names:
        if name not in known:
            raise InputError("--format", name,
                             T("unknown format (known: {formats})", formats=sorted(known)))
    from ..signing import SIGNATURE  # cryptography is loaded only by commands that sign

    folder = os.path.abspath(out or os.path.dirname(os.path.abspath(results)))
    if os.path.exists(os.path.join(folder, SIGNATURE)):
        # A new or rewritten file in a signed folder would make `attt verify` say tampered.
        raise InputError("--out", folder, T("a signed run folder (manifest.sig): new files "
                                            "would break its signature; write them elsewhere "
                                            "with -o NEWDIR"))
    make_folder(folder)
    gated = gates.Gates(fail_under, fail_on or "", max_errors)
    code = gates.apply(doc, gated) if gated.active else 0
    written = render_files(doc, folder, names, lang)
    for path in written:
        echo(path)
    if gated.active:
        _print_exit(doc, code)
    sys.exit(code)
