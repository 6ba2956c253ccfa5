"""``-f oscal``: OSCAL assessment results of a real scan, validated against NIST's schema.

The scans are real ``attt scan`` runs of ``dir:`` hosts (a tiny tree made here), level 1.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from oscal_schema import FIXTURES, SHA256, errors

from attt.cli import main
from attt.oscal.common import NS
from attt.render.oscal import FILENAME

ROOT = Path(__file__).resolve().parents[2]
V1 = ROOT / "tests" / "fixtures" / "results-v1"


def tree(path: Path) -> Path:
    (path / "etc" / "ssh").mkdir(parents=True)
    (path / "etc" / "ssh" / "sshd_config").write_text("PermitRootLogin yes\n")
    (path / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    return path


def scan(tmp: Path, formats: str = "json,oscal") -> Path:
    root = tree(tmp / "root")
    inv = tmp / "inv.yaml"
    inv.write_text(
        "systems:\n  - name: cong-thong-tin\n    owner: Sở Thông tin và Truyền thông\n"
        "    operating_unit: Trung tâm Chuyển đổi số\n    regime: nd85-tt12\n    level: 1\n"
        "    hosts:\n"
        f"      - {{name: web-01, transport: dir, path: {root}}}\n"
        f"      - {{name: web-02, transport: dir, path: {root}}}\n", encoding="utf-8")
    out = tmp / "run"
    result = CliRunner().invoke(main, ["scan", "-i", str(inv), "--no-network", "-q",
                                       "--no-history", "-f", formats, "-o", str(out)])
    assert result.exit_code == 1, result.output  # PermitRootLogin yes fails
    return out


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def attt_props(obj: dict[str, Any], name: str) -> list[str]:
    return [p["value"] for p in obj.get("props") or [] if p["name"] == name and p["ns"] == NS]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return scan(tmp_path_factory.mktemp("oscal"))


def test_vendored_schemas_are_nist_files_unchanged() -> None:
    for name, digest in SHA256.items():
        data = (FIXTURES / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest, name
        assert json.loads(data)["$id"].startswith("http://csrc.nist.gov/ns/oscal/1.1.3/")
    assert "National Institute of Standards and Technology License" in (
        FIXTURES / "LICENSE-NIST-OSCAL.md").read_text("utf-8")


def test_token_pattern_needs_the_regex_package() -> None:
    # Why the validator evaluates "pattern" with regex: Python's re refuses \p{L}.
    schema = load(FIXTURES / "oscal_assessment-results_schema.json")
    token = schema["definitions"]["TokenDatatype"]["pattern"]
    with pytest.raises(re.error):
        re.compile(token)
    assert errors("assessment-results", {"assessment-results": 1})  # the validator works


def test_scan_writes_schema_valid_assessment_results(run: Path) -> None:
    doc = load(run / FILENAME)
    assert errors("assessment-results", doc) == []
    ar = doc["assessment-results"]
    results = load(run / "results.json")
    system = results["systems"][0]
    assert ar["metadata"]["oscal-version"] == "1.1.3"
    assert ar["metadata"]["version"] == results["run"]["id"]
    assert {p["name"] for p in ar["metadata"]["parties"]} == {
        "Sở Thông tin và Truyền thông", "Trung tâm Chuyển đổi số"}
    [result] = ar["results"]
    assert result["start"] == results["run"]["started"]
    assert result["end"] == results["run"]["finished"]
    reviewed = result["reviewed-controls"]["control-selections"][0]["include-controls"]
    assert [c["control-id"] for c in reviewed] == [r["id"] for r in system["requirements"]]
    # One finding per requirement, one observation per check evaluation and per document.
    assert [attt_props(f, "requirement")[0] for f in result["findings"]] == [
        r["id"] for r in system["requirements"]]
    evaluations = sum(len(e["results"]) for e in results["findings"])
    documents = sum(len(r["documents"]) for r in system["requirements"])
    tests = [o for o in result["observations"] if o["methods"] == ["TEST"]]
    assert len(tests) == evaluations
    assert len(result["observations"]) == evaluations + documents
    hosts = {i["uuid"] for i in result["local-definitions"]["inventory-items"]}
    assert len(hosts) == 2
    assert all(o["subjects"][0]["subject-uuid"] in hosts for o in tests)
    assert attt_props(result, "level") == ["1"]
    assert attt_props(result, "grade") == [system["score"]["grade"]]
    assert attt_props(result, "score") == [str(system["score"]["percent"])]
    # Every related observation exists.
    uuids = {o["uuid"] for o in result["observations"]}
    linked = {r["observation-uuid"] for f in result["findings"]
              for r in f.get("related-observations", [])}
    assert linked and linked <= uuids
    # The validator is not vacuous: a control id that is no token is refused.
    result["findings"][0]["target"]["target-id"] = "1 bad"
    assert any("target-id" in e for e in errors("assessment-results", doc))


def test_a_failing_check_makes_its_requirement_not_satisfied(run: Path) -> None:
    # Hand-checked: PermitRootLogin yes -> ssh.root_login_disabled fails on web-01, a check of
    # TT12.KT.MC.2 (remote administration) at level 1 -> that finding is not-satisfied
    # (reason fail) and lists the observation of web-01's failed check.
    [result] = load(run / FILENAME)["assessment-results"]["results"]
    web01 = next(i["uuid"] for i in result["local-definitions"]["inventory-items"]
                 if attt_props(i, "host") == ["web-01"])
    [obs] = [o for o in result["observations"]
             if attt_props(o, "check") == ["ssh.root_login_disabled"]
             and o["subjects"][0]["subject-uuid"] == web01]
    assert attt_props(obs, "status") == ["fail"]
    assert "TT12.KT.MC.2" in attt_props(obs, "requirement")
    assert obs["methods"] == ["TEST"] and obs["subjects"][0]["type"] == "inventory-item"
    assert "PermitRootLogin" in json.dumps(obs["relevant-evidence"], ensure_ascii=False)
    [mc2] = [f for f in result["findings"] if f["target"]["target-id"] == "TT12.KT.MC.2_obj"]
    assert mc2["target"]["type"] == "objective-id"
    assert mc2["target"]["status"] == {"state": "not-satisfied", "reason": "fail"}
    assert obs["uuid"] in [r["observation-uuid"] for r in mc2["related-observations"]]
    # A requirement met by every check is satisfied, with its passing observations.
    passed = [f for f in result["findings"] if attt_props(f, "status") == ["pass"]]
    for f in passed:
        assert f["target"]["status"]["state"] == "satisfied"


def test_two_renders_of_one_run_are_the_same_document(run: Path, tmp_path: Path) -> None:
    outputs = []
    for name in ("a", "b"):
        result = CliRunner().invoke(main, ["report", str(run / "results.json"), "-f", "oscal",
                                           "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        outputs.append((tmp_path / name / FILENAME).read_bytes())
    assert outputs[0] == outputs[1] == (run / FILENAME).read_bytes()


def test_a_version_1_results_file_renders_to_valid_oscal(tmp_path: Path) -> None:
    folder = tmp_path / "v1"
    shutil.copytree(V1, folder)
    result = CliRunner().invoke(main, ["report", str(folder / "results.json"), "-f", "oscal",
                                       "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    doc = load(tmp_path / "out" / FILENAME)
    assert errors("assessment-results", doc) == []
    old = load(V1 / "results.json")
    [result_] = doc["assessment-results"]["results"]
    assert len(result_["findings"]) == len(old["systems"][0]["requirements"])
    fails = {r["id"] for r in old["systems"][0]["requirements"] if r["status"] == "fail"}
    assert fails and {f["target"]["target-id"][:-4] for f in result_["findings"]
                      if f["target"]["status"]["reason"] == "fail"} == fails
    linked = [f for f in result_["findings"] if f["target"]["target-id"][:-4] in fails]
    assert all(f.get("related-observations") for f in linked)


def test_findings_target_the_objectives_of_the_exported_catalog(run: Path,
                                                                 tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["profiles", "export", "--oscal", "nd85-tt12-1",
                                       "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    catalog = load(tmp_path / "nd85-tt12.catalog.oscal.json")["catalog"]
    parts = {p["id"] for layer in catalog["groups"] for g in layer["groups"]
             for c in g["controls"] for p in c["parts"]}
    ids = {c["id"] for layer in catalog["groups"] for g in layer["groups"]
           for c in g["controls"]}
    [res] = load(run / FILENAME)["assessment-results"]["results"]
    assert {f["target"]["target-id"] for f in res["findings"]} <= parts
    reviewed = res["reviewed-controls"]["control-selections"][0]["include-controls"]
    assert {c["control-id"] for c in reviewed} <= ids
    # The plan the results import names the profile that catalog and profile export.
    plan = load(run / FILENAME)["assessment-results"]["back-matter"]["resources"][0]
    assert attt_props(plan, "profile") == ["nd85-tt12-1"]
