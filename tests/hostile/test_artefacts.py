"""Hostile artefacts read back by report, dossier, verify, history, diff and --resume
(issue 8: artefact readers): each exits 2 naming the file and the path of the bad value."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ._runs import copy_run, dump, load, scanned_run
from .conftest import assert_clean, assert_input_error, run_attt

Edit = Callable[[dict[str, Any]], None]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return scanned_run(tmp_path_factory.mktemp("artefacts"))


def _set(path: str, value: Any) -> Edit:
    def edit(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = doc
        for p in parents:
            target = target[int(p)] if p.isdigit() else target[p]
        if value is KeyError:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value
    return edit


RESULTS_EDITS = [
    ("systems.0.requirements.0.status", "hacked", "systems[0].requirements[0].status",
     "expected one of"),
    ("systems.0.requirements.0.status", KeyError, "systems[0].requirements[0].status",
     "required"),
    ("systems.0.requirements", "x", "systems[0].requirements", "expected array"),
    ("systems.0.requirements.0.counts", [], "systems[0].requirements[0].counts",
     "expected object"),
    ("systems", None, "systems", "expected array"),
    ("systems", KeyError, "systems", "required"),
    ("summary", [], "summary", "expected object"),
    ("summary.score", KeyError, "summary.score", "required"),
    ("systems.0.name", 7, "systems[0].name", "expected string"),
    ("systems.0.layers", {"<script>alert(1)</script>": {}}, "systems[0].layers", "not allowed"),
    ("summary.requirements", {"<img src=x onerror=alert(1)>": 1}, "summary.requirements",
     "not allowed"),
    ("summary.host_errors", -4, "summary.host_errors", "at least 0"),
    ("run", "x", "run", "expected object"),
    ("findings.0.results.0.status", 3, "findings[0].results[0].status", "expected one of"),
    ("findings.0.results.0.requirements", [], "findings[0].results[0].requirements",
     "at least 1"),
    ("findings.0.results.0.text", 99999, "findings[0].results[0].text", "past the end"),
    ("texts", {}, "texts", "expected array"),
]


@pytest.mark.parametrize(("path", "value", "key", "problem"), RESULTS_EDITS,
                         ids=[f"{e[0]}={e[1]!r}"[:50] for e in RESULTS_EDITS])
def test_report_checks_results_structure(tmp_path: Path, base: Path, path: str, value: Any,
                                         key: str, problem: str) -> None:
    run_dir = copy_run(base, tmp_path / "run")
    doc = load(run_dir / "results.json")
    _set(path, value)(doc)
    # Not named results.json: tests/conftest.py checks every results.json against the schema.
    dump(run_dir / "edited.results.json", doc)
    run = run_attt(["report", str(run_dir / "edited.results.json"), "-f", "json,html",
                    "-o", str(tmp_path / "out")], cwd=tmp_path)
    assert_input_error(run, "results.json", key, problem)


RAW_RESULTS = [
    ("nan", lambda t: t.replace('"percent": ', '"percent": NaN, "x": ', 1), "NaN"),
    ("infinity", lambda t: t.replace('"percent": ', '"percent": -Infinity, "x": ', 1),
     "Infinity"),
    ("huge-float", lambda t: t.replace('"percent": ', '"percent": 1e999, "x": ', 1),
     "out of range"),
    ("deep", lambda t: "[" * 100_000 + "]" * 100_000, "nested deeper"),
    ("latin1", lambda t: t.replace('"schema"', '"sch\udce9ma"', 1), "not UTF-8"),
    ("truncated", lambda t: t[: len(t) // 2], "not valid JSON at line"),
    ("not-object", lambda t: "[1, 2]", "not an attt results document"),
    ("empty", lambda t: "", "not valid JSON"),
]


@pytest.mark.parametrize(("name", "mangle", "problem"), RAW_RESULTS,
                         ids=[r[0] for r in RAW_RESULTS])
@pytest.mark.parametrize("command", ["report", "dossier"])
def test_results_text_is_strict_json(tmp_path: Path, base: Path, name: str,
                                     mangle: Callable[[str], str], problem: str,
                                     command: str) -> None:
    run_dir = copy_run(base, tmp_path / "run")
    text = mangle((run_dir / "results.json").read_text(encoding="utf-8"))
    edited = run_dir / "edited.results.json"
    edited.write_bytes(text.encode("utf-8", "surrogateescape"))
    if command == "report":
        args = ["report", str(edited), "-o", str(tmp_path / "out")]
    else:
        args = ["dossier", "-i", str(base.parent / "inv.yaml"), "--results", str(edited),
                "--check"]
    assert_input_error(run_attt(args, cwd=tmp_path), "results.json", problem)


RUN_EDITS = [
    ({"id": 5, "started": "x", "options": {}}, "id", "expected string"),
    ({"started": "x", "options": {}}, "id", "required"),
    ({"id": "r", "started": "x", "options": {"workers": 0}}, "options.workers", "at least 1"),
    ({"id": "r", "started": "x", "options": {"workers": "8"}}, "options.workers",
     "expected integer"),
    ({"id": "r", "started": "x", "options": {"connect_timeout": -1}},
     "options.connect_timeout", "more than 0"),
    ({"id": "r", "started": "x", "options": {"formats": "json"}}, "options.formats",
     "expected array"),
    ({"id": "r", "started": "x", "options": {"lang": "fr"}}, "options.lang", "expected one of"),
    ({"id": "r", "started": "x", "options": {"level": 9}}, "options.level", "at most 5"),
    ({"id": "r", "started": "x", "options": {"fail_under": 1e308 * 10}}, "", "out of range"),
    ([], "(top level)", "expected object"),
]


@pytest.mark.parametrize(("doc", "key", "problem"), RUN_EDITS,
                         ids=[str(i) for i in range(len(RUN_EDITS))])
def test_resume_checks_run_json(tmp_path: Path, base: Path, doc: Any, key: str,
                                problem: str) -> None:
    run_dir = copy_run(base, tmp_path / "run")
    text = json.dumps(doc).replace("Infinity", "1e999")
    (run_dir / "run.json").write_text(text)
    run = run_attt(["scan", "--resume", str(run_dir), "-q", "--no-network"], cwd=tmp_path)
    assert_input_error(run, "run.json", key, problem)


FINDINGS_EDITS = [
    ('{"type": "finding"}\n', "line N", "required"),
    ('{"type": "host", "key": 5, "state": "ok"}\n', "line N: key", "expected string"),
    ('{"type": "host", "key": "a/b", "state": "ok", "counts": {"pwned": 1}}\n', "line N",
     "not allowed"),
    ('{"type": "host", "key": "a/b", "state": "ok", "duration": NaN}\n', "line N", "NaN"),
    ('[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]'
     ']]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n', "line N", "nested deeper"),
    ('"just text"\n', "line N", "expected object"),
    ('{"type": "host", "key": "a\udcff", "state": "ok"}\n', "line N", "not UTF-8"),
    ("\r\n", "line N", "not valid JSON"),
    ('{"type": "host", "key": "a/b", "state": "ok", "results": [{"check": "x", '
     '"requirements": [], "status": "pass", "message": ""}]}\n',
     "line N: results[0].requirements", "at least 1"),
    ('{"type": "host", "key": "a/b", "state": "ok", "results": [{"check": "x", '
     '"requirements": ["R"], "status": "good", "message": ""}]}\n',
     "line N: results[0].status", "expected one of"),
]


@pytest.mark.parametrize(("line", "key", "problem"), FINDINGS_EDITS,
                         ids=[str(i) for i in range(len(FINDINGS_EDITS))])
def test_resume_checks_findings_lines(tmp_path: Path, base: Path, line: str, key: str,
                                      problem: str) -> None:
    run_dir = copy_run(base, tmp_path / "run")
    number = len((run_dir / "findings.jsonl").read_text().splitlines()) + 1
    key = key.replace("line N", f"line {number}")
    with open(run_dir / "findings.jsonl", "ab") as fh:
        fh.write(line.encode("utf-8", "surrogateescape"))
    run = run_attt(["scan", "--resume", str(run_dir), "-q", "--no-network"], cwd=tmp_path)
    assert_input_error(run, "findings.jsonl", key, problem)


def test_resume_still_drops_a_torn_last_line(tmp_path: Path, base: Path) -> None:
    run_dir = copy_run(base, tmp_path / "run")
    with open(run_dir / "findings.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"type": "finding", "sys')
    run = run_attt(["scan", "--resume", str(run_dir), "-q", "--no-network", "--no-history"],
                   cwd=tmp_path)
    assert_clean(run, codes={0, 1})


def _signed(tmp_path: Path, base: Path) -> Path:
    run_dir = copy_run(base, tmp_path / "run")
    keys = run_attt(["keys", "generate", "-o", str(tmp_path / "k"), "--no-passphrase"],
                    cwd=tmp_path)
    assert keys.returncode == 0, keys.output
    key = next((tmp_path / "k").glob("*.key"))
    signed = run_attt(["report", str(run_dir / "results.json"), "-f", "json",
                       "-o", str(tmp_path / "copy")], cwd=tmp_path)
    assert signed.returncode == 0, signed.output
    from attt.signing import sign_folder

    sign_folder(str(run_dir), str(key))
    return run_dir


@pytest.mark.parametrize(("name", "text", "problem"), [
    ("manifest.json", '{"files": NaN}', "NaN"),
    ("manifest.json", "[" * 5000 + "]" * 5000, "nested deeper"),
    ("manifest.json", "\xff\xfe", "not UTF-8"),
    ("manifest.sig", '{"signature": Infinity}', "Infinity"),
])
def test_verify_reads_manifests_strictly(tmp_path: Path, base: Path, name: str, text: str,
                                         problem: str) -> None:
    run_dir = _signed(tmp_path, base)
    (run_dir / name).write_bytes(text.encode("latin-1"))
    assert_input_error(run_attt(["verify", str(run_dir)], cwd=tmp_path), name, problem)


def _history(tmp_path: Path, base: Path) -> Path:
    db = tmp_path / "history.sqlite3"
    for i in range(2):
        run = run_attt(["scan", "-i", str(base.parent / "inv.yaml"), "-o",
                        str(tmp_path / f"r{i}"), "-q", "--no-network", "-f", "json"],
                       cwd=tmp_path)
        assert run.returncode in (0, 1), run.output
    return db


@pytest.mark.parametrize("command", [["history"], ["diff", "previous", "latest"]])
@pytest.mark.parametrize("content", [b"not a database at all\n" * 100, b"\x00" * 4096,
                                     b"SQLite format 3\x00" + b"\xff" * 4000])
def test_corrupt_history_database(tmp_path: Path, command: list[str], content: bytes) -> None:
    (tmp_path / "history.sqlite3").write_bytes(content)
    assert_input_error(run_attt(command, cwd=tmp_path), "history.sqlite3")


@pytest.mark.parametrize(("column", "value"), [
    ("score", "'abc'"), ("exit_code", "'x'"), ("finished", "X'00ff'"), ("run_id", "X'00ff'"),
    ("interrupted", "'maybe'"), ("score", "X'00'"),
])
@pytest.mark.parametrize("command", [["history"], ["diff", "previous", "latest"]])
def test_history_rows_of_the_wrong_type(tmp_path: Path, base: Path, column: str, value: str,
                                        command: list[str]) -> None:
    db = _history(tmp_path, base)
    with sqlite3.connect(db) as conn:
        conn.execute(f"UPDATE runs SET {column} = {value} WHERE id = 1")
    assert_input_error(run_attt(command, cwd=tmp_path), "history.sqlite3", column)


def test_diff_of_a_run_folder_with_a_bad_run_json(tmp_path: Path, base: Path) -> None:
    _history(tmp_path, base)
    (tmp_path / "r0" / "run.json").write_text('{"id": NaN}')
    run = run_attt(["diff", str(tmp_path / "r0"), "latest"], cwd=tmp_path)
    assert_input_error(run, "run.json", "NaN")


@pytest.mark.parametrize(("column", "value"), [
    ("params", "'not json'"), ("params", "'[1, 2]'"), ("params", "'{\"a\": NaN}'"),
    ("status", "X'00'"), ("message", "X'ff'"), ("host", "X'01'"),
])
def test_history_finding_rows_of_the_wrong_type(tmp_path: Path, base: Path, column: str,
                                                value: str) -> None:
    db = _history(tmp_path, base)
    with sqlite3.connect(db) as conn:
        conn.execute(f"UPDATE findings SET {column} = {value} WHERE rowid = "
                     "(SELECT min(rowid) FROM findings)")
    run = run_attt(["diff", "previous", "latest", "--json"], cwd=tmp_path)
    assert_input_error(run, "history.sqlite3", column)


DOSSIER_RESULTS = [
    ({"systems": [{"name": "anh", "requirements": "x"}]}, "systems[0].requirements",
     "expected array"),
    ({"systems": [{"name": "anh", "requirements": []}], "run": "x"}, "run", "expected object"),
    ({"systems": [{"name": "anh", "requirements": [
        {"id": "TT12.KT.MC.1", "status": "fail", "findings": [{"host": {"x": 1}}]}]}]},
     "systems[0].requirements[0].findings[0].host", "expected string"),
    ({"systems": [{"name": "anh", "requirements": [{"id": 5, "status": "fail"}]}]},
     "systems[0].requirements[0].id", "expected string"),
    ({"systems": [{"name": "anh", "requirements": [{"id": "X", "status": "<b>ok</b>"}]}]},
     "systems[0].requirements[0].status", "expected one of"),
    ({"systems": [{"name": "anh", "requirements": [{"id": "X", "status": "pass"}]}],
      "run": {"finished": 7}}, "run.finished", "expected string"),
    ({"systems": "anh"}, "systems", "expected array"),
]


@pytest.mark.parametrize(("doc", "key", "problem"), DOSSIER_RESULTS,
                         ids=[str(i) for i in range(len(DOSSIER_RESULTS))])
def test_dossier_checks_what_it_reads(tmp_path: Path, base: Path, doc: dict[str, Any],
                                      key: str, problem: str) -> None:
    path = tmp_path / "trimmed.results.json"
    dump(path, {"schema": "attt.results/1", **doc})
    run = run_attt(["dossier", "-i", str(base.parent / "inv.yaml"), "--results", str(path),
                    "--check"], cwd=tmp_path)
    assert_input_error(run, "trimmed.results.json", key, problem)
