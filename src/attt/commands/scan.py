"""``attt scan`` and ``attt report``: scan and grade, or render a saved results.json again."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import fields
from typing import Any

import click

from .. import gates
from ..artefacts import read_results
from ..errors import ExitStatus, InputError
from ..i18n import gettext_for
from ..model import Status
from ..render import load_formats
from ..render.document import score_line
from ..run_folder import make_folder, render_files
from ..runner import HostOutcome
from ..scan import ScanOptions, run_scan
from ..scan import dry_run as plan_scan
from ..termsafe import escape
from ._ci import FiniteFloat, db_option, gate_options
from ._output import echo, split_list
from .keys import load_signing_key, sign_or_fail

# Options of ``attt scan`` that steer the command, not the scan: not in ScanOptions.
COMMAND_ONLY = frozenset({"dry_run", "exit_zero", "no_history", "quiet", "resume", "sign"})


def scan_options(params: Mapping[str, Any]) -> ScanOptions:
    """ScanOptions from click's parameters of ``attt scan`` (the options are declared once, by
    the decorators): same names; an optional file not given (None) is ""; ``-f a,b`` is
    split; ``--no-history`` is ``history=False``."""

    if params["inventory"] and params["target"]:
        raise InputError("--target", "", "give either --inventory or --target, not both")
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
            echo(f"resuming: {skipped} of {total} hosts already scanned", err=True)

    def host_done(self, o: HostOutcome) -> None:
        self.done += 1
        if not self.enabled:
            return
        counts = o.record()["counts"]
        summary = ", ".join(f"{counts[s.value]} {s.value}" for s in Status if s.value in counts)
        state = "ok" if o.state == "ok" else f"{o.state.upper()}: {o.message}"
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
                echo(f"\n  {o.host.key}: {state}", err=True)
            if self.done == self.total:
                echo("", err=True)
        else:
            echo(f"[{self.done}/{self.total}] {o.host.key}: {state} ({summary})", err=True)


def _print_summary(
    doc: dict[str, Any], out_dir: str, files: list[str], lang: str, code: int
) -> None:
    _ = gettext_for(lang)
    for system in doc["systems"]:
        verdict = system["verdict"]
        text = (
            _("Compliant with level {level}").format(level=verdict["level"])
            if verdict["ok"]
            else _("Not compliant")
        )
        echo(
            _("System {name}: {verdict}").format(
                name=f"{system['name']} ({system['profile']['id']})", verdict=text
            )
        )
        sc = system["score"]
        echo(
            f"  {_('Score')}: {score_line(sc)}  "
            + "  ".join(f"{s.value}={sc.get(s.value, 0)}" for s in Status)
        )
        echo(
            "  "
            + _("Waived: {waived}, not applicable: {na}, awaiting evidence: {manual}").format(
                waived=sc.get("waived", 0),
                na=sc.get("not_applicable", 0),
                manual=sc.get("manual", 0),
            )
        )
        # Failed and errored requirements first: they are what an officer acts on today.
        rank = {"fail": 0, "error": 1, "manual": 2}
        status_of = {r["id"]: r["status"] for r in system["requirements"]}
        blocking = sorted(verdict["blocking"], key=lambda rid: rank.get(status_of[rid], 3))
        if blocking:
            shown = ", ".join(blocking[:8]) + (
                f" (+{len(blocking) - 8})" if len(blocking) > 8 else ""
            )
            echo("  " + _("Blocking requirements: {ids}").format(ids=shown))
    summary = doc["summary"]
    run = doc["run"]
    echo(
        _("Hosts scanned: {done}/{total}").format(
            done=run["hosts_scanned"], total=run["hosts_total"]
        )
    )
    if summary["host_errors"]:
        echo(_("Hosts with errors: {count}").format(count=summary["host_errors"]))
    if doc["expired_waivers"]:
        echo(
            "!! " + _("Expired waivers ignored: {count}").format(count=len(doc["expired_waivers"]))
        )
        for w in doc["expired_waivers"]:
            echo(f"   {w['target']} ({w['hosts']}, {w['expires']})")
    if run.get("interrupted"):
        echo(_("Scan interrupted; results are incomplete"))
    echo(_("Report written to {path}").format(path=out_dir))
    for path in files:
        echo(f"  {os.path.basename(path)}")
    _print_exit(doc, code, lang)


def _print_exit(doc: dict[str, Any], code: int, lang: str) -> None:
    """The gate that decided (if any) and the exit code: CI logs show why a job went red."""

    _ = gettext_for(lang)
    line = gates.describe(doc)
    if line:
        echo(line)
    echo(_("Exit code: {code}").format(code=code))


@click.command()
@click.option(
    "-i",
    "--inventory",
    type=click.Path(dir_okay=False),
    default="",
    help="Inventory YAML (default: the bundled inventory/localhost.yaml).",
)
@click.option(
    "-t", "--target", default="", help="One ad-hoc target: local, dir:PATH or ssh://user@host:port."
)
@click.option("--system", "systems", multiple=True, help="Only these systems (repeatable).")
@click.option("--hosts", default="", help="Only hosts whose name or system/name matches this glob.")
@click.option(
    "-p",
    "--profile",
    default="",
    help="Profile id or file (default: from each system's regime and level).",
)
@click.option(
    "-l",
    "--level",
    type=click.IntRange(1, 5),
    default=None,
    help="Override the systems' proposed level.",
)
@click.option(
    "--tailoring",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Tailoring file.",
)
@click.option(
    "--evidence",
    "evidence",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Evidence file of a system (repeatable; default: the inventory's evidence: key).",
)
@click.option(
    "--evidence-root",
    type=click.Path(exists=True, file_okay=False),
    default=None,
    help="Folder that evidence document files must lie in (default: each evidence file's).",
)
@click.option(
    "--waivers", type=click.Path(exists=True, dir_okay=False), default=None, help="Waivers file."
)
@click.option(
    "-f",
    "--format",
    "formats",
    multiple=True,
    default=("html,json,junit",),
    show_default=True,
    help="Output formats, comma separated.",
)
@click.option("-o", "--out", default="", help="Run folder (default: ./attt-report-<run id>).")
@click.option(
    "-w",
    "--workers",
    type=click.IntRange(1, 256),
    default=8,
    show_default=True,
    help="Hosts scanned at once.",
)
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
@click.option(
    "--resume",
    "resume",
    type=click.Path(exists=True, file_okay=False),
    default=None,
    help="Continue an interrupted run folder; hosts already done are skipped.",
)
@click.option(
    "--accept-new-host-keys",
    is_flag=True,
    help="Trust and record unknown SSH host keys (never changed ones).",
)
@click.option("--connect-timeout", type=FiniteFloat(0, 3600, min_open=True), default=10.0,
              show_default=True, help="Seconds (0 < N <= 3600).")
@click.option("--command-timeout", type=FiniteFloat(0, 86400, min_open=True), default=300.0,
              show_default=True, help="Seconds (0 < N <= 86400).")
@click.option(
    "--sudo/--no-sudo", default=None, help="Run the collector with sudo (default: per host)."
)
@click.option(
    "--exit-zero", is_flag=True, help="Exit 0 whatever the verdict (report-only pipelines)."
)
@gate_options
@db_option
@click.option("--no-history", is_flag=True, help="Do not record this run in the history.")
@click.option(
    "--sign", "sign", default=None, type=click.Path(exists=True, dir_okay=False),
    help="Sign the run folder with this Ed25519 private key (manifest.json + manifest.sig).",
)
@click.option(
    "--from-zone",
    default="",
    help="Run the nmap network scans from this zone (attt runs on a machine inside it).",
)
@click.option(
    "--network/--no-network",
    default=True,
    show_default=True,
    help="Network checks: zone plan from the inventory; nmap scans only with --from-zone.",
)
@click.option(
    "--network-only", is_flag=True,
    help="Network checks only: collect no host; host requirements are not applicable.",
)
@click.option(
    "--dry-run", is_flag=True,
    help="Print the hosts it would collect and the planned nmap commands; scan nothing.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
def scan(**params: Any) -> None:
    """Scan an inventory (or one --target) and write the graded report."""
    opts = scan_options(params)
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
    result = run_scan(opts, progress.start, progress.host_done, resume_dir=resume or "")
    if result.interrupted:
        echo(
            "\ninterrupted: hosts already scanned are saved; continue with "
            f"`attt scan --resume {result.out_dir}`",
            err=True,
        )
    if signer is not None and not result.interrupted:
        manifest = sign_or_fail(result.out_dir, signer)
        result.files += [manifest, os.path.join(result.out_dir, "manifest.sig")]
    code = 0 if exit_zero and result.exit_code != 130 else result.exit_code
    _print_summary(
        result.document, result.out_dir, result.files, result.document["run"]["lang"], code
    )
    if result.interrupted:
        # Hosts still in flight sit in worker threads (an SSH read can take minutes) and the
        # interpreter would wait for them at exit; everything finished is already on disk.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(int(ExitStatus.INTERRUPTED))
    sys.exit(code)



@click.command()
@click.argument("results", type=click.Path(exists=True, dir_okay=False))
@click.option("-f", "--format", "formats", multiple=True, default=("html",), show_default=True)
@click.option("-o", "--out", default="", help="Folder for the files (default: beside RESULTS).")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
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
    """Render RESULTS (a results.json) again in other formats, without rescanning.

    Exit 0 once the files are written (a render command, whatever the saved verdict); with a
    gate option (--fail-under, --fail-on, --max-errors) the gated code, as `attt scan` would
    give.  A signed run folder is never written into: use -o NEWDIR."""
    doc = read_results(results)
    names = split_list(formats)
    known = load_formats()
    for name in names:
        if name not in known:
            raise InputError(
                "--format", name, f"unknown format (known: {', '.join(sorted(known))})"
            )
    from ..signing import SIGNATURE  # cryptography is loaded only by commands that sign

    folder = os.path.abspath(out or os.path.dirname(os.path.abspath(results)))
    if os.path.exists(os.path.join(folder, SIGNATURE)):
        # A new or rewritten file in a signed folder would make `attt verify` say tampered.
        raise InputError("--out", folder, "a signed run folder (manifest.sig): new files "
                         "would break its signature; write them elsewhere with -o NEWDIR")
    make_folder(folder)
    gated = gates.Gates(fail_under, fail_on or "", max_errors)
    code = gates.apply(doc, gated) if gated.active else 0
    written = render_files(doc, folder, names, lang)
    for path in written:
        echo(path)
    if gated.active:
        _print_exit(doc, code, lang)
    sys.exit(code)
