"""YAML profiles -> Profile: inheritance over levels, parameters per level, tailoring.

A profile file names its ``regime`` and ``level`` and ``extends`` the profile of the level
below (a bundled id or a path relative to the file).  Requirements are inherited; a level
may redefine a requirement (same id) and raise parameters in ``parameters:``.  Parameter
values in force come from, in order: the check's default, each profile from the lowest
level up, the requirement's own ``params``, then the tailoring file.  Where each value came
from is kept for the report.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

from .errors import InputError
from .library import load_all
from .messages import Msg, T
from .model import (
    CheckRef,
    EvidenceSpec,
    Exclusion,
    ParamProvenance,
    Profile,
    Requirement,
    Severity,
)
from .registry import CHECKS
from .yamlio import Node, load_file

PROFILE_KEYS = (
    "id",
    "regime",
    "level",
    "extends",
    "title_vi",
    "title_en",
    "instruments",
    "caveat_vi",
    "caveat_en",
    "parameters",
    "requirements",
    "description",
    "removes",
)
REQUIREMENT_KEYS = (
    "id",
    "title_vi",
    "title_en",
    "group",
    "layer",
    "severity",
    "clause",
    "checks",
    "evidence",
    "roles",
    "description_en",
    "advisory",
)
REGIMES = ("nd85-tt12", "law116-nd331")


def bundled_dir() -> str:
    """The folder of the bundled profiles (``attt.profiles``)."""

    return str(resources.files("attt.profiles"))


def bundled_profiles() -> dict[str, str]:
    """Bundled profile id -> path (file stem is the id)."""

    folder = bundled_dir()
    return {
        name[: -len(".yaml")]: os.path.join(folder, name)
        for name in sorted(os.listdir(folder))
        if name.endswith(".yaml")
    }


def profile_id(regime: str, level: int) -> str:
    """The bundled profile id of a regime and level, e.g. ``nd85-tt12-3``."""

    return f"{regime}-{level}"


@dataclass
class _Raw:
    path: str
    id: str
    regime: str
    level: int
    title_vi: str
    title_en: str
    instruments: tuple[str, ...]
    caveat_vi: str
    caveat_en: str
    parameters: dict[str, dict[str, Any]]
    requirements: list[Requirement]
    removes: tuple[str, ...] = ()
    parent: _Raw | None = None
    sources: list[str] = field(default_factory=list)


def _params_map(node: Node, name: str) -> dict[str, dict[str, Any]]:
    """``{check_id: {param: value}}`` with check and parameter names verified."""

    out: dict[str, dict[str, Any]] = {}
    table = node.mapping(name)
    for check_id in table.data:
        spec = CHECKS.get(str(check_id))
        if spec is None:
            raise table.error(str(check_id), T("unknown check id"))
        values = table.mapping(str(check_id))
        for param in values.data:
            if param not in spec.params:
                raise values.error(str(param), T("unknown parameter of {check} (has: {allowed})",
                                                 check=str(check_id),
                                                 allowed=sorted(spec.params) or T("none")))
            _check_param_value(values, str(param), spec.params[param])
        out[str(check_id)] = dict(values.data)
    return out


def _check_param_value(node: Node, name: str, default: Any) -> None:
    """A value of the type of the check's declared default: a text or NaN where the check
    counts would crash it at grading time, long after the file was accepted."""

    value = node.raw(name)
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise node.error(name, T("expected true or false, got {value}", value=_shown(value)))
    elif isinstance(default, int):
        # Every integer parameter is a count, a size or a duration: never negative.
        if isinstance(value, bool) or not isinstance(value, int):
            raise node.error(name, T("expected a whole number, got {value}",
                                     value=_shown(value)))
        if value < 0:
            raise node.error(name, T("expected a whole number 0 or more, got {value}",
                                     value=value))
    elif isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not math.isfinite(value) or value < 0:
            raise node.error(name, T("expected a finite number 0 or more, got {value}",
                                     value=_shown(value)))
    elif isinstance(default, list | tuple):
        if not isinstance(value, list) or not all(
            isinstance(v, str) or (isinstance(v, int) and not isinstance(v, bool)) for v in value
        ):
            raise node.error(name, T("expected a list of text, got {kind}", kind=_shown(value)))
    elif isinstance(default, str) and not isinstance(value, str):
        raise node.error(name, T("expected text, got {kind}", kind=_shown(value)))


def _shown(value: Any) -> str | Msg:
    # A container's kind is a phrase (translated); a scalar's repr is data.
    if isinstance(value, list):
        return T("a list")
    if isinstance(value, dict):
        return T("a mapping")
    return T("nothing") if value is None else repr(value)[:60]




def _check_ref(node: Node) -> CheckRef:
    node.allow("id", "params")
    check_id = node.text("id")
    spec = CHECKS.get(check_id)
    if spec is None:
        raise node.error("id", T("unknown check {check} (see `attt checks list`)",
                                 check=repr(check_id)))
    params = node.mapping("params")
    for param in params.data:
        if param not in spec.params:
            raise params.error(str(param), T("unknown parameter of {check} (has: {allowed})",
                                             check=check_id,
                                             allowed=sorted(spec.params) or T("none")))
        _check_param_value(params, str(param), spec.params[param])
    return CheckRef(check_id, dict(params.data))


def _evidence(node: Node, index: int, value: Any) -> EvidenceSpec:
    if isinstance(value, str):
        return EvidenceSpec(f"doc{index + 1}", value, value)
    item = Node(value, node.source, f"{node.key('evidence')}[{index}]")
    item.allow("key", "title_vi", "title_en", "max_age_months", "before_approval")
    title_vi = item.text("title_vi")
    return EvidenceSpec(
        item.text("key", f"doc{index + 1}"),
        title_vi,
        item.text("title_en", title_vi),
        max_age_months=item.integer("max_age_months", 0, lo=0, hi=600) or None,
        before_approval=item.boolean("before_approval", False),
    )


def _requirement(node: Node) -> Requirement:
    node.allow(*REQUIREMENT_KEYS)
    try:
        severity = Severity(node.text("severity", "medium"))
    except ValueError:
        raise node.error("severity", T("expected low, medium, high or critical")) from None
    checks = tuple(_check_ref(n) for n in node.items("checks"))
    raw_evidence = node.raw("evidence") or []
    if not isinstance(raw_evidence, list):
        raise node.error("evidence", T("expected a list"))
    evidence = tuple(_evidence(node, i, v) for i, v in enumerate(raw_evidence))
    if not checks and not evidence:
        raise node.error("checks", T("a requirement needs checks, evidence, or both"))
    clause = node.mapping("clause")
    title_vi = node.text("title_vi")
    return Requirement(
        id=node.text("id"),
        title_vi=title_vi,
        title_en=node.text("title_en", title_vi),
        group=node.text("group"),
        layer=node.integer("layer", lo=1, hi=4),
        severity=severity,
        clauses={str(k): str(v) for k, v in clause.data.items()},
        checks=checks,
        evidence=evidence,
        roles=node.texts("roles"),
        description_en=node.text("description_en", ""),
        advisory=node.boolean("advisory", False),
    )


def _resolve_extends(ref: str, from_path: str) -> str:
    local = os.path.join(os.path.dirname(from_path), ref)
    if ref.endswith((".yaml", ".yml")) and os.path.isfile(local):
        return local
    sibling = os.path.join(os.path.dirname(from_path), f"{ref}.yaml")
    if os.path.isfile(sibling):
        return sibling
    bundled = bundled_profiles()
    if ref in bundled:
        return bundled[ref]
    raise InputError(from_path, "extends", T("no profile {ref} (bundled: {bundled})",
                                             ref=repr(ref), bundled=list(bundled)))


def _read(path: str, chain: tuple[str, ...] = ()) -> _Raw:
    real = os.path.realpath(path)
    if real in chain:
        raise InputError(path, "extends", T("inheritance cycle: {chain}",
                                            chain=" -> ".join((*chain, real))))
    node = Node(load_file(path), path)
    node.allow(*PROFILE_KEYS)
    regime = node.text("regime")
    if regime not in REGIMES:
        raise node.error("regime", T("expected one of {choices}, got {value}",
                                     choices=REGIMES, value=repr(regime)))
    level = node.integer("level", lo=1, hi=5)
    parent = None
    if node.has("extends"):
        parent = _read(_resolve_extends(node.text("extends"), path), (*chain, real))
        if parent.regime != regime:
            raise node.error("extends", T("extends a {parent} profile from {regime}",
                                          parent=parent.regime, regime=regime))
        if parent.level >= level:
            raise node.error("extends", T("must extend a lower level than {level}",
                                          level=level))
    reqs: list[Requirement] = []
    seen: set[str] = set()
    for item in node.items("requirements"):
        req = _requirement(item)
        if req.id in seen:
            raise item.error("id", T("duplicate requirement id {id}", id=req.id))
        seen.add(req.id)
        reqs.append(req)
    title_vi = node.text("title_vi")
    return _Raw(
        path=path,
        id=node.text("id", os.path.splitext(os.path.basename(path))[0]),
        regime=regime,
        level=level,
        title_vi=title_vi,
        title_en=node.text("title_en", title_vi),
        instruments=node.texts("instruments") or (parent.instruments if parent else ()),
        caveat_vi=node.text("caveat_vi", parent.caveat_vi if parent else ""),
        caveat_en=node.text("caveat_en", parent.caveat_en if parent else ""),
        parameters=_params_map(node, "parameters"),
        requirements=reqs,
        removes=node.texts("removes"),
        parent=parent,
    )


def _chain(raw: _Raw) -> list[_Raw]:
    out: list[_Raw] = []
    current: _Raw | None = raw
    while current is not None:
        out.append(current)
        current = current.parent
    return list(reversed(out))  # lowest level first


@dataclass(frozen=True)
class Tailoring:
    """An agency's tailoring file: parameter values and exclusions."""

    source: str
    profile: str
    parameters: Mapping[str, Mapping[str, Any]]
    exclusions: tuple[Exclusion, ...]


