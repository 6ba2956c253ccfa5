"""``checks show`` and ``requirements show``: where a check is used, what a requirement runs.

Both directions are read from the public registries (``CHECKS``, ``PROBES``) and the bundled
profiles as loaded (levels merged, parameters in force), so the answer is the one a scan would
use, not what a generator script or a grep over the YAML suggests.  The commands are plain
click commands; ``cli.py`` attaches them.  An unknown id is a usage error (exit 2) with the
nearest ids as suggestions.
"""

from __future__ import annotations

import difflib
import functools
import inspect
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import click

import attt

from ..library import load_all
from ..messages import T
from ..model import Profile, Requirement
from ..profile_loader import REGIMES, bundled_profiles, load_profile
from ..registry import CHECKS, PROBES, CheckSpec
from ._ci import lang_option
from ._output import echo, echo_json, text


def _unknown(kind: str, given: str, known: Iterable[str]) -> click.BadParameter:
    """A usage error naming the closest known ids (case-insensitive first, then difflib)."""

    ids = sorted(set(known))
    folded = [i for i in ids if i.casefold() == given.casefold()]
    close = folded or difflib.get_close_matches(given, ids, n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(close)}?" if close else ""
    return click.BadParameter(f"no {kind} {given!r}{hint}", param_hint="ID")


@functools.cache
def _profiles() -> tuple[Profile, ...]:
    """Every bundled profile, by regime then level (read once: bundled files do not change
    while the process runs)."""

    loaded = [load_profile(path) for path in bundled_profiles().values()]
    return tuple(sorted(loaded, key=lambda p: (p.regime, p.level)))


def source_root() -> Path:
    """The folder that source paths are shown relative to.

    In a source checkout (``pyproject.toml`` beside ``src/``) it is the checkout, where
    ``tests/checks`` lives too; in an installed package it is the folder holding ``attt``.
    """

    package = Path(attt.__file__).resolve().parent
    if package.parent.name == "src" and (package.parent.parent / "pyproject.toml").is_file():
        return package.parent.parent
    return package.parent


def where(func: Callable[..., Any]) -> str:
    """``path:line`` of a function's definition, relative to ``source_root()``."""

    try:
        path = Path(inspect.getsourcefile(func) or "?").resolve()
        line = inspect.getsourcelines(func)[1]
    except (OSError, TypeError):
        return "?"
    try:
        shown = path.relative_to(source_root()).as_posix()
    except ValueError:
        shown = str(path)
    return f"{shown}:{line}"


def scenario_counts(check_id: str) -> dict[str, int] | None:
    """Scenario files per expected status, or None where no tests/checks folder exists
    (an installed package carries no tests)."""

    root = source_root() / "tests" / "checks"
    if not root.is_dir():
        return None
    counts: dict[str, int] = {}
    for path in sorted((root / check_id).glob("*.yaml")):
        stem = path.name[: -len(".yaml")]
        if "." in stem:
            status = stem.rsplit(".", 1)[1]
            counts[status] = counts.get(status, 0) + 1
    return counts


def _title(obj: Any, lang: str) -> str:
    return str(obj.title_vi if lang == "vi" else obj.title_en)


def check_info(spec: CheckSpec, lang: str, profiles: Sequence[Profile]) -> dict[str, Any]:
    """Everything ``checks show`` prints, as a JSON-ready mapping."""

    used: list[dict[str, Any]] = []
    for prof in profiles:
        for req in prof.requirements:
            for ref in req.checks:
                if ref.check_id == spec.id:
                    used.append({
                        "profile": prof.id, "regime": prof.regime, "level": prof.level,
                        "requirement": req.id, "title": _title(req, lang),
                        "params": dict(ref.params),
                    })
    probes: list[dict[str, Any]] = []
    for name in spec.probes:
        probe = PROBES.get(name)
        if probe is None:
            probes.append({"name": name, "where": "?", "parser": "?"})
            continue
        probes.append({
            "name": name,
            "where": where(probe.parser),
            "parser": f"{probe.parser.__module__}.{probe.parser.__qualname__}",
            "command": probe.command is not None,
            "files": list(probe.files),
            "offline": probe.offline_capable,
            "needs_root": probe.needs_root,
        })
    counts = scenario_counts(spec.id)
    return {
        "id": spec.id,
        "title_vi": spec.title_vi,
        "title_en": spec.title_en,
        "severity": spec.severity.value,
        "scope": spec.scope,
        "roles": list(spec.roles),
        "rationale": spec.rationale,
        "remediation": spec.remediation_vi if lang == "vi" else spec.remediation_en,
        "params": dict(spec.params),
        "stricter": dict(spec.stricter),
        "defined_at": where(spec.func),
        "requirements": used,
        "probes": probes,
        "scenarios": None if counts is None else {"total": sum(counts.values()), **counts},
    }


