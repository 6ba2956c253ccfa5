"""The pieces of an OSCAL assessment-results document, built from attt's results document.

``render.oscal`` streams them in order; each function here builds one object (metadata, the
plan resource, a result's header, an observation, a finding) and holds nothing else.

Mapping (README "OSCAL"):

* one ``result`` per system, its hosts as ``inventory-items`` of the result's
  ``local-definitions`` (each implementing the system's ``this-system`` component);
* one ``observation`` per check evaluation on a host (method ``TEST``, subject the host's
  inventory item, the evidence as ``relevant-evidence``), one per required document of a
  requirement (method ``EXAMINE``, subject the system's component);
* one ``finding`` per requirement of the system's profile: target ``objective-id``
  ``<requirement>_obj`` (the objective ``attt profiles export --oscal`` writes), state
  ``satisfied`` for pass and not applicable (the latter with implementation status
  ``not-applicable``), ``not-satisfied`` for fail, error, evidence needed and waived; the
  attt status in the ``status`` property.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

from ..i18n import STATUS_LABELS
from ..messages import Msg, T
from .common import NS, OSCAL_VERSION, det_uuid, one_line, prop, props, put

SATISFIED = {"pass": "satisfied", "not_applicable": "satisfied"}
REASON = {"pass": "pass", "fail": "fail"}  # others: "other" (error, evidence, waived, N/A)


class Ids:
    """Deterministic UUIDs of one run's objects: uuid5 of the run id and the object's key."""

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id

    def of(self, kind: str, *key: object) -> str:
        """The UUID of the object ``kind`` named by ``key`` in this run."""

        return det_uuid("attt-run", self.run_id, kind, *key)


def both(msg: Msg) -> tuple[str, str]:
    """A message in Vietnamese and in English."""

    return msg.render("vi"), msg.render("en")


def _verdict(system: Mapping[str, Any], incomplete: bool) -> Msg:
    if incomplete:
        return T("Incomplete scan")
    verdict = system.get("verdict") or {}
    if verdict.get("ok"):
        return T("Compliant with level {level}", level=verdict.get("level"))
    return T("Not compliant")


def _percent(value: object, lang: str) -> str:
    if not isinstance(value, int | float):
        return "-"
    shown = f"{value:.1f}"
    return shown.replace(".", ",") if lang == "vi" else shown


def _parties(doc: Mapping[str, Any], ids: Ids) -> dict[str, str]:
    """Owner and operating unit names of every system -> party UUID."""

    names: dict[str, str] = {}
    for system in doc.get("systems") or []:
        for key in ("owner", "operating_unit"):
            name = one_line(system.get(key) or "")
            if name and name not in names:
                names[name] = ids.of("party", name)
    return names


def metadata(doc: Mapping[str, Any], ids: Ids, last_modified: str) -> dict[str, Any]:
    """The document's metadata: Vietnamese title, run id as version, parties."""

    run = doc.get("run") or {}
    title = T("Information system security assessment results, scan run {run}",
              run=str(run.get("id") or "-"))
    tool = doc.get("tool") or {}
    out: dict[str, Any] = {
        "title": title.render("vi"),
        "last-modified": last_modified,
        "version": one_line(run.get("id") or "") or "0",
        "oscal-version": OSCAL_VERSION,
        "props": props([
            prop("title-en", title.render("en")),
            prop("tool", f"attt {tool.get('version', '')}"),
            prop("run-id", run.get("id")),
            prop("results-schema", doc.get("schema")),
            prop("verdict", (doc.get("summary") or {}).get("verdict")),
        ]),
        "roles": [
            {"id": "system-owner", "title": T("System owner").render("vi"),
             "props": props([prop("title-en", "System owner")])},
            {"id": "operating-unit", "title": T("Operating unit").render("vi"),
             "props": props([prop("title-en", "Operating unit")])},
        ],
    }
    put(out, "parties", [{"uuid": uid, "type": "organization", "name": name}
                         for name, uid in _parties(doc, ids).items()])
    return out


def plan_resource(doc: Mapping[str, Any], ids: Ids) -> dict[str, Any]:
    """The back-matter resource ``import-ap`` points to: attt has no separate assessment
    plan; the plan is the profiles applied to the inventory's systems, named here."""

    run = doc.get("run") or {}
    profiles = sorted({str((s.get("profile") or {}).get("id") or "")
                       for s in doc.get("systems") or []} - {""})
    vi, en = both(T("Assessment plan: profiles {profiles} applied to the systems of inventory "
                    "{inventory}", profiles=profiles or "-",
                    inventory=str(run.get("inventory") or "-")))
    return {
        "uuid": ids.of("plan"),
        "title": vi,
        "description": vi,
        "props": props([prop("title-en", en)] + [prop("profile", p) for p in profiles]),
        "remarks": T("The catalog and profile of each regime and level: attt profiles export "
                     "--oscal PROFILE").render("en"),
    }


