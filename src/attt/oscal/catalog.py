"""A profile as OSCAL: the regime's requirement catalogue (catalog) and the level's selection
of it (profile), for ``attt profiles export --oscal``.

* Catalog ``<regime>.catalog.oscal.json``: every requirement of the regime's bundled levels
  (and of the profile exported, when it is a file of its own), one control each (id = the
  requirement id), grouped by layer of the 4-layer model, then by requirement group;
  each control's statement (``<id>_smt``) and assessment objective (``<id>_obj``, what an
  assessment-results finding targets); one catalog parameter per check parameter
  (``<check>.<name>``) with the check's default value.
* Profile ``<profile>.profile.oscal.json``: imports the catalog, includes the level's
  requirements, sets every check parameter to the level's value and, per control, adds the
  level's clause references and how attt assesses it there (automated checks: method
  ``TEST``; documents: ``EXAMINE``).

A requirement redefined by a higher level takes that level's title, group and layer in the
catalog; what differs per level (clauses, checks, documents) lives in the profiles.
Parameter values are JSON text (``8``, ``"yes"``, ``[]``).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from typing import Any

from .. import __version__
from ..dossier.labels import GROUPS
from ..errors import InputError
from ..i18n import GROUP_LABELS, LAYER_LABELS
from ..messages import Msg, T
from ..model import Profile, Requirement
from ..profile_loader import bundled_profiles, load_profile
from ..registry import CHECKS
from .common import OSCAL_VERSION, det_uuid, param_value, prop, props, put


def catalog_name(regime: str) -> str:
    """The catalog's file name (the profile's import names it)."""

    return f"{regime}.catalog.oscal.json"


def profile_name(profile: Profile) -> str:
    """The profile's file name."""

    return f"{profile.id}.profile.oscal.json"


def regime_profiles(profile: Profile) -> list[Profile]:
    """The bundled levels of the profile's regime, lowest first, then the profile itself
    when it is not one of them (a profile file of the agency's own)."""

    levels = []
    for pid in bundled_profiles():
        if pid.startswith(f"{profile.regime}-"):
            level = load_profile(pid)
            if level.regime == profile.regime:
                levels.append(level)
    levels.sort(key=lambda p: p.level)
    if all(p.id != profile.id or p.sources != profile.sources for p in levels):
        levels.append(profile)
    return levels


def _modified(profiles: Iterable[Profile]) -> str:
    """When the profile files last changed (the catalog's ``last-modified``): the same
    content exports to the same document."""

    stamps = [os.stat(path).st_mtime for p in profiles for path in p.sources
              if os.path.exists(path)]
    when = dt.datetime.fromtimestamp(max(stamps, default=0.0), tz=dt.UTC)
    return when.isoformat(timespec="seconds")


def _metadata(title_vi: str, title_en: str, modified: str,
              extra: list[dict[str, str] | None]) -> dict[str, Any]:
    return {
        "title": title_vi,
        "last-modified": modified,
        "version": __version__,
        "oscal-version": OSCAL_VERSION,
        "props": props([prop("title-en", title_en), prop("tool", f"attt {__version__}"),
                        *extra]),
    }


def _control(req: Requirement, first_level: int) -> dict[str, Any]:
    statement: dict[str, Any] = {"id": f"{req.id}_smt", "name": "statement",
                                 "prose": req.title_vi}
    put(statement, "props", props([prop("description-en", req.description_en)]))
    objective = T("Requirement {id} is met: {title}", id=req.id, title=req.title_vi)
    return {
        "id": req.id,
        "class": "requirement",
        "title": req.title_vi,
        "props": props([
            prop("title-en", req.title_en),
            prop("layer", req.layer),
            prop("group", req.group),
            prop("severity", req.severity.value),
            prop("first-level", first_level),
            prop("advisory", True if req.advisory else None),
        ]),
        "parts": [statement, {
            "id": f"{req.id}_obj", "name": "assessment-objective",
            "prose": objective.render("vi"),
            "props": props([prop("title-en", T("Requirement {id} is met: {title}", id=req.id,
                                                 title=req.title_en).render("en"))]),
        }],
    }


