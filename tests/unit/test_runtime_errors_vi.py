"""Runtime errors and the remaining command-line text in both languages (issue 10): each
module's real error, provoked here, reads in Vietnamese with every msgid translated, and its
``str()`` stays the English text that logs and CI greps rely on."""

from __future__ import annotations

import json
import os
import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from attt import artefacts, history, level_suggest, results_file, run_folder, safe_io, scan, signing
from attt.cli import main
from attt.errors import AtttError
from attt.messages import Msg, render, untranslated

# Words that only an English sentence has: none may survive in a Vietnamese rendering.
ENGLISH_WORDS = (" the ", " not ", " cannot ", " expected ", " got ", " no ", " is ",
                 " would ", " via ", "Article", "Decree")


def _has_words(template: str) -> bool:
    """Whether a template has text to translate: "{where}: {problem}" (errors.InputError)
    has none, its translation is itself, and untranslated() cannot tell it apart."""

    return any(c.isalpha() for c in re.sub(r"\{[^}]*\}", "", template))


def _bilingual(message: str | Msg, english: str) -> str:
    """The Vietnamese rendering, after checking it is a translated message whose English
    text contains ``english``."""

    assert isinstance(message, Msg), f"plain text, not a message: {message!r}"
    assert [i for i in untranslated(message) if _has_words(i)] == []
    assert english in render(message, "en")
    vi = render(message, "vi")
    assert vi != render(message, "en")
    assert not [w for w in ENGLISH_WORDS if w in f" {vi} "], vi
    return vi


def _error(exc: AtttError, english: str) -> str:
    assert english in str(exc)
    return _bilingual(exc.message, english)


# --------------------------------------------------------------------------- signing


def test_key_file_that_is_not_a_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.key"
    bad.write_text("hello\n")
    with pytest.raises(AtttError) as caught:
        signing.load_private_key(str(bad), None)
    assert "không nạp được khóa bí mật" in _error(caught.value, "cannot load the private key")
    with pytest.raises(AtttError) as caught:
        signing.load_public_key(str(bad))
    _error(caught.value, "not a PEM public key")


def test_missing_key_file_names_what_it_is(tmp_path: Path) -> None:
    with pytest.raises(AtttError) as caught:
        signing.load_private_key(str(tmp_path / "none.key"), None)
    assert "không tìm thấy khóa bí mật" in _error(caught.value, "private key not found")


def test_wrong_or_missing_passphrase(tmp_path: Path) -> None:
    pair = signing.generate_keys(str(tmp_path), b"correct horse")
    with pytest.raises(AtttError) as caught:
        signing.load_private_key(pair.private_path, b"wrong")
    _error(caught.value, "wrong passphrase")
    with pytest.raises(AtttError) as caught:
        signing.load_private_key(pair.private_path, None)
    _error(caught.value, "needs a passphrase")
    with pytest.raises(AtttError) as caught:
        signing.generate_keys(str(tmp_path), b"correct horse")
    _error(caught.value, "exists already")
    with pytest.raises(AtttError) as caught:
        signing.generate_keys(str(tmp_path), None, name=".hidden")
    _error(caught.value, "expected a plain file name")


def _signed(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "report.txt").write_text("Đạt\n", encoding="utf-8")
    pair = signing.generate_keys(str(tmp_path / "keys"), None)
    signing.sign_folder(str(folder), pair.private_path)
    return folder, Path(pair.public_path)


def test_unsigned_and_malformed_folders(tmp_path: Path) -> None:
    with pytest.raises(AtttError) as caught:
        signing.verify_folder(str(tmp_path / "nowhere"))
    _error(caught.value, "not a folder")
    with pytest.raises(AtttError) as caught:
        signing.verify_folder(str(tmp_path))
    _error(caught.value, "the folder is not signed")
    folder, _ = _signed(tmp_path)
    (folder / "manifest.sig").write_text("[]")
    with pytest.raises(AtttError) as caught:
        signing.verify_folder(str(folder))
    _error(caught.value, "not a JSON object")


