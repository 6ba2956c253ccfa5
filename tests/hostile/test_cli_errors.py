"""Hostile command lines (issue 8): gates, exit codes, signed folders, bad targets.

Each case runs the real command isolated (conftest.run_attt) and asserts the documented
outcome: an input error is exit 2 naming the option or file and writes nothing; a gate
changes the exit code and says so, never the verdict; a signed folder is never written into.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from attt.cli import main

from ._runs import make_rootfs, scanned_run
from .conftest import Sandbox, assert_clean, assert_input_error, run_attt


@dataclass(frozen=True)
class Paths:
    root: Path  # a rootfs with a high-severity failure (PermitRootLogin yes)
    run: Path  # a finished run folder (results.json)
    signed: Path  # a signed run folder (manifest.sig)
    file: Path  # a regular file
    fifo: Path
    inventory: Path  # two systems; web's evidence: key names system mail
    evidence_other: Path  # evidence of a system that is not scanned


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory) -> Paths:
    base = tmp_path_factory.mktemp("cli-errors")
    root = make_rootfs(base / "rootfs")
    run = scanned_run(base / "scanned")
    keys = base / "keys"
    res = CliRunner().invoke(main, ["keys", "generate", "-o", str(keys), "--no-passphrase"])
    assert res.exit_code == 0, res.output
    signed = base / "signed"
    res = CliRunner().invoke(main, ["scan", "-t", f"dir:{root}", "-o", str(signed), "-q",
                                    "-f", "json,html", "--no-history",
                                    "--sign", str(keys / "attt-signing.key")])
    assert (signed / "manifest.sig").is_file(), res.output
    (base / "a-file").write_text("not a folder\n")
    os.mkfifo(base / "a-fifo")
    (base / "ev-mail.yaml").write_text("system: mail\ndocuments: []\n")
    (base / "ev-ghost.yaml").write_text("system: ghost\ndocuments: []\n")
    inv = base / "inv.yaml"
    inv.write_text(
        "systems:\n"
        "  - name: web\n    level: 1\n    evidence: ev-mail.yaml\n"
        f"    hosts:\n      - {{name: w, transport: dir, path: {root}}}\n"
        "  - name: mail\n    level: 1\n"
        f"    hosts:\n      - {{name: m, transport: dir, path: {root}}}\n"
    )
    return Paths(root, run, signed, base / "a-file", base / "a-fifo", inv,
                 base / "ev-ghost.yaml")


Args = Callable[[Paths], list[str]]
SCAN = ["scan", "-q", "--no-history", "-f", "json"]

# (id, argv after `attt`, strings the message must name)
SCAN_INPUT_ERRORS: list[tuple[str, Args, Callable[[Paths], list[str]]]] = [
    ("dir-target-missing", lambda p: [*SCAN, "-t", f"dir:{p.root}/nope"],
     lambda p: ["--target", f"{p.root}/nope", "no such directory"]),
    ("dir-target-is-a-file", lambda p: [*SCAN, "-t", f"dir:{p.file}"],
     lambda p: ["--target", str(p.file), "not a directory"]),
    ("dir-target-is-a-fifo", lambda p: [*SCAN, "-t", f"dir:{p.fifo}"],
     lambda p: ["--target", "not a directory"]),
    ("dir-target-empty", lambda p: [*SCAN, "-t", "dir:"], lambda p: ["--target", "dir:"]),
    ("dir-target-control-chars", lambda p: [*SCAN, "-t", "dir:/nonexistent/\x1b[2J\x07x"],
     lambda p: ["--target", "no such directory"]),
    ("ssh-target-unbalanced-bracket", lambda p: [*SCAN, "-t", "ssh://h[x"],
     lambda p: ["--target", "not a valid ssh:// address"]),
    ("ssh-target-closing-bracket", lambda p: [*SCAN, "-t", "ssh://h]x"],
     lambda p: ["--target", "not a valid ssh:// address"]),
    ("ssh-target-bad-port", lambda p: [*SCAN, "-t", "ssh://root@127.0.0.1:99999"],
     lambda p: ["--target", "invalid port"]),
    ("target-and-inventory", lambda p: [*SCAN, "-t", "local", "-i", str(p.inventory)],
     lambda p: ["--target"]),
    ("fail-on-unknown", lambda p: [*SCAN, "-t", f"dir:{p.root}", "--fail-on", "huge"],
     lambda p: ["--fail-on"]),
    ("fail-under-above-100", lambda p: [*SCAN, "-t", f"dir:{p.root}", "--fail-under", "101"],
     lambda p: ["--fail-under"]),
    ("fail-under-negative", lambda p: [*SCAN, "-t", f"dir:{p.root}", "--fail-under", "-1"],
     lambda p: ["--fail-under"]),
    ("fail-under-nan", lambda p: [*SCAN, "-t", f"dir:{p.root}", "--fail-under", "nan"],
     lambda p: ["--fail-under"]),
    ("max-errors-negative", lambda p: [*SCAN, "-t", f"dir:{p.root}", "--max-errors", "-1"],
     lambda p: ["--max-errors"]),
    ("max-errors-not-a-number",
     lambda p: [*SCAN, "-t", f"dir:{p.root}", "--max-errors", "lots"],
     lambda p: ["--max-errors"]),
    ("out-is-a-file", lambda p: [*SCAN, "-t", f"dir:{p.root}", "-o", str(p.file)],
     lambda p: ["--out", str(p.file), "not a folder"]),
    ("unknown-format", lambda p: [*SCAN, "-t", f"dir:{p.root}", "-f", "pdf"],
     lambda p: ["--format", "pdf"]),
    ("inventory-evidence-of-another-system",
     lambda p: [*SCAN, "--no-network", "-i", str(p.inventory)],
     lambda p: [str(p.inventory.parent / "ev-mail.yaml"), "system", "'mail'", "'web'"]),
    ("evidence-option-of-no-scanned-system",
     lambda p: [*SCAN, "-t", f"dir:{p.root}", "--evidence", str(p.evidence_other)],
     lambda p: [str(p.evidence_other), "system"]),
]


@pytest.mark.parametrize(("case", "args", "needles"), SCAN_INPUT_ERRORS,
                         ids=[c[0] for c in SCAN_INPUT_ERRORS])
def test_scan_input_errors_exit_2_and_write_nothing(
    paths: Paths, sandbox: Sandbox, case: str, args: Args, needles: Callable[[Paths], list[str]]
) -> None:
    sandbox.snapshot()
    run = run_attt(args(paths), cwd=sandbox.root, timeout=60)
    assert_input_error(run, *needles(paths))
    assert sandbox.changes_outside() == []
    assert not [p for p in sandbox.root.iterdir() if p.name.startswith("attt-report-")]


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


REPORT_REFUSALS: list[tuple[str, Callable[[Paths], list[str]], list[str]]] = [
    ("signed-folder-beside-results",
     lambda p: ["report", str(p.signed / "results.json"), "-f", "html,csv"],
     ["signed run folder", "-o NEWDIR"]),
    ("signed-folder-named-by-o",
     lambda p: ["report", str(p.signed / "results.json"), "-f", "csv", "-o", str(p.signed)],
     ["signed run folder", "-o NEWDIR"]),
    ("signed-folder-through-dot-path",
     lambda p: ["report", str(p.signed / "results.json"), "-f", "csv",
                "-o", f"{p.signed}/../{p.signed.name}/."],
     ["signed run folder"]),
    ("signed-folder-even-with-a-gate",
     lambda p: ["report", str(p.signed / "results.json"), "--fail-on", "high"],
     ["signed run folder"]),
    ("report-out-is-a-file",
     lambda p: ["report", str(p.run / "results.json"), "-f", "csv", "-o", str(p.file)],
     ["--out", "not a folder"]),
    ("report-unknown-format",
     lambda p: ["report", str(p.run / "results.json"), "-f", "docx", "-o", "x"],
     ["--format", "docx"]),
    ("report-fail-on-unknown",
     lambda p: ["report", str(p.run / "results.json"), "--fail-on", "urgent", "-o", "x"],
     ["--fail-on"]),
    ("report-fail-under-above-100",
     lambda p: ["report", str(p.run / "results.json"), "--fail-under", "1e9", "-o", "x"],
     ["--fail-under"]),
]


@pytest.mark.parametrize(("case", "args", "needles"), REPORT_REFUSALS,
                         ids=[c[0] for c in REPORT_REFUSALS])
def test_report_refusals(paths: Paths, sandbox: Sandbox, case: str,
                         args: Callable[[Paths], list[str]], needles: list[str]) -> None:
    before = {"signed": _tree(paths.signed), "run": _tree(paths.run)}
    sandbox.snapshot()
    run = run_attt(args(paths), cwd=sandbox.root, timeout=60)
    assert_input_error(run, *needles)
    assert {"signed": _tree(paths.signed), "run": _tree(paths.run)} == before
    assert sandbox.changes_outside() == []
    assert not (sandbox.root / "x").exists()


# -- gates: the exit code changes and the CLI says why; the verdict never does ------------

def _results(folder: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((folder / "results.json").read_text())
    return data


GATE_CASES: list[tuple[str, list[str], set[int], str]] = [
    # (id, gate options, expected exit codes, the gate line must contain)
    ("fail-on-critical-lets-high-through",
     ["--fail-on", "critical", "--max-errors", "100000"], {0}, "passed → exit 0"),
    ("fail-on-high-trips", ["--fail-on", "high"], {1}, "--fail-on high tripped by "),
    ("fail-under-100-trips", ["--fail-under", "100"], {1}, "--fail-under 100 tripped"),
    ("max-errors-0-trips-when-failures-are-tolerated",
     ["--fail-on", "critical", "--max-errors", "0"], {3}, "--max-errors 0 tripped by "),
    ("no-max-errors-means-zero",
     ["--fail-on", "critical"], {3}, "errors (no --max-errors)"),
]


@pytest.mark.parametrize(("case", "gate", "codes", "line"), GATE_CASES,
                         ids=[c[0] for c in GATE_CASES])
def test_gates_change_the_exit_code_not_the_verdict(
    paths: Paths, tmp_path: Path, case: str, gate: list[str], codes: set[int], line: str
) -> None:
    out = tmp_path / "run"
    run = run_attt([*SCAN, "-t", f"dir:{paths.root}", "-o", str(out), "--lang", "en", *gate],
                   cwd=tmp_path, timeout=90)
    assert_clean(run, codes=codes)
    doc = _results(out)
    summary = doc["summary"]
    assert isinstance(summary, dict)
    assert summary["exit_code"] == run.returncode
    assert summary["verdict"] == "non_compliant"  # TT12.KT.MC.2 (high) fails whatever gates
    gate_lines = [ln for ln in run.stdout.splitlines() if ln.startswith("gate: ")]
    assert len(gate_lines) == 1 and line in gate_lines[0], run.stdout
    assert gate_lines[0].endswith(f"→ exit {run.returncode}")
    assert f"Exit code: {run.returncode}" in run.stdout


def test_exit_zero_wins_and_is_the_code_printed(paths: Paths, tmp_path: Path) -> None:
    run = run_attt([*SCAN, "-t", f"dir:{paths.root}", "-o", str(tmp_path / "r"), "--lang",
                    "en", "--exit-zero"], cwd=tmp_path, timeout=90)
    assert_clean(run, codes={0})
    assert "Exit code: 0" in run.stdout
    assert _results(tmp_path / "r")["summary"]["exit_code"] == 1  # type: ignore[index]


def test_report_renders_with_0_and_gates_with_the_gated_code(
    paths: Paths, tmp_path: Path
) -> None:
    results = str(paths.run / "results.json")
    plain = run_attt(["report", results, "-f", "csv", "-o", str(tmp_path / "a")],
                     cwd=tmp_path, timeout=60)
    assert_clean(plain, codes={0})
    gated = run_attt(["report", results, "-f", "json", "-o", str(tmp_path / "b"),
                      "--fail-on", "low", "--lang", "en"], cwd=tmp_path, timeout=60)
    assert_clean(gated, codes={1})
    assert "--fail-on low tripped by " in gated.stdout
    assert _results(tmp_path / "b")["summary"]["verdict"] == "non_compliant"  # type: ignore[index]
