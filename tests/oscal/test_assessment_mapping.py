"""Status mapping and streaming of ``-f oscal`` on the renderer test documents (built with
the real grading pipeline: tests/render/factory.py): waived, not applicable, error, evidence
needed, an unreachable host, 300 hosts."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from oscal_schema import errors
from test_assessment_results import attt_props

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "render"))
from factory import (
    build,
    failing_document,
    large_document,
    make_findings,
    make_profile,
    make_system,
    requirements,
)

from attt.render.base import RenderOptions
from attt.render.oscal import render_oscal


def render(doc: Any) -> dict[str, Any]:
    chunks = render_oscal(doc, RenderOptions())
    assert isinstance(chunks, Iterator)  # a stream, not one string
    data: dict[str, Any] = json.loads("".join(chunks))
    return data


def findings_by_requirement(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["target"]["target-id"].removesuffix("_obj"): f for f in result["findings"]}


def test_each_attt_status_maps_to_an_objective_state() -> None:
    doc = failing_document()
    out = render(doc)
    assert errors("assessment-results", out) == []
    [result] = out["assessment-results"]["results"]
    found = findings_by_requirement(result)
    statuses = {r["id"]: r["status"] for r in doc["systems"][0]["requirements"]}
    assert {"fail", "error", "waived", "not_applicable", "manual", "pass"} <= set(
        statuses.values())
    expected = {"pass": ("satisfied", "pass"), "fail": ("not-satisfied", "fail"),
                "error": ("not-satisfied", "other"), "manual": ("not-satisfied", "other"),
                "waived": ("not-satisfied", "other"),
                "not_applicable": ("satisfied", "other")}
    for rid, status in statuses.items():
        target = found[rid]["target"]
        assert (target["status"]["state"], target["status"]["reason"]) == expected[status], rid
        assert attt_props(found[rid], "status") == [status]
        assert ("implementation-status" in target) == (status == "not_applicable")
    obs = {o["uuid"]: o for o in result["observations"]}
    waived = [obs[r["observation-uuid"]] for r in found["TT12.KT.MC.4"]["related-observations"]]
    assert waived and all(attt_props(o, "waiver") for o in waived)
    manual = next(rid for rid, s in statuses.items() if s == "manual")
    methods = {m for r in found[manual]["related-observations"]
               for m in obs[r["observation-uuid"]]["methods"]}
    assert "EXAMINE" in methods
    # A host unreachable: the result says incomplete, not compliant or non-compliant.
    assert attt_props(result, "verdict") == ["incomplete"]
    states = {attt_props(i, "host")[0]: attt_props(i, "scan-state")
              for i in result["local-definitions"]["inventory-items"]}
    assert states["web-03"] == ["unreachable"]


def test_a_large_document_streams_one_observation_per_evaluation() -> None:
    doc = large_document(hosts=300)
    chunks = list(render_oscal(doc, RenderOptions()))
    out = json.loads("".join(chunks))
    assert errors("assessment-results", out) == []
    [result] = out["assessment-results"]["results"]
    evaluations = sum(len(e["results"]) for e in doc.entries())
    assert len(result["observations"]) == evaluations >= 300
    assert len(chunks) > evaluations  # written one observation at a time
    linked = sum(len(f.get("related-observations", [])) for f in result["findings"])
    assert linked == sum(len(r["requirements"]) for e in doc.entries() for r in e["results"])


def test_two_systems_give_two_results_each_with_its_own_hosts() -> None:
    reqs = requirements(4)
    portal = make_system(2, name="cong-thong-tin", host_names=["web-01", "web-02"])
    mail = make_system(3, level=3, name="thu-dien-tu",
                       host_names=["mail-01", "mail-02", "mail-03"])
    doc = build([(portal, make_profile(reqs)), (mail, make_profile(reqs, level=3))], None,
                make_findings(portal, reqs) + make_findings(mail, reqs))
    out = render(doc)
    assert errors("assessment-results", out) == []
    results = out["assessment-results"]["results"]
    assert [attt_props(r, "system") for r in results] == [["cong-thong-tin"], ["thu-dien-tu"]]
    assert [attt_props(r, "level") for r in results] == [["2"], ["3"]]
    for result, (name, hosts) in zip(results, (("cong-thong-tin", 2), ("thu-dien-tu", 3)),
                                     strict=True):
        items = {i["uuid"] for i in result["local-definitions"]["inventory-items"]}
        tests = [o for o in result["observations"] if o["methods"] == ["TEST"]]
        evaluations = sum(len(e["results"]) for e in doc.entries() if e["system"] == name)
        assert len(items) == hosts and len(tests) == evaluations >= hosts
        assert {o["subjects"][0]["subject-uuid"] for o in tests} == items
    # Same owner for both systems: one party, named once.
    parties = out["assessment-results"]["metadata"]["parties"]
    assert len(parties) == len({p["name"] for p in parties}) == 2
