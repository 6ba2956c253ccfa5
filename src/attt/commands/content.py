"""Catalogue commands: profiles list / show / diff / coverage, and evidence templates."""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Any

import click

from ..errors import InputError
from ..evidence import template
from ..inventory_loader import bundled_inventory, load_inventory
from ..messages import T
from ..model import Profile, Requirement
from ..oscal.catalog import exported
from ..profile_loader import REGIMES, bundled_profiles, load_profile, profile_id
from ..run_folder import make_folder, write_atomic
from ._ci import lang_option
from ._output import cli_lang, echo, text


def _resolve(ref: str, regime: str) -> Profile:
    """A level number (with --regime), a bundled id or a profile file."""

    return load_profile(profile_id(regime, int(ref)) if ref.isdigit() else ref)


@click.group()
def profiles() -> None:
    """Các hồ sơ yêu cầu đi kèm. / The bundled profiles."""


@profiles.command("list")
def profiles_list() -> None:
    """Mọi hồ sơ yêu cầu đi kèm: mã, chế độ, cấp độ, số yêu cầu (tự động / hồ sơ). / Every
    bundled profile: id, regime, level, requirements (automated / evidence)."""
    for pid, path in bundled_profiles().items():
        prof = load_profile(path)
        auto = sum(1 for r in prof.requirements if r.checks)
        title = prof.title_vi if cli_lang() == "vi" else prof.title_en
        echo(T("{id} {regime} level {level}  {count} requirements ({automated} automated)  "
               "{title}", id=pid.ljust(20), regime=prof.regime.ljust(14), level=prof.level,
               count=str(len(prof.requirements)).rjust(3), automated=auto, title=title))


def _kind_letter(kind: str) -> str:
    return {"automated": "A", "evidence": "E", "mixed": "M"}[kind]


@profiles.command("show")
@click.argument("regime", type=click.Choice(REGIMES))
@click.argument("level", type=click.IntRange(1, 5))
@lang_option
def profiles_show(regime: str, level: int, lang: str) -> None:
    """Các yêu cầu của một cấp độ dạng bảng (A tự động, E hồ sơ, M kết hợp). / The
    requirements of one level as a table (A automated, E evidence, M mixed)."""
    prof = _resolve(str(level), regime)
    echo(f"{prof.id}: {prof.title_vi if lang == 'vi' else prof.title_en}")
    echo("  " + "; ".join(prof.instruments))
    caveat = (prof.caveat_vi if lang == "vi" else prof.caveat_en) or prof.caveat_en
    if caveat:
        echo(f"  ! {caveat}")
    # One template for the aligned header: a translation keeps the columns.
    echo(T("id                   L sev    k group                 title / checks"))
    for r in prof.requirements:
        title = r.title_vi if lang == "vi" else r.title_en
        echo(f"{r.id:<20} {r.layer:<2}{r.severity.value:<7}{_kind_letter(r.kind):<2}"
                   f"{r.group[:21]:<22} {title[:70]}")
        if r.checks:
            echo(T("{pad} checks: {checks}", pad=" " * 53,
                   checks=[c.check_id for c in r.checks]))
    shown: set[tuple[str, str]] = set()
    echo(T("parameters in force:"))
    for p in prof.provenance:
        if (p.check_id, p.name) in shown:
            continue
        shown.add((p.check_id, p.name))
        echo(f"  {p.check_id}.{p.name} = {p.value!r}  ({p.source})")


def _title(req: Requirement) -> str:
    return req.title_vi if cli_lang() == "vi" else req.title_en


def _params(prof: Profile) -> dict[str, Any]:
    return {f"{p.check_id}.{p.name}": p.value for p in prof.provenance}


@profiles.command("diff")
@click.argument("a")
@click.argument("b")
@click.option("--regime", type=click.Choice(REGIMES), default="nd85-tt12", show_default=True,
              help="Chế độ quy định khi A, B là số cấp độ. / Regime when A and B are levels.")
