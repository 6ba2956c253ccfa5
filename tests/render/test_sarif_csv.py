"""SARIF 2.1.0 validated against the official OASIS schema, CSV read back with csv, and the
published results.json schema, on real scans and on the renderer test documents."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from click.testing import CliRunner
from factory import as_v1, compliant_document, failing_document, large_document

from attt.cli import main
from attt.messages import pick
from attt.render.base import RenderOptions
from attt.render.csv_format import BOM, render_csv
from attt.render.document import SCHEMA, all_findings
from attt.render.json_format import render_json
from attt.render.junit import render_junit
from attt.render.sarif import render_sarif

ROOT = Path(__file__).resolve().parents[2]
SARIF_SCHEMA = json.loads(
    (ROOT / "tests/fixtures/sarif/sarif-schema-2.1.0.json").read_text(encoding="utf-8")
)
RESULTS_SCHEMA = json.loads(
    (ROOT / "schemas/attt.results-2.schema.json").read_text(encoding="utf-8")
)


def sarif_errors(data: Any) -> list[str]:
    validator = jsonschema.Draft7Validator(SARIF_SCHEMA)
    return [f"{e.json_path}: {e.message[:200]}" for e in validator.iter_errors(data)]


def results_errors(doc: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(RESULTS_SCHEMA)
    return [f"{e.json_path}: {e.message[:200]}" for e in validator.iter_errors(doc)]


def make_rootfs(root: Path) -> Path:
    (root / "etc/ssh/sshd_config.d").mkdir(parents=True)
    (root / "etc/ssh/sshd_config").write_text(
        "Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication yes\n"
    )
    (root / "etc/ssh/sshd_config.d/10-root.conf").write_text("PermitRootLogin yes\n")
    (root / "etc/login.defs").write_text("PASS_MAX_DAYS 99999\nPASS_MIN_LEN 5\n")
    # pam_unix on line 25 (as on stock Debian): password.min_length names that line.
    (root / "etc/pam.d").mkdir(parents=True)
    (root / "etc/pam.d/common-password").write_text(
        "#\n" * 24 + "password [success=1 default=ignore] pam_unix.so obscure yescrypt\n"
        "password requisite pam_deny.so\npassword required pam_permit.so\n"
    )
    return root


@pytest.fixture(scope="module")
def dir_scan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("ci-outputs")
    rootfs = make_rootfs(base / "config-repo")
    out = base / "run"
    res = CliRunner().invoke(
        main, ["scan", "-t", f"dir:{rootfs}", "-o", str(out), "-q", "-f", "json,sarif,csv"],
        catch_exceptions=False,
    )
    assert res.exit_code == 1, res.output
    return out


def test_schema_file_is_the_draft07_oasis_schema() -> None:
    jsonschema.Draft7Validator.check_schema(SARIF_SCHEMA)
    assert SARIF_SCHEMA["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    # Negative control: the schema really rejects what SARIF forbids.
    assert sarif_errors({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]})
    assert sarif_errors({"version": "2.1.0", "runs": [], "extra": 1})


def test_dir_scan_sarif_is_valid_and_points_at_config_files(dir_scan: Path) -> None:
    sarif = json.loads((dir_scan / "results.sarif").read_text(encoding="utf-8"))
    assert sarif_errors(sarif) == []
    assert sarif["version"] == "2.1.0" and len(sarif["runs"]) == 1
    run = sarif["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "attt"
    rules = {r["id"]: r for r in driver["rules"]}
    rule = rules["ssh.root_login_disabled"]
    assert rule["properties"]["severity"] == "high"
    assert "TT12.KT.MC.2" in rule["properties"]["requirements"]
    assert rule["help"]["text"] and rule["shortDescription"]["text"]
    root_uri = run["originalUriBaseIds"]["ROOT"]["uri"]
    assert root_uri.startswith("file:///") and root_uri.endswith("/config-repo/")
    result = next(r for r in run["results"] if r["ruleId"] == "ssh.root_login_disabled")
    assert result["level"] == "error"
    assert driver["rules"][result["ruleIndex"]]["id"] == "ssh.root_login_disabled"
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {
        "uri": "etc/ssh/sshd_config.d/10-root.conf", "uriBaseId": "ROOT"
    }
    assert physical["region"]["startLine"] == 1
    assert result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == (
        "adhoc/config-repo"
    )
    # Only fail, error and waived findings become results; every one is fail or error here.
    doc = json.loads((dir_scan / "results.json").read_text(encoding="utf-8"))
    reported = [f for f in all_findings(doc) if f["status"] in ("fail", "error")]
    assert len(run["results"]) == len(reported)
    assert {r["properties"]["status"] for r in run["results"]} <= {"fail", "error"}
    assert len({r["partialFingerprints"]["attt/v1"] for r in run["results"]}) == len(reported)


@pytest.mark.parametrize("make", [compliant_document, failing_document])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_factory_documents_give_valid_sarif(make: Any, lang: str) -> None:
    doc = make()
    sarif = json.loads("".join(render_sarif(doc, RenderOptions(lang=lang))))
    assert sarif_errors(sarif) == []
    results = sarif["runs"][0]["results"]
    for r in results:
        # Live hosts whose messages name no file:line: a logical location only, no file.
        assert "physicalLocation" not in r["locations"][0]
    if make is failing_document:
        waived = [r for r in results if r["properties"]["status"] == "waived"]
        assert waived and all(r["suppressions"][0]["kind"] == "external" for r in waived)
        assert "Giám đốc Sở" in waived[0]["suppressions"][0]["justification"]
        errors = [r for r in results if r["properties"]["status"] == "error"]
        assert errors and all(r["level"] == "warning" for r in errors)


def test_large_document_sarif_is_valid() -> None:
    sarif = json.loads("".join(render_sarif(large_document(hosts=200), RenderOptions())))
    assert sarif_errors(sarif) == []


def _csv_rows(dir_scan: Path) -> list[dict[str, str]]:
    raw = (dir_scan / "results.csv").read_bytes()
    assert raw.startswith(BOM.encode("utf-8"))
    assert b"\r\n" in raw
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_csv_reads_back_one_row_per_finding(dir_scan: Path) -> None:
    rows = [r for r in _csv_rows(dir_scan) if r["Loại mục"] == "Kiểm tra trên máy chủ"]
    doc = json.loads((dir_scan / "results.json").read_text(encoding="utf-8"))
    findings = all_findings(doc)
    assert len(rows) == len(findings)
    # Messages in the report language (message_vi), row for row.
    assert [r["Kết quả"] for r in rows] == [pick(f, "message", "vi") for f in findings]
    assert list(rows[0])[:3] == ["Hệ thống", "Máy chủ", "Mã yêu cầu"]
    row = next(r for r in rows if r["Mã kiểm tra"] == "ssh.root_login_disabled")
    assert row["Mã yêu cầu"] == "TT12.KT.MC.2"
    assert row["Trạng thái"] == "Không đạt"
    assert row["Mức độ nghiêm trọng"] == "Cao"
    assert "root" in row["Tên kiểm tra"].lower()
    assert "PermitRootLogin" in row["Kết quả"]
    assert row["Nguồn"].startswith("/etc/ssh/")


def test_csv_is_the_full_to_do_list_with_every_document_to_provide(dir_scan: Path) -> None:
    rows = _csv_rows(dir_scan)
    doc = json.loads((dir_scan / "results.json").read_text(encoding="utf-8"))
    wanted = [(r, d) for s in doc["systems"] for r in s["requirements"]
              if r["status"] not in ("pass", "not_applicable", "waived")
              for d in r.get("documents") or []
              if d["status"] not in ("pass", "not_applicable", "waived")]
    assert len(wanted) > 20  # a level-2 system with no evidence file: every document missing
    documents = [r for r in rows if r["Loại mục"] == "Tài liệu"]
    assert [(r["Mã yêu cầu"], r["Mã kiểm tra"]) for r in documents] == [
        (req["id"], d["key"]) for req, d in wanted]
    for row, (req, d) in zip(documents, wanted, strict=True):
        assert row["Máy chủ"] == "" and row["Trạng thái"] == "Cần bằng chứng"
        assert row["Tên kiểm tra"] == d["title_vi"] and row["Tên yêu cầu"] == req["title_vi"]
        assert row["Kết quả"] == pick(d, "message", "vi") and row["Kết quả"]
    english = "".join(render_csv(doc, RenderOptions(lang="en")))
    en_rows = list(csv.DictReader(io.StringIO(english.lstrip(BOM), newline="")))
    en_docs = [r for r in en_rows if r["Row kind"] == "Document"]
    assert len(en_docs) == len(wanted)
    assert {r["Status"] for r in en_docs} == {"Evidence needed"}
    assert en_docs[0]["Result"] == wanted[0][1]["message"]


def test_junit_messages_in_the_report_language() -> None:
    doc = as_v1(failing_document())
    finding = next(f for r in doc["systems"][0]["requirements"] for f in r["findings"]
                   if f["status"] == "fail")
    finding["message"] = "PermitRootLogin is yes"
    finding["message_vi"] = "PermitRootLogin đang là yes"
    vi = ET.fromstring("".join(render_junit(doc, RenderOptions(lang="vi"))))
    en = ET.fromstring("".join(render_junit(doc, RenderOptions(lang="en"))))
    assert "PermitRootLogin đang là yes" in [e.get("message") for e in vi.iter("failure")]
    assert "PermitRootLogin is yes" in [e.get("message") for e in en.iter("failure")]
    assert "PermitRootLogin đang là yes" not in [e.get("message") for e in en.iter("failure")]
    skipped_vi = [e.get("message") or "" for e in vi.iter("skipped")]
    assert skipped_vi and not any(m.startswith(("waived:", "manual:")) for m in skipped_vi)
    assert any(m.startswith("Được miễn trừ: ") for m in skipped_vi)


def test_sarif_region_from_the_file_and_line_a_message_names(dir_scan: Path) -> None:
    sarif = json.loads((dir_scan / "results.sarif").read_text(encoding="utf-8"))
    assert sarif_errors(sarif) == []
    result = next(r for r in sarif["runs"][0]["results"] if r["ruleId"] == "password.min_length")
    doc = json.loads((dir_scan / "results.json").read_text(encoding="utf-8"))
    finding = next(f for f in all_findings(doc) if f["check"] == "password.min_length")
    assert "/etc/pam.d/common-password:25" in finding["message"]
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"] == {"uri": "etc/pam.d/common-password",
                                            "uriBaseId": "ROOT"}
    assert physical["region"] == {"startLine": 25}


def test_sarif_live_host_location_only_for_a_named_line() -> None:
    doc = as_v1(failing_document())
    finding = next(f for r in doc["systems"][0]["requirements"] for f in r["findings"]
                   if f["status"] == "fail")
    finding["message"] = ("Minimum password length is 6 (pam_unix minlen=6 (default) at "
                          "/etc/pam.d/common-password:25).")
    sarif = json.loads("".join(render_sarif(doc, RenderOptions(lang="en"))))
    assert sarif_errors(sarif) == []
    located = [r for r in sarif["runs"][0]["results"]
               if "physicalLocation" in r["locations"][0]]
    assert len(located) == 1
    physical = located[0]["locations"][0]["physicalLocation"]
    assert physical == {"artifactLocation": {"uri": "/etc/pam.d/common-password"},
                        "region": {"startLine": 25}}
    assert located[0]["locations"][0]["logicalLocations"][0]["kind"] == "host"


def test_csv_english_and_formula_cells_are_defused() -> None:
    doc = as_v1(failing_document())
    finding = doc["systems"][0]["requirements"][0]["findings"][0]
    finding["message"] = '=HYPERLINK("http://example.invalid","x")'
    finding["evidence"]["observed"] = "+1"
    text = "".join(render_csv(doc, RenderOptions(lang="en")))
    rows = list(csv.DictReader(io.StringIO(text.lstrip(BOM), newline="")))
    assert list(rows[0])[:4] == ["System", "Host", "Requirement ID", "Requirement title"]
    first = rows[0]
    assert first["Result"].startswith("'=")
    assert first["Observed"] == "'+1"
    assert {r["Status"] for r in rows} >= {"Fail", "Pass", "Waived"}


def test_results_schema_accepts_every_kind_of_document(dir_scan: Path) -> None:
    jsonschema.Draft202012Validator.check_schema(RESULTS_SCHEMA)
    assert SCHEMA == "attt.results/2" == RESULTS_SCHEMA["properties"]["schema"]["const"]
    for made in (compliant_document(), failing_document(), large_document(hosts=50)):
        written = json.loads("".join(render_json(made, RenderOptions())))
        assert results_errors(written) == []
    doc = json.loads((dir_scan / "results.json").read_text(encoding="utf-8"))
    assert results_errors(doc) == []
    # Negative controls: a wrong status, a missing key.
    broken = json.loads(json.dumps(doc))
    broken["systems"][0]["requirements"][0]["status"] = "ok"
    del broken["summary"]["score"]
    assert len(results_errors(broken)) == 2