def load_tailoring(path: str) -> Tailoring:
    """Read and validate a tailoring file."""

    load_all()
    node = Node(load_file(path) or {}, path)
    node.allow("profile", "parameters", "exclusions")
    exclusions = []
    for item in node.items("exclusions"):
        item.allow("requirement", "reason")
        reason = item.text("reason", "")
        if not reason.strip():
            raise item.error("reason", T("an exclusion needs a reason"))
        exclusions.append(Exclusion(item.text("requirement"), reason))
    return Tailoring(
        path, node.text("profile", ""), _params_map(node, "parameters"), tuple(exclusions)
    )


def _weaker(spec_dir: str | None, level_value: Any, new_value: Any) -> bool:
    if spec_dir is None or isinstance(new_value, bool) or isinstance(level_value, bool):
        return False
    if not isinstance(new_value, int | float) or not isinstance(level_value, int | float):
        return False
    return new_value < level_value if spec_dir == "higher" else new_value > level_value


def _apply_params(
    reqs: list[Requirement], chain: list[_Raw], tailoring: Tailoring | None
) -> tuple[list[Requirement], list[ParamProvenance]]:
    out: list[Requirement] = []
    prov: list[ParamProvenance] = []
    for req in reqs:
        refs = []
        for ref in req.checks:
            spec = CHECKS[ref.check_id]
            values: dict[str, Any] = dict(spec.params)
            source = dict.fromkeys(spec.params, "check default")
            for raw in chain:
                for k, v in raw.parameters.get(ref.check_id, {}).items():
                    values[k], source[k] = v, f"profile {raw.id}"
            for k, v in ref.params.items():
                values[k], source[k] = v, f"requirement {req.id}"
            level_values = dict(values)
            if tailoring is not None:
                for k, v in tailoring.parameters.get(ref.check_id, {}).items():
                    values[k], source[k] = v, f"tailoring {tailoring.source}"
            for k in sorted(values):
                prov.append(
                    ParamProvenance(
                        req.id,
                        ref.check_id,
                        k,
                        values[k],
                        source[k],
                        _weaker(spec.stricter.get(k), level_values[k], values[k]),
                    )
                )
            refs.append(CheckRef(ref.check_id, values))
        out.append(replace(req, checks=tuple(refs)))
    return out, prov