def _host_item(system: Mapping[str, Any], host: Mapping[str, Any], ids: Ids,
               component: str) -> dict[str, Any]:
    name = str(host.get("name") or "")
    item: dict[str, Any] = {
        "uuid": ids.of("host", system.get("name"), name),
        "description": T("Host {name} of system {system}", name=name,
                         system=str(system.get("name") or "")).render("vi"),
        "props": props([
            prop("host", name),
            prop("address", host.get("address")),
            prop("transport", host.get("transport")),
            prop("zone", host.get("zone")),
            prop("scan-state", host.get("state")),
        ] + [prop("role", r) for r in host.get("roles") or []]),
        "implemented-components": [{"component-uuid": component}],
    }
    return item


def result_header(doc: Mapping[str, Any], system: Mapping[str, Any], ids: Ids,
                  start: str, end: str, incomplete: bool) -> dict[str, Any]:
    """A system's result without its observations and findings (streamed after it)."""

    name = str(system.get("name") or "")
    profile = system.get("profile") or {}
    score = system.get("score") or {}
    component = ids.of("system", name)
    verdict = _verdict(system, incomplete)
    title = T("Assessment of system {system}: {profile}", system=name,
              profile=str(profile.get("title_vi") or profile.get("id") or ""))
    title_en = T("Assessment of system {system}: {profile}", system=name,
                 profile=str(profile.get("title_en") or profile.get("id") or ""))
    summary = T("{verdict}. Requirement score: {percent}% (grade {grade}).", verdict=verdict,
                percent=_percent(score.get("percent"), "vi"), grade=score.get("grade", "-"))
    summary_en = T("{verdict}. Requirement score: {percent}% (grade {grade}).",
                   verdict=verdict, percent=_percent(score.get("percent"), "en"),
                   grade=score.get("grade", "-"))
    parties = _parties({"systems": [system]}, ids)
    roles = [{"role-id": role, "party-uuids": [parties[one_line(system.get(key))]]}
             for role, key in (("system-owner", "owner"), ("operating-unit", "operating_unit"))
             if one_line(system.get(key) or "") in parties]
    comp: dict[str, Any] = {
        "uuid": component, "type": "this-system", "title": name,
        "description": one_line(system.get("description") or "") or title.render("vi"),
        "props": props([prop("regime", system.get("regime")), prop("level", system.get("level"))]),
        "status": {"state": "operational"},
    }
    put(comp, "responsible-roles", roles)
    local: dict[str, Any] = {"components": [comp]}
    put(local, "inventory-items",
        [_host_item(system, h, ids, component) for h in system.get("hosts") or []])
    reqs = [str(r.get("id")) for r in system.get("requirements") or []]
    selection: dict[str, Any] = (
        {"include-controls": [{"control-id": r} for r in reqs]} if reqs else {"include-all": {}})
    selection["description"] = T("The requirements of profile {profile}",
                                 profile=str(profile.get("id") or "-")).render("vi")
    return {
        "uuid": ids.of("result", name),
        "title": title.render("vi"),
        "description": summary.render("vi"),
        "start": start,
        "end": end,
        "props": props([
            prop("title-en", title_en.render("en")),
            prop("system", name),
            prop("regime", system.get("regime")),
            prop("level", system.get("level")),
            prop("profile", profile.get("id")),
            prop("verdict", "incomplete" if incomplete else
                 "compliant" if (system.get("verdict") or {}).get("ok") else "non-compliant"),
            prop("grade", score.get("grade")),
            prop("score", score.get("percent")),
        ]),
        "local-definitions": local,
        "reviewed-controls": {"control-selections": [selection]},
        "remarks": summary_en.render("en"),
    }


def _evidence_text(evidence: Mapping[str, Any], lang: str) -> str:
    def shown(value: object) -> str:
        if value is None or value == "":
            return "-"
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)

    return T("Observed: {observed}; expected: {expected}; source: {source}.",
             observed=shown(evidence.get("observed")),
             expected=shown(evidence.get("expected")),
             source=shown(evidence.get("source"))).render(lang)