def profiles_diff(a: str, b: str, regime: str) -> None:
    """Những gì B bổ sung so với A: cấp độ (`2 3`, với --regime), mã hoặc tệp hồ sơ yêu cầu. /
    What B adds to A: levels (`2 3`, with --regime), bundled ids or files."""
    pa, pb = _resolve(a, regime), _resolve(b, regime)
    ra = {r.id: r for r in pa.requirements}
    rb = {r.id: r for r in pb.requirements}
    echo(f"{pa.id} -> {pb.id}")
    added = [rid for rid in rb if rid not in ra]
    removed = [rid for rid in ra if rid not in rb]
    echo(T("+ {count} requirements added", count=len(added)))
    for rid in added:
        echo(f"  + {rid:<20} {_title(rb[rid])}")
    if removed:
        echo(T("- {count} requirements not restated", count=len(removed)))
        for rid in removed:
            echo(f"  - {rid:<20} {_title(ra[rid])}")
    changed = 0
    for rid in rb:
        if rid not in ra:
            continue
        ca = {c.check_id for c in ra[rid].checks}
        cb = {c.check_id for c in rb[rid].checks}
        new_checks = sorted(cb - ca)
        docs_a = {e.title_en for e in ra[rid].evidence}
        new_docs = sorted({e.title_en for e in rb[rid].evidence} - docs_a)
        if new_checks or new_docs:
            changed += 1
            gains = ([T("checks +{checks}", checks=new_checks)] if new_checks else []) + (
                [T("documents +{count}", count=len(new_docs))] if new_docs else [])
            echo(f"  ~ {rid:<20} " + "; ".join(text(g) for g in gains))
    pa_params, pb_params = _params(pa), _params(pb)
    for key in sorted(pb_params):
        if key in pa_params and pa_params[key] != pb_params[key]:
            echo(f"  ^ {key}: {pa_params[key]!r} -> {pb_params[key]!r}")
    echo(T("{count} requirements gain checks or documents", count=changed))


def coverage_rows() -> list[dict[str, Any]]:
    """Per bundled profile: requirement counts by kind and distinct checks."""

    rows = []
    for pid, path in bundled_profiles().items():
        prof = load_profile(path)
        kinds = Counter(r.kind for r in prof.requirements)
        groups: dict[str, set[str]] = {}
        for r in prof.requirements:
            groups.setdefault(r.group, set()).update(c.check_id for c in r.checks)
        rows.append({
            "id": pid, "regime": prof.regime, "level": prof.level,
            "total": len(prof.requirements), "automated": kinds["automated"],
            "evidence": kinds["evidence"], "mixed": kinds["mixed"],
            "checks": len({c.check_id for r in prof.requirements for c in r.checks}),
            "groups": {g: len(c) for g, c in sorted(groups.items())},
        })
    return rows


@profiles.command("coverage")
@click.option("--groups/--no-groups", default=False,
              help="Liệt kê thêm số kiểm tra theo nhóm. / Also list checks per group.")
def profiles_coverage(groups: bool) -> None:
    """Theo chế độ và cấp độ: số yêu cầu tự động, chỉ hồ sơ, kết hợp; số kiểm tra dùng. / Per
    regime and level: requirements automated, evidence-only, mixed; checks used."""
    rows = coverage_rows()
    echo(T("| profile | regime | level | requirements | automated | evidence only | mixed "
           "| distinct checks |"))
    echo("|---|---|---|---|---|---|---|---|")
    for r in rows:
        echo(f"| {r['id']} | {r['regime']} | {r['level']} | {r['total']} | "
                   f"{r['automated']} | {r['evidence']} | {r['mixed']} | {r['checks']} |")
    if groups:
        for r in rows:
            used = ", ".join(f"{g} {n}" for g, n in r["groups"].items() if n)
            echo(T("{profile}: checks per group: {used}", profile=r["id"], used=used))


