"""History for real: scans into a SQLite file, `attt history`, `attt diff`, the trend."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from attt import history
from attt.cli import main
from attt.render.document import all_findings


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def make_rootfs(root: Path) -> Path:
    (root / "etc/ssh").mkdir(parents=True)
    (root / "etc/ssh/sshd_config").write_text("PermitRootLogin no\nPasswordAuthentication no\n")
    (root / "etc/login.defs").write_text("PASS_MAX_DAYS 90\nPASS_MIN_LEN 12\n")
    return root


def set_root_login(root: Path, value: str) -> None:
    (root / "etc/ssh/sshd_config").write_text(
        f"PermitRootLogin {value}\nPasswordAuthentication no\n"
    )


def scan(rootfs: Path, out: Path, db: Path, *extra: str) -> dict[str, object]:
    res = run("scan", "-t", f"dir:{rootfs}", "-o", str(out), "-q", "--db", str(db),
              "-f", "html,json", *extra)
    assert res.exit_code in (0, 1, 3), res.output
    doc: dict[str, object] = json.loads((out / "results.json").read_text())
    return doc


def test_three_scans_with_a_change_between(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    rootfs = make_rootfs(tmp_path / "rootfs")
    first = scan(rootfs, tmp_path / "r1", db)
    set_root_login(rootfs, "yes")  # the regression
    second = scan(rootfs, tmp_path / "r2", db)
    set_root_login(rootfs, "no")  # and its fix
    third = scan(rootfs, tmp_path / "r3", db)

    # The database holds the three runs with per-host, per-requirement and per-finding rows.
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 3
        assert conn.execute("SELECT COUNT(DISTINCT run) FROM host_states").fetchone()[0] == 3
        statuses = conn.execute(
            "SELECT r.run_id, q.status FROM requirement_statuses q JOIN runs r ON r.id = q.run"
            " WHERE q.requirement = 'TT12.KT.MC.2' ORDER BY r.id"
        ).fetchall()
        assert [s for _, s in statuses][1] == "fail"
        rows = conn.execute(
            "SELECT status, params_hash, evidence_hash FROM findings"
            " WHERE check_id = 'ssh.root_login_disabled' ORDER BY run"
        ).fetchall()
        assert [r[0] for r in rows] == ["pass", "fail", "pass"]
        assert len({r[1] for r in rows}) == 1  # same key across runs
        assert rows[0][2] != rows[1][2]

    # The report of each run carries the trend against the one before.
    assert first["trend"] == {"adhoc": {"previous": None}}
    t2 = second["trend"]["adhoc"]  # type: ignore[index]
    assert t2["previous"]["run_id"] == first["run"]["id"]  # type: ignore[index]
    assert t2["new_failures"] >= 1 and t2["fixed"] == 0
    t3 = third["trend"]["adhoc"]  # type: ignore[index]
    assert t3["fixed"] >= 1 and t3["new_failures"] == 0
    assert t3["delta"] == pytest.approx(
        third["systems"][0]["score"]["percent"]  # type: ignore[index]
        - second["systems"][0]["score"]["percent"],  # type: ignore[index]
        abs=0.11,
    )
    html = (tmp_path / "r2/report.html").read_text()
    assert "So với lần quét trước" in html and 'data-new-failures="' in html

    # attt history lists them newest first.
    res = run("history", "--db", str(db), "--json")
    listed = json.loads(res.output)
    assert [r["run_id"] for r in listed] == [
        third["run"]["id"], second["run"]["id"], first["run"]["id"]  # type: ignore[index]
    ]
    text = run("history", "--db", str(db), "--system", "adhoc", "--limit", "2").output
    assert str(third["run"]["id"]) in text and str(first["run"]["id"]) not in text  # type: ignore[index]

    # attt diff names the regression, then the fix (by number, run id and run folder).
    res = run("diff", "1", "2", "--db", str(db))
    assert res.exit_code == 0
    new_block = res.output.split("Mục mới không đạt:")[1].split("Đã khắc phục:")[0]
    assert "adhoc/rootfs  TT12.KT.MC.2  ssh.root_login_disabled  Đạt -> Không đạt" in new_block
    english = CliRunner(env={"ATTT_LANG": "en"}).invoke(main, [
        "diff", str(second["run"]["id"]), str(tmp_path / "r3"), "--db", str(db)])  # type: ignore[index]
    fixed_block = english.output.split("Fixed:")[1].split("Newly applicable:")[0]
    assert "ssh.root_login_disabled  Fail -> Pass" in fixed_block
    data = json.loads(run("diff", "previous", "latest", "--db", str(db), "--json").output)
    assert [c["check"] for c in data["fixed"]] == ["ssh.root_login_disabled"]
    assert data["new_failures"] == []


def test_diff_categories() -> None:
    def item(check: str, status: str, ev: str = "e") -> history.Item:
        return history.Item("s", "h", "R", check, "p", status, ev)

    old = {i.key: i for i in [item("a", "pass"), item("b", "fail"), item("c", "not_applicable"),
                               item("d", "pass", "e1"), item("e", "pass"), item("g", "error")]}
    new = {i.key: i for i in [item("a", "fail"), item("b", "pass"), item("c", "pass"),
                               item("d", "pass", "e2"), item("f", "fail"), item("g", "waived")]}
    d = history.compare(old, new)
    names = {cat: [c.item.check for c in getattr(d, cat)] for cat in history.Diff.CATEGORIES}
    assert names == {
        "new_failures": ["a", "f"],
        "fixed": ["b"],
        "newly_applicable": ["c", "f"],
        "no_longer_applicable": ["e"],
        "status_changes": ["g"],
        "changed_evidence": ["d"],
    }


def test_params_are_part_of_the_key(tmp_path: Path) -> None:
    doc = {"systems": [{"name": "s", "requirements": [{"id": "R", "findings": [
        {"system": "s", "host": "h", "requirement": "R", "check": "c", "params": {"min": 8},
         "status": "pass", "evidence": {}},
        {"system": "s", "host": "h", "requirement": "R", "check": "c", "params": {"min": 12},
         "status": "fail", "evidence": {}},
    ]}]}]}
    assert len(history.items_of(doc)) == 2


def test_database_failure_never_loses_the_report(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the database folder should be")
    rootfs = make_rootfs(tmp_path / "rootfs")
    out = tmp_path / "run"
    res = run("scan", "-t", f"dir:{rootfs}", "-o", str(out), "-q",
              "--db", str(blocker / "h.sqlite3"))
    assert res.exit_code in (0, 1), res.output
    assert (out / "report.html").is_file() and (out / "results.json").is_file()
    # cli.py's log handler writes to stderr, which CliRunner captures with the output.
    assert "history: run not recorded" in res.output
    assert json.loads((out / "results.json").read_text())["trend"] == {"adhoc": {"previous": None}}
    # A file that is not a database: no trend, no record, the report all the same.
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"this is not an SQLite database" * 100)
    res = run("scan", "-t", f"dir:{rootfs}", "-o", str(tmp_path / "run2"), "-q",
              "--db", str(garbage))
    assert res.exit_code in (0, 1), res.output
    assert "history: no trend" in res.output and "history: run not recorded" in res.output
    doc = json.loads((tmp_path / "run2/results.json").read_text())
    assert "trend" not in doc and (tmp_path / "run2/report.html").is_file()


def test_no_history_and_unknown_runs(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    rootfs = make_rootfs(tmp_path / "rootfs")
    scan(rootfs, tmp_path / "r0", db, "--no-history")
    assert not db.exists()
    res = run("history", "--db", str(db))
    assert res.exit_code == 2 and "no history database" in res.output
    scan(rootfs, tmp_path / "r1", db)
    res = run("diff", "1", "99", "--db", str(db))
    assert res.exit_code == 2 and "no such run" in res.output


def test_resumed_run_replaces_its_rows(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    rootfs = make_rootfs(tmp_path / "rootfs")
    doc = scan(rootfs, tmp_path / "r1", db)
    history.record(doc, str(tmp_path / "r1"), str(db))  # the same run recorded again
    runs = history.list_runs(str(db))
    assert len(runs) == 1 and runs[0].run_id == doc["run"]["id"]  # type: ignore[index]


def test_three_scans_of_the_local_machine(tmp_path: Path) -> None:
    """The local machine as it is, three times: every run recorded, trend chained."""

    db = tmp_path / "local.sqlite3"
    docs = []
    for n in range(3):
        out = tmp_path / f"local{n}"
        res = run("scan", "-t", "local", "-o", str(out), "-q", "--db", str(db), "-f", "json")
        assert res.exit_code in (0, 1, 3), res.output
        docs.append(json.loads((out / "results.json").read_text()))
    runs = history.list_runs(str(db))
    assert [r.run_id for r in runs] == [d["run"]["id"] for d in reversed(docs)]
    system = docs[0]["systems"][0]["name"]
    assert docs[0]["trend"][system]["previous"] is None
    assert docs[2]["trend"][system]["previous"]["run_id"] == docs[1]["run"]["id"]
    # Nothing was changed between the runs: no new failure, nothing fixed.
    diff = history.diff_runs("1", "3", str(db))
    assert not diff.new_failures and not diff.fixed
    assert diff.a is not None and diff.b is not None


def test_diff_prints_finding_messages_in_the_cli_language(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    rootfs = make_rootfs(tmp_path / "rootfs")
    scan(rootfs, tmp_path / "r1", db)
    set_root_login(rootfs, "yes")
    second = scan(rootfs, tmp_path / "r2", db)
    finding = next(f for f in all_findings(second)
                   if f["check"] == "ssh.root_login_disabled")
    vi = run("diff", "1", "2", "--db", str(db)).output
    assert finding["message_vi"][:60] in vi and finding["message"][:60] not in vi
    en = CliRunner(env={"ATTT_LANG": "en"}).invoke(main, ["diff", "1", "2", "--db", str(db)])
    assert finding["message"][:60] in en.output


def test_a_schema_1_database_gains_the_vietnamese_column(tmp_path: Path) -> None:
    """A database written before messages were translated keeps its runs and records new ones."""

    db = tmp_path / "h.sqlite3"
    rootfs = make_rootfs(tmp_path / "rootfs")
    scan(rootfs, tmp_path / "r1", db)
    with sqlite3.connect(db) as conn:  # make it what attt 0.1 with schema 1 wrote
        conn.execute("ALTER TABLE findings DROP COLUMN message_vi")
        conn.execute("PRAGMA user_version = 1")
    set_root_login(rootfs, "yes")
    scan(rootfs, tmp_path / "r2", db)
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == history.SCHEMA_VERSION
        rows = conn.execute("SELECT run, message_vi FROM findings WHERE check_id = "
                            "'ssh.root_login_disabled' ORDER BY run").fetchall()
    assert rows[0][1] is None and rows[1][1]  # the old run as it was, the new one translated
    assert "Không đạt" in run("diff", "1", "2", "--db", str(db)).output
