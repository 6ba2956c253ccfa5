"""CI gates: --fail-under, --fail-on, --max-errors (pure semantics and real scans)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from attt.cli import main
from attt.gates import Gates, apply, evaluate


def req(rid: str, status: str, severity: str = "medium", errors: int = 0,
        advisory: bool = False) -> dict[str, Any]:
    return {"id": rid, "status": status, "severity": severity, "advisory": advisory,
            "findings": [{"status": "error"}] * errors}


def doc(*reqs: dict[str, Any], percent: float | None = 50.0, host_errors: int = 0,
        scanned: int = 2, code: int = 0) -> dict[str, Any]:
    return {
        "run": {"interrupted": False, "hosts_total": 2, "hosts_scanned": scanned},
        "summary": {"exit_code": code, "verdict": "x", "host_errors": host_errors,
                    "score": {"percent": percent}},
        "systems": [{"name": "s", "requirements": list(reqs)}],
    }


@pytest.mark.parametrize(
    ("reqs", "gates", "kw", "expected"),
    [
        # --fail-on: only failures at or above the severity count.
        ([req("A", "fail", "high")], Gates(fail_on="critical"), {}, 0),
        ([req("A", "fail", "high")], Gates(fail_on="high"), {}, 1),
        ([req("A", "fail", "critical")], Gates(fail_on="high"), {}, 1),
        ([req("A", "fail", "low")], Gates(fail_on="medium"), {}, 0),
        ([req("A", "fail", "critical", advisory=True)], Gates(fail_on="low"), {}, 0),
        # --fail-under: below the bar is 1; nothing scored counts as 0 %.
        ([req("A", "pass")], Gates(fail_under=90), {"percent": 89.9}, 1),
        ([req("A", "pass")], Gates(fail_under=90), {"percent": 90.0}, 0),
        ([req("A", "manual")], Gates(fail_under=1), {"percent": None}, 1),
        # --max-errors: errors = error findings + hosts not scanned.
        ([req("A", "error", errors=2)], Gates(max_errors=2), {}, 0),
        ([req("A", "error", errors=2)], Gates(max_errors=1), {}, 3),
        ([req("A", "pass")], Gates(max_errors=0), {"host_errors": 1}, 3),
        ([req("A", "pass")], Gates(max_errors=1), {"host_errors": 1}, 0),
        # Without --max-errors an error still makes the run incomplete, as before.
        ([req("A", "fail", "low"), req("B", "error", errors=1)], Gates(fail_on="high"), {}, 3),
        # A failure wins over errors; an unfinished run stays incomplete.
        ([req("A", "fail", "high"), req("B", "error", errors=9)], Gates(max_errors=0), {}, 1),
        ([req("A", "pass")], Gates(max_errors=100), {"scanned": 1}, 3),
    ],
)
def test_gate_semantics(reqs: list[dict[str, Any]], gates: Gates, kw: dict[str, Any],
                        expected: int) -> None:
    assert evaluate(doc(*reqs, **kw), gates).exit_code == expected


def test_no_gate_leaves_grading_code_alone() -> None:
    d = doc(req("A", "fail", "low"), code=1)
    assert apply(d, Gates()) == 1 and "gates" not in d["summary"]
    assert apply(d, Gates(fail_on="high")) == 0
    assert d["summary"]["verdict"] == "x"  # the gate never rewrites grading's verdict
    assert d["summary"]["gates"]["fail_on"] == "high"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def rootfs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gates") / "rootfs"
    (root / "etc/ssh").mkdir(parents=True)
    (root / "etc/ssh/sshd_config").write_text("PermitRootLogin yes\nPasswordAuthentication no\n")
    (root / "etc/login.defs").write_text("PASS_MAX_DAYS 90\nPASS_MIN_LEN 12\n")
    return root


def gated_scan(rootfs: Path, out: Path, *gates: str) -> tuple[int, dict[str, Any]]:
    res = run("scan", "-t", f"dir:{rootfs}", "-o", str(out), "-q", "-f", "json,junit",
              "--no-history", *gates)
    data: dict[str, Any] = json.loads((out / "results.json").read_text())
    assert data["summary"]["exit_code"] == res.exit_code  # every format shows the gated code
    return res.exit_code, data


def test_gates_on_a_real_scan(tmp_path: Path, rootfs: Path) -> None:
    code, base = gated_scan(rootfs, tmp_path / "base")
    assert code == 1
    failed = [(r["id"], r["severity"]) for s in base["systems"] for r in s["requirements"]
              if r["status"] == "fail" and not r["advisory"]]
    assert ("TT12.KT.MC.2", "high") in failed
    errors = sum(r["counts"].get("error", 0) for s in base["systems"] for r in s["requirements"]
                 if not r["advisory"])

    code, data = gated_scan(rootfs, tmp_path / "high", "--fail-on", "high")
    assert code == 1
    assert "adhoc:TT12.KT.MC.2" in data["summary"]["gates"]["failed"]

    critical = [rid for rid, sev in failed if sev == "critical"]
    code, data = gated_scan(rootfs, tmp_path / "crit", "--fail-on", "critical",
                            "--max-errors", str(errors))
    assert code == (1 if critical else 0)
    if errors:
        code, data = gated_scan(rootfs, tmp_path / "crit0", "--fail-on", "critical",
                                "--max-errors", str(errors - 1))
        assert code == (1 if critical else 3)
        assert data["summary"]["gates"]["errors"] == errors
    percent = base["summary"]["score"]["percent"] or 0.0
    code, _ = gated_scan(rootfs, tmp_path / "under", "--fail-on", "critical",
                         "--max-errors", str(errors), "--fail-under", str(min(percent + 1, 100)))
    assert code == 1
    junit = (tmp_path / "under/junit.xml").read_text()
    assert "<testsuites" in junit


def test_report_command_gates_a_saved_results_json(tmp_path: Path, rootfs: Path) -> None:
    gated_scan(rootfs, tmp_path / "run")
    results = str(tmp_path / "run/results.json")
    assert run("report", results, "-f", "json", "-o", str(tmp_path / "plain")).exit_code == 0
    res = run("report", results, "-f", "json,csv", "-o", str(tmp_path / "gated"),
              "--fail-on", "high")
    assert res.exit_code == 1
    assert json.loads((tmp_path / "gated/results.json").read_text())["summary"]["gates"]
    assert (tmp_path / "gated/results.csv").is_file()
    res = run("report", results, "-f", "json", "-o", str(tmp_path / "bad"), "--fail-on", "huge")
    assert res.exit_code == 2


def test_gate_keeps_the_verdict_and_says_what_it_did(tmp_path: Path, rootfs: Path) -> None:
    out = tmp_path / "run"
    res = run("scan", "-t", f"dir:{rootfs}", "-o", str(out), "-q", "-f", "json,html",
              "--no-history", "--fail-on", "critical", "--max-errors", "10000")
    data = json.loads((out / "results.json").read_text())
    assert res.exit_code == data["summary"]["exit_code"] == 0
    # TT12.KT.MC.2 (high) fails: the system is not compliant, whatever the gate let through.
    assert data["summary"]["verdict"] == "non_compliant"
    assert not data["systems"][0]["verdict"]["ok"]
    assert "Chưa đạt" in res.output
    assert "Cổng CI: --fail-on critical --max-errors 10000: đạt → mã thoát 0" in res.output
    html = (out / "report.html").read_text()
    assert "Cổng CI" in html and "--fail-on critical --max-errors 10000" in html
    assert "mã thoát 0" in html

    res = run("scan", "-t", f"dir:{rootfs}", "-o", str(tmp_path / "high"), "-q", "-f", "json",
              "--no-history", "--fail-on", "high")
    assert res.exit_code == 1
    line = next(ln for ln in res.output.splitlines() if ln.startswith("Cổng CI: "))
    assert line.startswith("Cổng CI: --fail-on high bị vượt do ") and "TT12.KT.MC.2" in line
    assert line.endswith("→ mã thoát 1")
    # In English, the words results.json records.
    res = run("scan", "-t", f"dir:{rootfs}", "-o", str(tmp_path / "high-en"), "-q", "-f",
              "json", "--no-history", "--fail-on", "high", "--lang", "en")
    assert res.exit_code == 1
    line = next(ln for ln in res.output.splitlines() if ln.startswith("gate: "))
    assert line.startswith("gate: --fail-on high tripped by ") and "TT12.KT.MC.2" in line
    assert line.endswith("→ exit 1")
    recorded = json.loads((tmp_path / "high-en/results.json").read_text())["summary"]["gates"]
    assert line == f"gate: {'; '.join(recorded['reasons'])} → exit 1"


def test_exit_code_printed_without_gates(tmp_path: Path, rootfs: Path) -> None:
    res = run("scan", "-t", f"dir:{rootfs}", "-o", str(tmp_path / "run"), "-q", "-f", "json",
              "--no-history", "--lang", "en")
    assert res.exit_code == 1
    assert "Exit code: 1" in res.output and "gate:" not in res.output
    res = run("scan", "-t", f"dir:{rootfs}", "-o", str(tmp_path / "vi"), "-q", "-f", "json",
              "--no-history")
    assert "Mã thoát: 1" in res.output and "Cổng CI" not in res.output