@profiles.command("export")
@click.argument("ref", metavar="PROFILE_OR_LEVEL")
@click.option("--oscal", is_flag=True,
              help="Ghi dạng OSCAL 1.1.3: danh mục yêu cầu (catalog) của chế độ và hồ sơ yêu "
                   "cầu (profile) của cấp độ. / Write OSCAL 1.1.3: the regime's catalog and "
                   "the level's profile.")
@click.option("--regime", type=click.Choice(REGIMES), default="nd85-tt12", show_default=True,
              help="Chế độ quy định khi PROFILE_OR_LEVEL là số cấp độ. / Regime when "
                   "PROFILE_OR_LEVEL is a level.")
@click.option("-o", "--out", default=".", show_default=True,
              help="Thư mục ghi tệp. / Folder for the files.")
def profiles_export(ref: str, oscal: bool, regime: str, out: str) -> None:
    """Xuất hồ sơ yêu cầu (cấp độ, mã hoặc tệp) sang định dạng trao đổi: với --oscal, ghi
    <chế độ>.catalog.oscal.json và <hồ sơ>.profile.oscal.json (ghi đè tệp cũ). / Export a
    profile (level, bundled id or file): with --oscal, writes <regime>.catalog.oscal.json and
    <profile>.profile.oscal.json (replacing earlier exports)."""
    if not oscal:
        raise InputError("--oscal", "", T("name the export format: --oscal"))
    prof = _resolve(ref, regime)
    make_folder(out)
    for name, doc in exported(prof).items():
        path = os.path.join(out, name)
        write_atomic(path, json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
        echo(path)


@click.group()
def evidence() -> None:
    """Tệp hồ sơ, tài liệu cho các yêu cầu chứng minh bằng văn bản. / Evidence files for
    document requirements."""


@evidence.command("template")
@click.option("-s", "--system", "system_name", required=True,
              help="Tên hệ thống trong tệp khai báo. / Name of the system in the inventory.")
@click.option("-i", "--inventory", default="",
              help="Tệp khai báo hệ thống (mặc định: tệp đi kèm). / Inventory (default: the "
                   "bundled one).")
@click.option("-l", "--level", type=click.IntRange(1, 5), default=None,
              help="Cấp độ (mặc định: cấp độ của hệ thống). / Level (default: the system's).")
@click.option("-o", "--out", default="",
              help="Tệp ghi ra (mặc định evidence-<hệ thống>.yaml; - để in ra màn hình). / "
                   "File to write (default evidence-<system>.yaml; - for stdout).")
@lang_option
def evidence_template(system_name: str, inventory: str, level: int | None, out: str,
                      lang: str) -> None:
    """Ghi tệp hồ sơ, tài liệu mẫu liệt kê mọi tài liệu cấp độ của hệ thống yêu cầu, kèm mô
    tả từng tài liệu. / Write an evidence file listing every document the system's level
    needs, each described in the chosen language."""
    inv = load_inventory(inventory or bundled_inventory())
    system = next((s for s in inv.systems if s.name == system_name), None)
    if system is None:
        raise InputError(inv.source, "systems",
                         T("no system '{name}'; the inventory has: {names}", name=system_name,
                           names=[s.name for s in inv.systems]))
    prof = load_profile(profile_id(system.regime, level or system.level))
    body = template(system.name, [r for r in prof.requirements if r.evidence], lang)
    if out == "-":
        echo(body, nl=False)
        return
    path = out or f"evidence-{system.name}.yaml"
    try:
        # A new file only: an existing one (or a symlink planted at the name) is refused.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                     0o666)
    except FileExistsError:
        raise InputError(path, "", T("exists already; not overwritten")) from None
    except OSError as exc:
        raise InputError(path, "", T("cannot write the file: {reason}",
                                     reason=exc.strerror or str(exc))) from None
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(body)
    docs = sum(len(r.evidence) for r in prof.requirements)
    echo(T("{path}: {count} documents to provide for {profile}", path=path, count=docs,
           profile=prof.id))
