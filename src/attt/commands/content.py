"""Catalogue commands: profiles list / show / diff / coverage, and evidence templates."""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import click

from ..errors import InputError
from ..evidence import template
from ..inventory_loader import bundled_inventory, load_inventory
from ..messages import T
from ..model import Profile
from ..profile_loader import REGIMES, bundled_profiles, load_profile, profile_id
from ._ci import lang_option
from ._output import echo


def _resolve(ref: str, regime: str) -> Profile:
    """A level number (with --regime), a bundled id or a profile file."""

    return load_profile(profile_id(regime, int(ref)) if ref.isdigit() else ref)


@click.group()
def profiles() -> None:
    """The bundled profiles."""


@profiles.command("list")
def profiles_list() -> None:
    """Every bundled profile: id, regime, level, requirements (automated / evidence)."""
    for pid, path in bundled_profiles().items():
        prof = load_profile(path)
        auto = sum(1 for r in prof.requirements if r.checks)
        echo(
            f"{pid:<20} {prof.regime:<14} level {prof.level}  "
            f"{len(prof.requirements):>3} requirements ({auto} automated)  {prof.title_vi}"
        )


def _kind_letter(kind: str) -> str:
    return {"automated": "A", "evidence": "E", "mixed": "M"}[kind]


@profiles.command("show")
@click.argument("regime", type=click.Choice(REGIMES))
@click.argument("level", type=click.IntRange(1, 5))
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi")
def profiles_show(regime: str, level: int, lang: str) -> None:
    """The requirements of one level as a table (A automated, E evidence, M mixed)."""
    prof = _resolve(str(level), regime)
    echo(f"{prof.id}: {prof.title_vi if lang == 'vi' else prof.title_en}")
    echo("  " + "; ".join(prof.instruments))
    if prof.caveat:
        echo(f"  ! {prof.caveat}")
    echo(f"{'id':<20} {'L':<2}{'sev':<7}{'k':<2}{'group':<22} title / checks")
    for r in prof.requirements:
        title = r.title_vi if lang == "vi" else r.title_en
        echo(f"{r.id:<20} {r.layer:<2}{r.severity.value:<7}{_kind_letter(r.kind):<2}"
                   f"{r.group[:21]:<22} {title[:70]}")
        if r.checks:
            echo(f"{'':<53} checks: {', '.join(c.check_id for c in r.checks)}")
    shown: set[tuple[str, str]] = set()
    echo("parameters in force:")
    for p in prof.provenance:
        if (p.check_id, p.name) in shown:
            continue
        shown.add((p.check_id, p.name))
        echo(f"  {p.check_id}.{p.name} = {p.value!r}  ({p.source})")


def _params(prof: Profile) -> dict[str, Any]:
    return {f"{p.check_id}.{p.name}": p.value for p in prof.provenance}


@profiles.command("diff")
@click.argument("a")
@click.argument("b")
@click.option("--regime", type=click.Choice(REGIMES), default="nd85-tt12", show_default=True)
def profiles_diff(a: str, b: str, regime: str) -> None:
    """What B adds to A: levels (`2 3`, with --regime), bundled ids or files."""
    pa, pb = _resolve(a, regime), _resolve(b, regime)
    ra = {r.id: r for r in pa.requirements}
    rb = {r.id: r for r in pb.requirements}
    echo(f"{pa.id} -> {pb.id}")
    added = [rid for rid in rb if rid not in ra]
    removed = [rid for rid in ra if rid not in rb]
    echo(f"+ {len(added)} requirements added")
    for rid in added:
        echo(f"  + {rid:<20} {rb[rid].title_vi}")
    if removed:
        echo(f"- {len(removed)} requirements not restated")
        for rid in removed:
            echo(f"  - {rid:<20} {ra[rid].title_vi}")
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
            echo(f"  ~ {rid:<20} " + "; ".join(
                ([f"checks +{', '.join(new_checks)}"] if new_checks else [])
                + ([f"documents +{len(new_docs)}"] if new_docs else [])))
    pa_params, pb_params = _params(pa), _params(pb)
    for key in sorted(pb_params):
        if key in pa_params and pa_params[key] != pb_params[key]:
            echo(f"  ^ {key}: {pa_params[key]!r} -> {pb_params[key]!r}")
    echo(f"{changed} requirements gain checks or documents")


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
@click.option("--groups/--no-groups", default=False, help="Also list checks per group.")
def profiles_coverage(groups: bool) -> None:
    """Per regime and level: requirements automated, evidence-only, mixed; checks used."""
    rows = coverage_rows()
    echo("| profile | regime | level | requirements | automated | evidence only | mixed "
               "| distinct checks |")
    echo("|---|---|---|---|---|---|---|---|")
    for r in rows:
        echo(f"| {r['id']} | {r['regime']} | {r['level']} | {r['total']} | "
                   f"{r['automated']} | {r['evidence']} | {r['mixed']} | {r['checks']} |")
    if groups:
        for r in rows:
            used = ", ".join(f"{g} {n}" for g, n in r["groups"].items() if n)
            echo(f"{r['id']}: checks per group: {used}")


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
    if os.path.exists(path):
        raise InputError(path, "", T("exists already; not overwritten"))
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(body)
    docs = sum(len(r.evidence) for r in prof.requirements)
    echo(T("{path}: {count} documents to provide for {profile}", path=path, count=docs,
           profile=prof.id))