def observation(uid: str, system: str, host: str, host_uuid: str, r: Mapping[str, Any],
                check: Mapping[str, Any], collected: str) -> dict[str, Any]:
    """One check evaluation on one host."""

    status = str(r.get("status") or "")
    title_vi = str(check.get("title_vi") or r.get("check") or "")
    out: dict[str, Any] = {
        "uuid": uid,
        "title": title_vi,
        "description": str(r.get("message_vi") or r.get("message") or title_vi) or title_vi,
        "props": props([
            prop("title-en", check.get("title_en")),
            prop("check", r.get("check")),
            prop("status", status),
            prop("severity", check.get("severity")),
            prop("params", json.dumps(r["params"], ensure_ascii=False, sort_keys=True)
                 if r.get("params") else None),
        ] + [prop("requirement", q) for q in r.get("requirements") or []]),
        "methods": ["TEST"],
        "subjects": [{"subject-uuid": host_uuid, "type": "inventory-item",
                      "title": f"{system}/{host}"}],
        "collected": collected,
    }
    evidence = r.get("evidence")
    if isinstance(evidence, Mapping) and evidence:
        out["relevant-evidence"] = [{"description": _evidence_text(evidence, "vi"),
                                     "remarks": _evidence_text(evidence, "en")}]
    waiver = r.get("waiver")
    if isinstance(waiver, Mapping) and waiver:
        out["props"] += props([prop("waiver", dict(waiver))])
    out["remarks"] = str(r.get("message") or "") or title_vi
    return out


def document_observations(system: Mapping[str, Any], ids: Ids,
                          collected: str) -> Iterator[tuple[dict[str, Any], str]]:
    """One observation per document a requirement needs (method EXAMINE), with the
    requirement it serves."""

    name = str(system.get("name") or "")
    component = ids.of("system", name)
    for req in system.get("requirements") or []:
        rid = str(req.get("id"))
        for d in req.get("documents") or []:
            key = str(d.get("key") or "")
            found = d.get("document") if isinstance(d.get("document"), Mapping) else None
            out: dict[str, Any] = {
                "uuid": ids.of("document", name, rid, key),
                "title": str(d.get("title_vi") or d.get("title_en") or key),
                "description": str(d.get("message_vi") or d.get("message") or key),
                "props": props([prop("title-en", d.get("title_en")),
                                prop("requirement", rid), prop("document", key),
                                prop("status", d.get("status"))]),
                "methods": ["EXAMINE"],
                "subjects": [{"subject-uuid": component, "type": "component", "title": name}],
                "collected": collected,
                "remarks": str(d.get("message") or key),
            }
            if found:
                vi, en = both(T("Document {number} issued {issued}, approved by {approver}: "
                                "{title}", number=str(found.get("number") or "-"),
                                issued=str(found.get("issued") or "-"),
                                approver=str(found.get("approver") or "-"),
                                title=str(found.get("title") or "-")))
                evidence: dict[str, Any] = {"description": vi, "remarks": en}
                put(evidence, "props", props([prop("sha256", found.get("sha256")),
                                              prop("file", found.get("file"))]))
                out["relevant-evidence"] = [evidence]
            yield out, rid


def finding(system: Mapping[str, Any], req: Mapping[str, Any], ids: Ids,
            related: bytes) -> dict[str, Any]:
    """The finding of one requirement: its objective's state and the observations behind
    it (``related``: their UUIDs, 16 bytes each)."""

    name = str(system.get("name") or "")
    rid = str(req.get("id"))
    status = str(req.get("status") or "")
    label = Msg(STATUS_LABELS.get(status, status))
    vi, en = both(T("Requirement {id}: {status}", id=rid, status=label))
    reason_vi = str(req.get("reason_vi") or req.get("reason") or "")
    reason_en = str(req.get("reason") or "")
    state: dict[str, Any] = {"state": SATISFIED.get(status, "not-satisfied"),
                             "reason": REASON.get(status, "other")}
    target: dict[str, Any] = {"type": "objective-id", "target-id": f"{rid}_obj",
                              "status": state}
    if status == "not_applicable":
        target["implementation-status"] = {"state": "not-applicable"}
    out: dict[str, Any] = {
        "uuid": ids.of("finding", name, rid),
        "title": str(req.get("title_vi") or req.get("title_en") or rid),
        "description": f"{vi}. {reason_vi}".strip() if reason_vi else vi,
        "props": props([
            prop("title-en", req.get("title_en")),
            prop("requirement", rid),
            prop("status", status),
            prop("automated-status", req.get("automated_status")),
            prop("severity", req.get("severity")),
            prop("layer", req.get("layer")),
            prop("group", req.get("group")),
            prop("kind", req.get("kind")),
            prop("advisory", True if req.get("advisory") else None),
        ] + [prop("clause", v, cls=k) for k, v in sorted((req.get("clauses") or {}).items())]
          + [prop(f"count-{k.replace('_', '-')}", v)
             for k, v in sorted((req.get("counts") or {}).items())]),
        "target": target,
        "remarks": f"{en}. {reason_en}".strip() if reason_en else en,
    }
    uuids = [_uuid_of(related[i:i + 16]) for i in range(0, len(related), 16)]
    put(out, "related-observations", [{"observation-uuid": u} for u in uuids])
    return out


def _uuid_of(raw: bytes) -> str:
    return str(uuid.UUID(bytes=bytes(raw)))


__all__ = ["NS", "Ids", "document_observations", "finding", "metadata", "observation",
           "plan_resource", "result_header"]