def _levels(levels: Sequence[int]) -> str:
    """``1-3, 5`` for [1, 2, 3, 5]."""

    runs: list[list[int]] = []
    for level in levels:
        if runs and level == runs[-1][-1] + 1:
            runs[-1].append(level)
        else:
            runs.append([level])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


def _params_text(params: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in sorted(params.items()))


def _print_check(info: dict[str, Any]) -> None:
    roles = (T("; roles: {roles}", roles=info["roles"]) if info["roles"] else "")
    echo(T("{id}  ({severity}, {scope}{roles})", id=info["id"], roles=roles,
           severity=info["severity"], scope=info["scope"]))
    echo(f"  vi: {info['title_vi']}")
    echo(f"  en: {info['title_en']}")
    echo(T("defined at: {where}", where=info["defined_at"]))
    echo(T("rationale: {text}", text=info["rationale"]))
    if info["remediation"]:
        echo(T("remediation: {text}", text=info["remediation"]))
    echo(T("parameters (defaults):") if info["params"] else T("parameters: none"))
    for name, value in sorted(info["params"].items()):
        way = info["stricter"].get(name)
        echo(f"  {name} = {value!r}" + (text(T("  (stricter: {way})", way=way)) if way else ""))
    # Consecutive levels using the same requirement with the same values share one line.
    rows: dict[tuple[str, str, str], list[int]] = {}
    titles: dict[str, str] = {}
    for use in info["requirements"]:
        key = (use["regime"], use["requirement"], _params_text(use["params"]))
        rows.setdefault(key, []).append(use["level"])
        titles[use["requirement"]] = use["title"]
    echo(T("requirements ({count} uses in the bundled profiles):",
           count=len(info["requirements"]))
         if rows else T("requirements: used by no bundled profile"))
    for (regime, rid, params), levels in rows.items():
        word = text(T("level")) if len(levels) == 1 else text(T("levels"))
        echo(f"  {regime:<13} {word:<6} {_levels(levels):<6} {rid:<18} {titles[rid]}")
        if params:
            echo(f"  {'':<34} {params}")
    echo(T("probes:"))
    for p in info["probes"]:
        notes = [n for n, on in ((T("needs root"), p.get("needs_root")),
                                 (T("offline-capable"), p.get("offline"))) if on]
        echo(T("  {name} {where}  parser {parser}", name=p["name"].ljust(24),
               where=p["where"], parser=p["parser"]) if not notes else
             T("  {name} {where}  parser {parser}  ({notes})", name=p["name"].ljust(24),
               where=p["where"], parser=p["parser"], notes=notes))
    scen = info["scenarios"]
    if scen is None:
        echo(T("scenarios: n/a (no tests/checks beside this installation)"))
    else:
        parts = ", ".join(f"{k} {v}" for k, v in sorted(scen.items()) if k != "total")
        echo(T("scenarios: {total} ({parts})", total=scen["total"], parts=parts) if parts
             else T("scenarios: {total}", total=scen["total"]))


@click.command("show")
@click.argument("check_id", metavar="ID")
@lang_option
@click.option("--json", "as_json", is_flag=True,
              help="Một tài liệu JSON trên stdout. / One JSON document on stdout.")
def checks_show(check_id: str, lang: str, as_json: bool) -> None:
    """Một kiểm tra: thông tin, các yêu cầu dùng nó theo cấp độ, nguồn dữ liệu và kịch bản
    kiểm thử. / One check: metadata, the requirements using it per level, its probes and
    scenarios."""
    load_all()
    spec = CHECKS.get(check_id)
    if spec is None:
        raise _unknown("check", check_id, CHECKS)
    info = check_info(spec, lang, _profiles())
    if as_json:
        echo_json(info)
    else:
        _print_check(info)


def requirement_info(req_id: str, lang: str, profiles: Sequence[Profile]) -> list[dict[str, Any]]:
    """One entry per level where ``req_id`` appears, as ``requirements show --json`` prints."""

    out: list[dict[str, Any]] = []
    for prof in profiles:
        req = next((r for r in prof.requirements if r.id == req_id), None)
        if req is None:
            continue
        out.append({
            "profile": prof.id, "regime": prof.regime, "level": prof.level,
            **_requirement_dict(req, lang),
        })
    return out


def _requirement_dict(req: Requirement, lang: str) -> dict[str, Any]:
    return {
        "id": req.id,
        "title": _title(req, lang),
        "group": req.group,
        "layer": req.layer,
        "severity": req.severity.value,
        "kind": req.kind,
        "advisory": req.advisory,
        "roles": list(req.roles),
        "clauses": dict(req.clauses),
        "checks": [{"id": c.check_id, "params": dict(c.params)} for c in req.checks],
        "evidence": [
            {"key": e.key, "title": _title(e, lang), "max_age_months": e.max_age_months,
             "before_approval": e.before_approval}
            for e in req.evidence
        ],
    }


