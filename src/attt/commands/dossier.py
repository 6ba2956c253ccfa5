"""``attt dossier``: the level-approval dossier of one system, as HTML and DOCX."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import click
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..dossier import Dossier, build_dossier, system_results
from ..dossier.build import scan_line
from ..dossier.context import Ctx
from ..dossier.docx import render_dossier_docx
from ..dossier.html import render_dossier_html
from ..errors import ExitStatus, InputError, OutputError
from ..evidence import EvidenceSet, check_requirements, load_evidence
from ..history.query import list_runs
from ..history.store import HistoryError
from ..i18n import gettext_for
from ..inventory_loader import bundled_inventory, load_inventory
from ..messages import T
from ..profile_loader import load_profile, profile_id
from ..results_file import read_for_dossier
from ..run_folder import write_atomic
from ..signing import EVIDENCE_DIR, sign_folder
from ._ci import lang_option
from ._output import echo, split_list
from .keys import load_signing_key

FORMATS = ("html", "docx")


@click.command()
@click.option("--system", "system_name", default="",
              help="Tên hệ thống (mặc định: hệ thống duy nhất). / System name (default: the "
                   "only one).")
@click.option("-i", "--inventory", default="", type=click.Path(dir_okay=False),
              help="Tệp khai báo hệ thống (mặc định: tệp mẫu demo-so-tinh.yaml). / Inventory "
                   "YAML (default: the bundled demo-so-tinh.yaml).")
@click.option("--results", default=None, type=click.Path(dir_okay=False),
              help="Tệp results.json của một lần quét (mặc định: lần quét gần nhất của hệ "
                   "thống trong cơ sở dữ liệu lịch sử $ATTT_DB). / results.json of a scan "
                   "(default: the latest run of the system recorded in the history database, "
                   "$ATTT_DB; none: every item 'not scanned').")
@click.option("--evidence", default=None, type=click.Path(dir_okay=False),
              help="Tệp hồ sơ, tài liệu (mặc định: khóa evidence: của hệ thống). / Evidence "
                   "file (default: the inventory's evidence: key).")
@click.option("--evidence-root", default=None, type=click.Path(exists=True, file_okay=False),
              help="Thư mục chứa các tệp tài liệu (mặc định: thư mục của tệp hồ sơ). / Folder "
                   "that evidence document files must lie in (default: the evidence file's).")
@click.option("-f", "--format", "formats", multiple=True, default=("html,docx",),
              show_default=True, help="html, docx (phân cách bằng dấu phẩy / comma separated).")
@click.option("-o", "--out", default="",
              help="Thư mục ghi ra (mặc định: ./attt-dossier-<hệ thống>). / Output folder "
                   "(default: ./attt-dossier-<system>).")
@click.option("--check", is_flag=True,
              help="Liệt kê nội dung cần bổ sung, mã thoát 1 khi còn thiếu; với -o, ghi thêm "
                   "bản làm việc. Không có --check: ghi bản chính thức để nộp. / List the gaps "
                   "and exit 1 while any remain; with -o, also write the working copy (gaps "
                   "table, inventory keys, working notes). Without --check the final document "
                   "is written, for filing.")
@click.option("--sign", "sign_key", default=None, type=click.Path(dir_okay=False),
              help="Ký thư mục kết quả bằng khóa bí mật Ed25519 này. / Sign the output folder "
                   "with this Ed25519 private key (manifest + signature; passphrase from "
                   "$ATTT_KEY_PASSPHRASE or a prompt).")
@lang_option
def dossier(system_name: str, inventory: str, results: str | None, evidence: str | None,
            evidence_root: str | None, formats: tuple[str, ...], out: str, check: bool,
            sign_key: str | None, lang: str) -> None:
    """Hồ sơ đề xuất cấp độ: thuyết minh tổng quan, đề xuất cấp độ, phương án bảo đảm an toàn
    thông tin. / Level-approval dossier: overview, level proposal, security plan."""
    _ = gettext_for(lang)
    if check and sign_key:
        raise InputError("--sign", "", T("--check writes no final document to sign"))
    key = load_signing_key(sign_key) if sign_key else None
    names = split_list(formats)
    for name in names:
        if name not in FORMATS:
            raise InputError("--format", name, T("unknown format (known: {formats})",
                                                 formats=list(FORMATS)))
    inv_path = inventory or bundled_inventory("demo-so-tinh.yaml")
    inv = load_inventory(inv_path)
    if not system_name and len(inv.systems) > 1:
        raise InputError(inv_path, "systems", T(
            "several systems: choose one with --system ({names})",
            names=[s.name for s in inv.systems]))
    system = next((s for s in inv.systems if not system_name or s.name == system_name), None)
    if system is None:
        known = [s.name for s in inv.systems]
        problem = (T("no system '{name}'; the inventory has: {names}", name=system_name,
                     names=known) if inventory else
                   T("no system '{name}' in the bundled demo inventory (its systems: {names}); "
                     "give your inventory with -i", name=system_name, names=known))
        raise InputError(inv_path, "systems", problem)
    profile = load_profile(profile_id(system.regime, system.level))
    ev_path = evidence or system.evidence
    ev = load_evidence(ev_path, evidence_root or "") if ev_path else None
    if ev is not None:
        check_requirements(ev, [r.id for r in profile.requirements])
    source = "file"
    if not results:
        results = latest_results(inv_path, system.name)
        source = "history"
    entry = None
    if results:
        doc = read_for_dossier(results)
        found = system_results(doc, system.name, results)
        entry = {**(found or {}), "_run": doc.get("run") or {}, "_source": source}
    sources = {"inventory": os.path.basename(inv_path)}
    if ev_path:
        sources["evidence"] = os.path.basename(ev_path)
    if results:
        sources["results"] = os.path.basename(results)
    d = build_dossier(system, profile, ev, entry, lang=lang, sources=sources, final=not check)
    echo(_("Scan results: {line}").format(line=scan_line(Ctx(lang, False), entry)), err=True)
    if check:
        for g in d.gaps:
            echo(f"{g.section:<6} {g.what}  [{g.where}]")
        if out:
            _write(d, out, names)
        echo(_("{count} gaps in the dossier of {system}").format(
            count=len(d.gaps), system=system.name))
        sys.exit(int(ExitStatus.NON_COMPLIANT) if d.gaps else 0)
    folder = out or f"attt-dossier-{system.name}"
    _write(d, folder, names)
    if key is not None:
        _sign(folder, key, ev, results)
    echo(_("{count} gaps in the dossier of {system}").format(
        count=len(d.gaps), system=system.name), err=True)


def latest_results(inventory: str, system: str) -> str | None:
    """results.json of the latest complete run of ``system`` in the history database,
    preferring runs of the same inventory file; None when nothing usable is recorded.  A run
    stopped with Ctrl-C graded only part of the hosts and is never taken."""

    try:
        runs = [r for r in list_runs(system=system, limit=50) if not r.interrupted]
    except (InputError, HistoryError):
        return None  # no history database yet: the dossier says "not scanned"
    same = [r for r in runs if r.inventory and os.path.exists(r.inventory)
            and os.path.samefile(r.inventory, inventory)]
    for run in same or runs:
        path = os.path.join(run.out_dir, "results.json")
        if run.out_dir and os.path.isfile(path):
            return path
    return None


def _write(d: Dossier, folder: str, names: Sequence[str]) -> list[str]:
    os.makedirs(folder, exist_ok=True)
    stem = f"ho-so-cap-do-{d.system}"
    written: list[str] = []
    for ext, render in (("html", render_dossier_html), ("docx", render_dossier_docx)):
        if ext not in names:
            continue
        path = os.path.join(folder, f"{stem}.{ext}")
        try:
            write_atomic(path, render(d))
        except OSError as exc:
            raise OutputError(path, exc, tuple(os.path.basename(p) for p in written)) from exc
        written.append(path)
        echo(path)
    return written


def _sign(folder: str, key: Ed25519PrivateKey, ev: EvidenceSet | None,
          results: str | None) -> None:
    """Sign the dossier folder, bringing the evidence and results it was built from."""

    # The evidence file and the documents it names travel with the signed dossier.
    bring: dict[str, str] = {}
    hashes: dict[str, str] = {}
    if ev is not None:
        bring[f"{EVIDENCE_DIR}/{os.path.basename(ev.source)}"] = ev.source
        for doc_ in ev.documents:
            # Only files hashed inside the evidence folder (attt.evidence refused the rest).
            if doc_.file and doc_.sha256 and not doc_.problem:
                bring[f"{EVIDENCE_DIR}/files/{os.path.basename(doc_.file)}"] = doc_.file
                hashes[doc_.file] = doc_.sha256
    if results:
        bring[os.path.basename(results)] = results
    try:
        echo(sign_folder(folder, key, evidence=bring, hashes=hashes))
    except OSError as exc:
        raise InputError(folder, "", str(exc)) from exc