def load_profile(ref: str, tailoring_path: str | None = None) -> Profile:
    """``ref`` is a bundled profile id (``nd85-tt12-2``) or a path to a profile file."""

    load_all()
    bundled = bundled_profiles()
    if os.path.lexists(ref):
        path = ref  # whatever it is: the reader says why a FIFO or a folder is refused
    elif ref in bundled:
        path = bundled[ref]
    else:
        raise InputError(ref, "", T("no such profile file or bundled id (bundled: {bundled})",
                                    bundled=list(bundled)))
    raw = _read(path)
    chain = _chain(raw)
    merged: dict[str, Requirement] = {}
    for level_raw in chain:
        # A level may drop an inherited item that its regime does not restate (TCVN 14423
        # does not simply accumulate levels).
        for i, rid in enumerate(level_raw.removes):
            if rid not in merged:
                raise InputError(level_raw.path, f"removes[{i}]",
                                 T("{id} is not inherited", id=rid))
            del merged[rid]
        for req in level_raw.requirements:
            merged[req.id] = req  # a higher level may redefine a requirement
    reqs = list(merged.values())
    tailoring = load_tailoring(tailoring_path) if tailoring_path else None
    exclusions: tuple[Exclusion, ...] = ()
    if tailoring is not None:
        if tailoring.profile and tailoring.profile != raw.id:
            raise InputError(
                tailoring.source,
                "profile",
                T("tailors {tailored}, but the profile in use is {profile}",
                  tailored=tailoring.profile, profile=raw.id),
            )
        for i, exc in enumerate(tailoring.exclusions):
            if exc.requirement_id not in merged:
                raise InputError(
                    tailoring.source,
                    f"exclusions[{i}].requirement",
                    T("{id} is not a requirement of {profile}", id=exc.requirement_id,
                      profile=raw.id),

                )
        exclusions = tailoring.exclusions
    reqs, provenance = _apply_params(reqs, chain, tailoring)
    return Profile(
        id=raw.id,
        regime=raw.regime,
        level=raw.level,
        title_vi=raw.title_vi,
        title_en=raw.title_en,
        instruments=raw.instruments,
        requirements=tuple(reqs),
        sources=tuple(r.path for r in chain) + ((tailoring.source,) if tailoring else ()),
        provenance=tuple(provenance),
        exclusions=exclusions,
        caveat_vi=raw.caveat_vi,
        caveat_en=raw.caveat_en,
    )