_HEADER = ("title", "group", "layer", "severity", "kind", "advisory", "roles")


def _header_text(r: dict[str, Any]) -> str:
    # Codes as the profiles spell them (group, severity, kind): this view is for people
    # who edit profiles and checks.
    head = T("group: {group}; layer {layer}; severity {severity}; {kind}", group=r["group"],
             layer=r["layer"], severity=r["severity"], kind=r["kind"])
    return (text(head) + (text(T("; advisory")) if r["advisory"] else "")
            + (text(T("; roles: {roles}", roles=r["roles"])) if r["roles"] else ""))


def _check_lines(
    checks: list[dict[str, Any]], before: list[dict[str, Any]] | None
) -> list[str]:
    """The checks of a level; after a regime's first level only what changed (+ new,
    ~ other values, - dropped), so five levels do not repeat the same dozen lines."""

    def line(mark: str, c: dict[str, Any]) -> str:
        params = _params_text(c["params"])
        return mark + text(T("check {id}", id=c["id"])) + (f"  {params}" if params else "")

    if before is None:
        return [line("", c) for c in checks]
    old = {c["id"]: c for c in before}
    new_ids = {c["id"] for c in checks}
    out = [line("+ " if c["id"] not in old else "~ ", c)
           for c in checks if old.get(c["id"]) != c]
    out += ["- " + text(T("check {id}", id=c["id"])) for c in before if c["id"] not in new_ids]
    same = sum(1 for c in checks if old.get(c["id"]) == c)
    if same:
        out.insert(0, text(T("{count} checks as the level below", count=same) if out else
                           T("the {count} checks of the level below", count=same)))
    return out


def _print_requirement(entries: list[dict[str, Any]]) -> None:
    regimes = list(dict.fromkeys(e["regime"] for e in entries))
    for regime in regimes:
        rows = [e for e in entries if e["regime"] == regime]
        head = rows[0]
        word = T("level") if len(rows) == 1 else T("levels")
        echo(f"{head['id']}  {regime}  {text(word)} {_levels([e['level'] for e in rows])}")
        echo(f"  {head['title']}")
        echo(f"  {_header_text(head)}")
        before: list[dict[str, Any]] | None = None
        for e in rows:
            echo(T("  level {level} ({profile})", level=e["level"], profile=e["profile"]))
            if any(e[k] != head[k] for k in _HEADER):
                echo(f"    {e['title']}")
                echo(f"    {_header_text(e)}")
            if e["clauses"]:
                echo(T("    clauses: {clauses}",
                       clauses="; ".join(f"{k} {v}" for k, v in e["clauses"].items())))
            for line in _check_lines(e["checks"], before):
                echo(f"    {line}")
            before = e["checks"]
            for d in e["evidence"]:
                notes = ([T("max age {months} months", months=d["max_age_months"])]
                         if d["max_age_months"] else []) + (
                    [T("before approval")] if d["before_approval"] else [])
                echo(T("    document {key}: {title}", key=d["key"], title=d["title"])
                     if not notes else
                     T("    document {key}: {title} ({notes})", key=d["key"], title=d["title"],
                       notes=notes))


@click.group()
def requirements() -> None:
    """Các yêu cầu của các hồ sơ yêu cầu đi kèm. / The requirements of the bundled
    profiles."""


@requirements.command("show")
@click.argument("req_id", metavar="ID")
@click.option("--regime", type=click.Choice(REGIMES), default=None,
              help="Chỉ chế độ quy định này (mặc định: mọi chế độ có mã này). / "
                   "Only this regime (default: every regime the id appears in).")
@lang_option
@click.option("--json", "as_json", is_flag=True,
              help="Một danh sách JSON trên stdout, mỗi cấp độ một mục. / "
                   "One JSON list on stdout, one per level.")
def requirements_show(req_id: str, regime: str | None, lang: str, as_json: bool) -> None:
    """Một yêu cầu theo từng cấp độ: tên, nhóm, lớp, điều khoản, kiểm tra và tài liệu. / One
    requirement per level: title, group, layer, clauses, checks and documents."""
    every = _profiles()
    profiles = [p for p in every if regime in (None, p.regime)]
    entries = requirement_info(req_id, lang, profiles)
    if not entries:
        elsewhere = sorted({p.regime for p in every
                            if any(r.id == req_id for r in p.requirements)})
        if elsewhere:
            raise click.BadParameter(
                f"{req_id} is not a requirement of {regime} (it is in {', '.join(elsewhere)})",
                param_hint="ID")
        raise _unknown("requirement", req_id,
                       (r.id for p in profiles for r in p.requirements))
    if as_json:
        echo_json(entries)
    else:
        _print_requirement(entries)