def test_tampered_folder_problems_in_both_languages(tmp_path: Path) -> None:
    folder, _ = _signed(tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"]["../outside.txt"] = {"sha256": "0" * 64, "size": 1}
    manifest["key_fingerprint"] = "SHA256:" + "0" * 64
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = signing.verify_folder(str(folder))
    assert not result.ok and len(result.problems) == 2
    texts = [_bilingual(p, "the manifest") for p in result.problems]
    assert any("../outside.txt" in t for t in texts)
    del manifest["public_key"]
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (problem,) = signing.verify_folder(str(folder)).problems
    _bilingual(problem, "malformed manifest or signature")


def test_verify_command_prints_the_problem_in_vietnamese(tmp_path: Path) -> None:
    folder, key = _signed(tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"] = []
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    res = CliRunner().invoke(main, ["verify", str(folder), "--key", str(key)],
                             env={"ATTT_LANG": "vi"})
    assert res.exit_code == 1, res.output
    assert "VẤN ĐỀ  manifest.json không liệt kê tệp nào" in res.stdout
    assert "the manifest lists no files" not in res.stdout


def test_bundle_refuses_a_special_file(tmp_path: Path) -> None:
    folder, _ = _signed(tmp_path)
    os.mkfifo(folder / "pipe")
    pair = signing.generate_keys(str(tmp_path / "other"), None)
    with pytest.raises(AtttError) as caught:
        signing.sign_folder(str(folder), pair.private_path)
    _error(caught.value, "a bundle holds files only")


# --------------------------------------------------------------------------- history


def test_history_path_that_is_a_folder_or_missing(tmp_path: Path) -> None:
    with pytest.raises(AtttError) as caught:
        history.list_runs(str(tmp_path))
    _error(caught.value, "the history database must be a file")
    with pytest.raises(AtttError) as caught:
        history.list_runs(str(tmp_path / "none.sqlite3"))
    _error(caught.value, "no history database here")


def test_history_database_that_is_not_one(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    db.write_bytes(b"this is no SQLite database" * 100)
    with pytest.raises(history.HistoryError) as caught:
        history.list_runs(str(db))
    vi = _error(caught.value, "the history database cannot be used")
    assert vi.startswith(f"{db}: không sử dụng được cơ sở dữ liệu lịch sử")


def test_history_database_from_a_newer_attt(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 999")
    conn.close()
    with pytest.raises(history.HistoryError) as caught:
        history.list_runs(str(db))
    _error(caught.value, "written by a newer attt")


def test_history_command_error_is_vietnamese_then_english(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    db.write_bytes(b"this is no SQLite database" * 100)
    res = CliRunner().invoke(main, ["history", "--db", str(db)], env={"ATTT_LANG": "vi"})
    assert res.exit_code == 2
    lines = res.stderr.splitlines()
    assert len(lines) == 2, lines
    assert "không sử dụng được cơ sở dữ liệu lịch sử" in lines[0]
    assert "the history database cannot be used" in lines[1]


def test_unknown_run(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    with history.connect(str(db)):
        pass
    with pytest.raises(AtttError) as caught, history.connect(str(db)) as conn:
        history.resolve(conn, "no-such-run")
    _error(caught.value, "no such run in the history")


# --------------------------------------------------------------------------- artefacts


@pytest.mark.parametrize(("text", "english"), [
    ("{", "not valid JSON at line 1"),
    ('{"schema": "attt.results/1", "x": NaN}', "NaN is not a JSON number"),
    ('{"x": 1e999}', "1e999 is out of range"),
    ("[" * 100 + "]" * 100, "JSON nested deeper than 64 levels"),
    ('{"schema": "other"}', "not an attt results document"),
    ('{"schema": "attt.results/1"}', "required key missing"),
])
def test_bad_results_json(tmp_path: Path, text: str, english: str) -> None:
    path = tmp_path / "results.json"
    path.write_text(text)
    with pytest.raises(AtttError) as caught:
        results_file.read_results(str(path))
    _error(caught.value, english)


def test_results_json_with_wrong_types(tmp_path: Path) -> None:
    good = json.loads(_scanned_results(tmp_path))
    cases = [
        (("systems", 0, "requirements", 0, "status"), "bogus", "expected one of"),
        (("systems", 0, "name"), ["a"], "got a list"),
        (("systems", 0, "level"), 9, "expected at most 5, got 9"),
        (("systems", 0, "level"), None, "expected integer, got null"),
        (("systems", 0, "name"), "", "expected at least 1 characters"),
    ]
    for path_keys, value, english in cases:
        doc = json.loads(json.dumps(good))
        target = doc
        for key in path_keys[:-1]:
            target = target[key]
        target[path_keys[-1]] = value
        with pytest.raises(AtttError) as caught:
            artefacts.check_results(doc, "results.json")
        _error(caught.value, english)


def _scanned_results(tmp_path: Path) -> str:
    root = tmp_path / "rootfs"
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "os-release").write_text('ID=ubuntu\nVERSION_ID="22.04"\n')
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["scan", "-t", f"dir:{root}", "-o", str(out), "-f", "json",
                                    "-q", "--no-network", "--no-history"])
    assert res.exit_code in (0, 1, 3), res.output
    return (out / "results.json").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- files, folders


def test_special_file_and_folder_in_the_way(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(AtttError) as caught:
        safe_io.read_text(str(fifo), 100)
    assert "(một tệp FIFO)" in _error(caught.value, "not a regular file (a FIFO)")
    with pytest.raises(AtttError) as caught:
        safe_io.read_text(str(tmp_path), 100)
    _error(caught.value, "a folder")
    big = tmp_path / "big"
    big.write_bytes(b"\xff" * 10)
    with pytest.raises(AtttError) as caught:
        safe_io.read_text(str(big), 100)
    _error(caught.value, "not UTF-8 text")
    with pytest.raises(AtttError) as caught:
        run_folder.make_folder(str(big))
    _error(caught.value, "exists and is not a folder")


# --------------------------------------------------------------------------- scan


def test_dry_run_comment_lines_are_messages(tmp_path: Path) -> None:
    lines = scan.dry_run(scan.ScanOptions(target=f"dir:{tmp_path}", network=False))
    assert len(lines) == 2
    assert "1 máy chủ sẽ được thu thập" in _bilingual(lines[0], "1 host(s) would be collected")
    assert f"{tmp_path}" in _bilingual(lines[1], "# host")


def test_dry_run_command_prints_vietnamese(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["scan", "--dry-run", "-t", f"dir:{tmp_path}",
                                    "--no-network"], env={"ATTT_LANG": "vi"})
    assert res.exit_code == 0, res.output
    assert res.stdout.startswith("# 1 máy chủ sẽ được thu thập dữ liệu")
    assert "would be collected" not in res.stdout


@pytest.mark.parametrize(("options", "english"), [
    ({"lang": "fr"}, "expected vi or en"),
    ({"formats": ("nope",)}, "unknown format"),
    ({"target": "dir:/nonexistent-attt"}, "no such directory"),
    ({"hosts": "zz*"}, "matches no host of the inventory"),
    ({"network_only": True, "network": False}, "needs an inventory and network checks"),
])
def test_scan_option_errors(tmp_path: Path, options: dict[str, object], english: str) -> None:
    base: dict[str, object] = {"target": f"dir:{tmp_path}"}
    opts = scan.ScanOptions(**{**base, **options})  # type: ignore[arg-type]
    with pytest.raises(AtttError) as caught:
        scan.dry_run(opts)
    _error(caught.value, english)


# --------------------------------------------------------------------------- level suggest


def test_criterion_references_follow_the_language() -> None:
    result = level_suggest.suggest(level_suggest.Answers(
        system_type="citizen_business", information=("personal",), users=10_000))
    refs = [c.citation for c in result.nd85.basis + result.nd331.basis]
    assert refs
    for ref in refs:
        assert "Điều" not in render(ref, "en") and "Nghị định" not in render(ref, "en")
        _bilingual(ref, " of Decree ")
    texts = {render(c.citation, "vi") for c in result.nd85.basis}
    assert "điểm c khoản 2 Điều 9 Nghị định 85/2016/NĐ-CP" in texts
    english = {render(c.citation, "en") for c in result.nd85.basis}
    assert "Article 9(2)(c) of Decree 85/2016/ND-CP" in english


def test_level_suggest_in_english_has_no_vietnamese() -> None:
    res = CliRunner().invoke(main, ["level", "suggest", "--lang", "en", "--system-type",
                                    "citizen_business", "--information", "personal",
                                    "--users", "10000"])
    assert res.exit_code == 0, res.output
    assert "Article 9(2)(c) of Decree 85/2016/ND-CP" in res.stdout
    assert not any(w in res.stdout for w in ("Điều", "khoản", "Nghị định", "Hệ thống"))
    res = CliRunner().invoke(main, ["level", "suggest", "--lang", "vi", "--system-type",
                                    "citizen_business", "--information", "personal",
                                    "--users", "10000"])
    assert "điểm c khoản 2 Điều 9 Nghị định 85/2016/NĐ-CP" in res.stdout
    assert "Article" not in res.stdout


def test_level_suggest_answer_errors(tmp_path: Path) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text("scope: planet\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["level", "suggest", "--answers", str(answers)],
                             env={"ATTT_LANG": "vi"})
    assert res.exit_code == 2
    first, second = res.stderr.splitlines()
    assert f"{answers}: scope" in first and "got" not in first
    assert "expected one of unit, sector_or_province" in second