def _params(requirements: Iterable[Requirement]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for req in requirements:
        for ref in req.checks:
            spec = CHECKS.get(ref.check_id)
            for name in ref.params:
                pid = f"{ref.check_id}.{name}"
                if pid in seen:
                    continue
                default = spec.params.get(name) if spec else ref.params[name]
                label = T("Parameter {name} of check {check}", name=name, check=ref.check_id)
                seen[pid] = {
                    "id": pid,
                    "label": label.render("vi"),
                    "props": props([prop("check", ref.check_id), prop("name", name),
                                    prop("title-en", label.render("en"))]),
                    "values": [param_value(default)],
                }
    return list(seen.values())


def _group_label(group: str) -> Msg:
    """A requirement group's title: the dossier's wording (every group of both regimes),
    else the report's."""

    if group in GROUPS:
        return Msg(GROUPS[group][1])
    return Msg(GROUP_LABELS.get(group, group))


def build_catalog(profile: Profile) -> dict[str, Any]:
    """The OSCAL catalog of the profile's regime."""

    levels = regime_profiles(profile)
    merged: dict[str, Requirement] = {}
    first: dict[str, int] = {}
    for level in levels:
        for req in level.requirements:
            merged[req.id] = req
            first.setdefault(req.id, level.level)
    layers: dict[int, dict[str, list[Requirement]]] = {}
    for req in merged.values():
        layers.setdefault(req.layer, {}).setdefault(req.group, []).append(req)
    groups = []
    for layer in sorted(layers):
        label = LAYER_LABELS.get(layer, str(layer))
        groups.append({
            "id": f"layer-{layer}", "class": "layer",
            "title": T("Layer {layer}: {label}", layer=layer, label=Msg(label)).render("vi"),
            "props": props([prop("layer", layer), prop("title-en", T(
                "Layer {layer}: {label}", layer=layer, label=Msg(label)).render("en"))]),
            "groups": [{
                "id": f"layer-{layer}.{group}", "class": "group",
                "title": _group_label(group).render("vi"),
                "props": props([prop("group", group),
                                prop("title-en", _group_label(group).render("en"))]),
                "controls": [_control(r, first[r.id]) for r in reqs],
            } for group, reqs in layers[layer].items()],
        })
    title = T("Requirement catalogue of regime {regime}: {instruments}", regime=profile.regime,
              instruments=list(profile.instruments))
    catalog: dict[str, Any] = {
        "uuid": det_uuid("attt-catalog", profile.regime),
        "metadata": _metadata(title.render("vi"), title.render("en"), _modified(levels),
                              [prop("regime", profile.regime)]),
    }
    put(catalog, "params", _params(merged.values()))
    put(catalog, "groups", groups)
    return {"catalog": catalog}


def _level_values(profile: Profile) -> dict[str, tuple[Any, str]]:
    """``<check>.<name>`` -> (value in force, where it came from); one value per parameter,
    as OSCAL sets it."""

    values: dict[str, tuple[Any, str, str]] = {}
    for p in profile.provenance:
        pid = f"{p.check_id}.{p.name}"
        have = values.get(pid)
        if have is not None and have[0] != p.value:
            raise InputError(profile.sources[-1], f"requirements.{p.requirement_id}", T(
                "parameter {param} is {a} in {first} but {b} in {second}: an OSCAL profile "
                "sets one value per parameter; set it in the profile's parameters",
                param=pid, a=param_value(have[0]), first=have[2], b=param_value(p.value),
                second=p.requirement_id))
        values.setdefault(pid, (p.value, p.source, p.requirement_id))
    return {k: (v, src) for k, (v, src, _) in values.items()}


def _methods(req: Requirement) -> list[dict[str, Any]]:
    parts = []
    if req.checks:
        titles = [f"{CHECKS[c.check_id].title_vi} ({c.check_id})" if c.check_id in CHECKS
                  else c.check_id for c in req.checks]
        parts.append({
            "id": f"{req.id}_obj.test", "name": "assessment-method",
            "props": [{"name": "method", "value": "TEST"},
                      *props([prop("check", c.check_id) for c in req.checks])],
            "prose": T("Automated checks: {checks}", checks=titles).render("vi"),
        })
    if req.evidence:
        parts.append({
            "id": f"{req.id}_obj.examine", "name": "assessment-method",
            "props": [{"name": "method", "value": "EXAMINE"},
                      *props([prop("document", e.key) for e in req.evidence])],
            "prose": T("Documents: {documents}",
                       documents=[e.title_vi for e in req.evidence]).render("vi"),
        })
    return parts


def _alter(req: Requirement) -> dict[str, Any]:
    adds: list[dict[str, Any]] = []
    clauses = props([prop("clause", v, cls=k) for k, v in sorted(req.clauses.items())])
    if clauses:
        adds.append({"position": "ending", "props": clauses})
    methods = _methods(req)
    if methods:
        adds.append({"position": "ending", "by-id": f"{req.id}_obj", "parts": methods})
    return {"control-id": req.id, "adds": adds}


def build_profile(profile: Profile) -> dict[str, Any]:
    """The OSCAL profile of one level: the catalog's controls it includes, its parameter
    values, its clauses and assessment methods."""

    setting = [{
        "param-id": pid,
        "values": [param_value(value)],
        "props": props([prop("source", source)]),
    } for pid, (value, source) in sorted(_level_values(profile).items())]
    alters = [a for a in (_alter(r) for r in profile.requirements) if a["adds"]]
    modify: dict[str, Any] = {}
    put(modify, "set-parameters", setting)
    put(modify, "alters", alters)
    body: dict[str, Any] = {
        "uuid": det_uuid("attt-profile", profile.id),
        "metadata": _metadata(profile.title_vi, profile.title_en,
                              _modified([profile]),
                              [prop("regime", profile.regime), prop("level", profile.level),
                               prop("profile", profile.id)]
                              + [prop("instrument", i) for i in profile.instruments]),
        "imports": [{"href": catalog_name(profile.regime),
                     "include-controls": [{"with-ids": [r.id for r in profile.requirements]}]}],
        "merge": {"as-is": True},
    }
    put(body, "modify", modify)
    return {"profile": body}


def exported(profile: Profile) -> Mapping[str, dict[str, Any]]:
    """File name -> document: the catalog and the profile."""

    return {catalog_name(profile.regime): build_catalog(profile),
            profile_name(profile): build_profile(profile)}
