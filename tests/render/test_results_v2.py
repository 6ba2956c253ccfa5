"""results.json version 2 and findings.jsonl format 2 (issue 12): normalised, streamed, and
still reading what older attt wrote.

Every scan here is a real ``attt scan`` of ``dir:`` hosts (a tiny tree made by the test),
every file is read back by attt's own readers and by ``jsonschema`` against the published
schema.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from attt.cli import main
from attt.errors import InputError
from attt.findings_log import FindingsLog
from attt.grading import SAMPLE_LIMIT
from attt.render.document import all_findings
from attt.results_file import read_results

ROOT = Path(__file__).resolve().parents[2]
SCHEMA_V2 = json.loads((ROOT / "schemas" / "attt.results-2.schema.json").read_text("utf-8"))
V1 = ROOT / "tests" / "fixtures" / "results-v1"


def tree(path: Path) -> Path:
    (path / "etc" / "ssh").mkdir(parents=True)
    (path / "etc" / "ssh" / "sshd_config").write_text("PermitRootLogin yes\n")
    (path / "etc" / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    return path


def inventory(path: Path, root: Path, hosts: int, level: int = 2) -> Path:
    lines = ["systems:", "  - name: cong-thong-tin", "    owner: So TTTT",
             "    operating_unit: Trung tam CDS", "    regime: nd85-tt12",
             f"    level: {level}", "    hosts:"]
    lines += [f"      - {{name: may-{i:03d}, transport: dir, path: {root}}}"
              for i in range(hosts)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def scan(tmp: Path, hosts: int, formats: str = "json", *extra: str,
         db: Path | None = None) -> Path:
    root = tmp / "root"
    if not root.exists():
        tree(root)
    inv = inventory(tmp / f"inv-{hosts}.yaml", root, hosts)
    out = tmp / f"run-{hosts}"
    history = ["--db", str(db)] if db else ["--no-history"]
    result = CliRunner().invoke(main, ["scan", "-i", str(inv), "--no-network", "-q", *history,
                                       "-f", formats, "-o", str(out), *extra])
    assert result.exit_code in (0, 1, 3), result.output
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    tmp = tmp_path_factory.mktemp("v2")
    return {n: scan(tmp, n, "json,html,junit,csv,sarif") for n in (2, 30)}


def test_results_json_is_valid_against_the_published_schema(runs: dict[int, Path]) -> None:
    doc = json.loads((runs[30] / "results.json").read_text("utf-8"))
    jsonschema.validate(doc, SCHEMA_V2)
    assert doc["schema"] == "attt.results/2"
    assert len(doc["findings"]) == 30  # one entry per host


def test_check_texts_are_written_once(runs: dict[int, Path]) -> None:
    text = (runs[30] / "results.json").read_text("utf-8")
    doc = json.loads(text)
    title = doc["checks"]["ssh.root_login_disabled"]["title_vi"]
    remediation = doc["checks"]["ssh.root_login_disabled"]["remediation_en"]
    assert text.count(json.dumps(title, ensure_ascii=False)) == 1
    assert text.count(json.dumps(remediation, ensure_ascii=False)) == 1


def test_results_json_grows_by_far_less_than_25_kb_per_host(runs: dict[int, Path]) -> None:
    small = (runs[2] / "results.json").stat().st_size
    large = (runs[30] / "results.json").stat().st_size
    per_host = (large - small) / 28
    assert per_host < 25 * 1024, per_host


def test_every_finding_is_kept_and_read_back(runs: dict[int, Path]) -> None:
    log = list(FindingsLog(str(runs[30])).findings())
    doc = read_results(str(runs[30] / "results.json"))
    read = all_findings(doc)
    assert len(read) == len(log) > 30
    key = [(f.host, f.requirement_id, f.check_id, f.status.value, f.message) for f in log]
    got = [(f["host"], f["requirement"], f["check"], f["status"], f["message"]) for f in read]
    assert sorted(got) == sorted(key)
    root_login = [f for f in read if f["check"] == "ssh.root_login_disabled"]
    assert {f["status"] for f in root_login} == {"fail"}
    assert all(f["evidence"].get("observed") for f in root_login)


def test_requirement_counts_match_the_findings(runs: dict[int, Path]) -> None:
    doc = read_results(str(runs[30] / "results.json"))
    for req in doc["systems"][0]["requirements"]:
        found = [f for f in all_findings(doc) if f["requirement"] == req["id"]]
        statuses = [f["status"] for f in found]
        assert req["counts"] == {s: statuses.count(s) for s in set(statuses)}, req["id"]


def test_report_rerenders_the_same_files(runs: dict[int, Path], tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["report", str(runs[30] / "results.json"), "-f",
                                       "json,junit,csv,sarif", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for name in ("results.json", "results.sarif"):
        assert (json.loads((tmp_path / name).read_text("utf-8"))
                == json.loads((runs[30] / name).read_text("utf-8"))), name
    for name in ("junit.xml", "results.csv"):
        assert (tmp_path / name).read_bytes() == (runs[30] / name).read_bytes(), name


def test_junit_names_each_requirement_title_once_per_suite(runs: dict[int, Path]) -> None:
    text = (runs[30] / "junit.xml").read_text("utf-8")
    doc = json.loads((runs[30] / "results.json").read_text("utf-8"))
    req = next(r for r in doc["systems"][0]["requirements"] if r["counts"].get("fail"))
    assert text.count(f'value="{req["title_vi"]}"') == 1
    assert text.count(f'classname="cong-thong-tin.may-029" name="{req["id"]} ') >= 1


def test_html_has_one_anchor_per_host_and_a_detail_for_failing_ones(
        runs: dict[int, Path]) -> None:
    html = (runs[30] / "report.html").read_text("utf-8")
    for i in range(30):
        assert f'id="s0-h{i}"' in html
        # Every host fails PermitRootLogin: its row links to its detail, which exists.
        assert f'href="#s0-h{i}-d"' in html and f'id="s0-h{i}-d"' in html
    assert "ssh.root_login_disabled" in html.split('id="s0-h29-d"', 1)[1].split("</details>")[0]


def test_grading_keeps_a_bounded_sample_and_counts_everything(tmp_path: Path) -> None:
    out = scan(tmp_path, SAMPLE_LIMIT + 20)
    doc = read_results(str(out / "results.json"))
    req = next(r for r in doc["systems"][0]["requirements"]
               if r["counts"].get("fail", 0) >= SAMPLE_LIMIT + 20)
    assert len([f for f in req["sample"] if f["status"] == "fail"]) == SAMPLE_LIMIT


def _v1_copy(tmp: Path) -> Path:
    folder = tmp / "v1"
    shutil.copytree(V1, folder)
    return folder


def test_a_version_1_results_file_is_still_rendered(tmp_path: Path) -> None:
    folder = _v1_copy(tmp_path)
    old = json.loads((folder / "results.json").read_text("utf-8"))
    assert old["schema"] == "attt.results/1"
    out = tmp_path / "again"
    result = CliRunner().invoke(main, ["report", str(folder / "results.json"), "-f",
                                       "json,html,csv", "-o", str(out)])
    assert result.exit_code == 0, result.output
    new = json.loads((out / "results.json").read_text("utf-8"))
    jsonschema.validate(new, SCHEMA_V2)
    old_findings = sorted((f["host"], f["requirement"], f["check"], f["status"])
                          for s in old["systems"] for r in s["requirements"]
                          for f in r["findings"])
    new_findings = sorted((f["host"], f["requirement"], f["check"], f["status"])
                          for f in all_findings(new))
    assert new_findings == old_findings
    assert new["systems"][0]["score"] == old["systems"][0]["score"]
    assert "PermitRootLogin" in (out / "report.html").read_text("utf-8")


def test_diff_against_a_run_recorded_from_a_version_1_file(tmp_path: Path) -> None:
    """The history keeps runs recorded before version 2: `attt diff` compares a new run with
    them."""

    from attt import history

    db = tmp_path / "history.sqlite3"
    folder = _v1_copy(tmp_path)
    history.record(read_results(str(folder / "results.json")), str(folder), str(db))
    root = tree(tmp_path / "root")
    (root / "etc" / "ssh" / "sshd_config").write_text("PermitRootLogin no\n")
    inv = tmp_path / "v1inv.yaml"
    inv.write_text((V1 / "v1inv.yaml").read_text("utf-8").replace("/tmp/tinyroot", str(root)))
    doc_path = tmp_path / "new"
    result = CliRunner().invoke(main, ["scan", "-i", str(inv), "--no-network", "-q", "--db",
                                       str(db), "-f", "json", "-o", str(doc_path)])
    assert result.exit_code in (0, 1), result.output
    result = CliRunner().invoke(main, ["diff", "1", "2", "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    diff = json.loads(result.output)
    fixed = {(c["host"], c["check"]) for c in diff["fixed"]}
    assert ("may-a", "ssh.root_login_disabled") in fixed
    assert ("may-b", "ssh.root_login_disabled") in fixed


def test_resume_of_a_format_1_findings_log(tmp_path: Path) -> None:
    """An interrupted run written by older attt: the host it finished is kept, the other is
    scanned, and each appears exactly once."""

    folder = _v1_copy(tmp_path)
    root = tree(tmp_path / "tinyroot")
    inv = tmp_path / "inv.yaml"
    inv.write_text((V1 / "v1inv.yaml").read_text("utf-8").replace("/tmp/tinyroot", str(root)))
    meta = json.loads((folder / "run.json").read_text("utf-8"))
    meta["options"]["inventory"] = str(inv)
    meta["options"]["out"] = str(folder)
    (folder / "run.json").write_text(json.dumps(meta))
    lines = (folder / "findings.jsonl").read_text("utf-8").splitlines(keepends=True)
    first_host = next(i for i, line in enumerate(lines) if '"type": "host"' in line)
    (folder / "findings.jsonl").write_text("".join(lines[: first_host + 1]))
    (folder / "results.json").unlink()
    result = CliRunner().invoke(main, ["scan", "--resume", str(folder), "-q"])
    assert result.exit_code in (0, 1), result.output
    records = FindingsLog(str(folder)).read()
    assert sorted(records) == ["cong-thong-tin/may-a", "cong-thong-tin/may-b"]
    doc = json.loads((folder / "results.json").read_text("utf-8"))
    assert sorted(e["host"] for e in doc["findings"]) == ["may-a", "may-b"]


def _edit_finding_line(path: Path, edit: Any) -> None:
    lines = path.read_text("utf-8").splitlines()
    # The first findings line (host rows before it are one per line too).
    at = next(i for i, line in enumerate(lines) if line.strip() == '"findings": [') + 1
    entry = json.loads(lines[at].strip().rstrip(","))
    edit(entry)
    lines[at] = "  " + json.dumps(entry, ensure_ascii=False) + ","
    path.write_text("\n".join(lines) + "\n", "utf-8")


def test_a_bad_text_index_names_the_file_and_key(runs: dict[int, Path],
                                                 tmp_path: Path) -> None:
    # Not named results.json: tests/conftest.py checks every results.json against the schema.
    path = tmp_path / "edited.results.json"
    shutil.copy(runs[2] / "results.json", path)
    _edit_finding_line(path, lambda e: e["results"][0].update(text=99999))
    with pytest.raises(InputError) as err:
        read_results(str(path))
    assert err.value.key == "findings[0].results[0].text"
    assert str(err.value.source) == str(path)


def test_a_bad_status_in_a_findings_line_names_the_key(runs: dict[int, Path],
                                                       tmp_path: Path) -> None:
    path = tmp_path / "edited.results.json"
    shutil.copy(runs[2] / "results.json", path)
    _edit_finding_line(path, lambda e: e["results"][0].update(status="passed"))
    result = CliRunner().invoke(main, ["report", str(path), "-f", "json", "-o",
                                       str(tmp_path / "out"), "--lang", "en"])
    assert result.exit_code == 2
    assert "findings[0].results[0].status" in result.output
    assert "Traceback" not in result.output


def test_history_keeps_every_finding_while_secrets_are_masked(tmp_path: Path) -> None:
    """With a secret registered, the history's safety-net masking used to turn the streamed
    document into a plain mapping and record no finding at all."""

    from attt import redact

    redact.register("s3cret-value-for-the-test", "test")
    try:
        out = scan(tmp_path, 3, "json", db=tmp_path / "h.sqlite3")
    finally:
        redact.clear()
    with sqlite3.connect(tmp_path / "h.sqlite3") as conn:
        (rows,) = conn.execute("SELECT COUNT(*) FROM findings").fetchone()
    assert rows == len(all_findings(read_results(str(out / "results.json")))) > 0


def test_a_results_file_cut_at_a_line_boundary_is_refused(runs: dict[int, Path],
                                                          tmp_path: Path) -> None:
    """A copy stopped by a full disk between two hosts: without the closing bracket the file
    is refused, never read as a run with fewer hosts."""

    path = tmp_path / "cut.results.json"
    lines = (runs[30] / "results.json").read_text("utf-8").splitlines(keepends=True)
    last_host = max(i for i, line in enumerate(lines) if line.startswith('  {"system"'))
    path.write_text("".join(lines[:last_host]), "utf-8")
    result = CliRunner().invoke(main, ["report", str(path), "-f", "json", "-o",
                                       str(tmp_path / "out"), "--lang", "vi"])
    assert result.exit_code == 2, result.output
    assert "findings" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out" / "results.json").exists()


def test_bytes_that_are_not_utf8_in_a_findings_line_name_the_line(runs: dict[int, Path],
                                                                  tmp_path: Path) -> None:
    path = tmp_path / "bad.results.json"
    data = (runs[2] / "results.json").read_bytes()
    at = data.index(b'"host": "may-001"')
    path.write_bytes(data[:at] + b'"host": "may-\xff01"' + data[at + len(b'"host": "may-001"'):])
    result = CliRunner().invoke(main, ["report", str(path), "-f", "json", "-o",
                                       str(tmp_path / "out"), "--lang", "en"])
    assert result.exit_code == 2, result.output
    # Hosts are written in the order they finished: may-001's line is found, not assumed.
    line = data[data.index(b'"findings": ['):at].count(b"\n") - 1
    assert f"findings[{line}]" in result.output and "not UTF-8" in result.output


def test_host_rows_are_written_one_per_line_and_read_back(runs: dict[int, Path]) -> None:
    text = (runs[30] / "results.json").read_text("utf-8")
    head = text[: text.index('"findings": [')]
    rows = [json.loads(line.strip().rstrip(",")) for line in head.splitlines()
            if line.startswith('  {"')]
    doc = json.loads(text)
    hosts = [h for s in doc["systems"] for h in s["hosts"]]
    assert len(hosts) == 30 and rows == hosts
    assert {h["name"] for h in hosts} == {f"may-{i:03d}" for i in range(30)}
