"""OSCAL 1.1.3 assessment results (``assessment-results.oscal.json``), written as a stream.

The document's metadata, plan reference and back matter are small and built whole; each
system's result is written piece by piece: its header (hosts, reviewed controls), then its
observations one check evaluation at a time as the findings stream from disk
(``Document.entries``), then one finding per requirement.  What is held meanwhile is 16
bytes (an observation's UUID) per (evaluation, requirement) pair, to list each finding's
related observations, never the findings themselves.  One pass over the findings per
system.  The pieces and the mapping: ``attt.oscal.assessment``.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping
from typing import Any

from ..oscal.assessment import (
    Ids,
    document_observations,
    finding,
    metadata,
    observation,
    plan_resource,
    result_header,
)
from ..oscal.common import timestamp
from .base import RenderOptions, register
from .document import Document, as_document, check_info, system_incomplete

FILENAME = "assessment-results.oscal.json"
_MARK = "__attt_results__"


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _result(doc: Document, system: Mapping[str, Any], ids: Ids, start: str,
            end: str) -> Iterator[str]:
    """One system's result: header, observations (streamed), findings."""

    name = str(system.get("name") or "")
    run = doc.get("run") or {}
    header = result_header(doc, system, ids, start, end, system_incomplete(system, run))
    yield _dump(header)[:-1]  # without its closing brace: the streamed arrays follow
    related: dict[str, bytearray] = {str(r.get("id")): bytearray()
                                     for r in system.get("requirements") or []}
    written = 0

    def emit(obs: Mapping[str, Any]) -> str:
        nonlocal written
        written += 1
        return (',\n"observations": [\n' if written == 1 else ",\n") + _dump(obs)

    for obs, rid in document_observations(system, ids, end):
        related.setdefault(rid, bytearray()).extend(uuid.UUID(obs["uuid"]).bytes)
        yield emit(obs)
    checks: Mapping[str, Mapping[str, Any]] = doc.get("checks") or {}
    hosts = {str(h.get("name")): ids.of("host", name, h.get("name"))
             for h in system.get("hosts") or []}
    for e in doc.entries():
        if e["system"] != name:
            continue
        host = e["host"]
        host_uuid = hosts.get(host) or ids.of("host", name, host)
        # Two evaluations of one check with the same parameters on one host (not seen in
        # practice) still get distinct UUIDs: the key counts them.
        seen: Counter[str] = Counter()
        for r in e["results"]:
            key = _dump([r["check"], r.get("params") or {}])
            seen[key] += 1
            uid = ids.of("observation", name, host, key, seen[key])
            info = checks.get(r["check"]) or check_info(r["check"])
            obs = observation(uid, name, host, host_uuid, r, info, end)
            raw = uuid.UUID(uid).bytes
            for rid in r.get("requirements") or ():
                if str(rid) in related:
                    related[str(rid)].extend(raw)
            yield emit(obs)
    if written:
        yield "\n]"
    first = True
    for req in system.get("requirements") or []:
        f = finding(system, req, ids, bytes(related.get(str(req.get("id")), b"")))
        yield (',\n"findings": [\n' if first else ",\n") + _dump(f)
        first = False
    yield ("\n]" if not first else "") + "}"


def chunks(doc: Document) -> Iterator[str]:
    """The assessment-results document, piece by piece."""

    run = doc.get("run") or {}
    ids = Ids(str(run.get("id") or ""))
    start = timestamp(run.get("started"))
    end = timestamp(run.get("finished"), start)
    plan = plan_resource(doc, ids)
    top = {"assessment-results": {
        "uuid": ids.of("assessment-results"),
        "metadata": metadata(doc, ids, end),
        "import-ap": {"href": "#" + plan["uuid"], "remarks": plan["remarks"]},
        "results": _MARK,
        "back-matter": {"resources": [plan]},
    }}
    head, tail = json.dumps(top, ensure_ascii=False, indent=1).split(f'"{_MARK}"')
    yield head + "[\n"
    systems = doc.get("systems") or []
    for i, system in enumerate(systems):
        if i:
            yield ",\n"
        yield from _result(doc, system, ids, start, end)
    if not systems:  # the schema wants one result: an empty one says nothing was assessed
        yield _dump({"uuid": ids.of("result"), "title": "-", "description": "-",
                     "start": start, "end": end,
                     "reviewed-controls": {"control-selections": [{"include-all": {}}]}})
    yield "\n]" + tail + "\n"


@register("oscal", FILENAME)
def render_oscal(doc: Document, options: RenderOptions) -> Iterator[str]:
    """OSCAL assessment results: one result per system (Vietnamese text, English beside)."""

    doc = as_document(doc)  # a plain mapping (older file, tests) is converted once
    return chunks(doc)


__all__ = ["FILENAME", "chunks", "render_oscal"]
