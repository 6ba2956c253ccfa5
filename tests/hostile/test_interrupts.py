"""Hostile corpus, interrupts (issue 8): Ctrl-C once, twice, three times, at any moment.

Real SIGINTs to a real ``attt scan`` subprocess (in its own network namespace), scanning
this machine over the local transport, one host at a time.  Whatever the timing, the run
ends 130 with what was saved: results.json of the hosts done, no half-written ``.tmp``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import Run, _isolated, assert_clean

HOSTS = 6


def _inventory(tmp: Path) -> Path:
    hosts = "".join(
        f"      - {{name: h{i}, transport: local, roles: [server]}}\n" for i in range(HOSTS)
    )
    inv = tmp / "inv.yaml"
    inv.write_text(f"systems:\n  - name: s\n    regime: nd85-tt12\n    level: 2\n    hosts:\n"
                   f"{hosts}", encoding="utf-8")
    return inv


def _start(tmp: Path, extra: list[str] | None = None) -> tuple[subprocess.Popen[bytes], Path]:
    out = tmp / "run"
    args = ["scan", "-i", str(_inventory(tmp)), "-o", str(out), "-w", "1", "--no-network",
            "-f", "html,json,junit,sarif,csv", *(extra or [])]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATTT_")}
    env.update({"CI": "1", "ATTT_DB": str(tmp / "history.sqlite3")})
    # exec: the signal goes to attt itself, not to a shell in front of it.
    proc = subprocess.Popen([*_isolated(), sys.executable, "-m", "attt", *args], cwd=tmp,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return proc, out


def _wait_first_host(proc: subprocess.Popen[bytes], out: Path) -> None:
    findings = out / "findings.jsonl"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if findings.exists() and '"type": "host"' in findings.read_text(errors="replace"):
            return
        if proc.poll() is not None:
            break
        time.sleep(0.02)
    proc.kill()
    pytest.fail("no host finished")


def _finish(proc: subprocess.Popen[bytes], args: tuple[str, ...]) -> Run:
    try:
        stdout, stderr = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("attt did not end after SIGINT")
    return Run(args, proc.returncode, stdout.decode(errors="replace"),
               stderr.decode(errors="replace"))


def _assert_saved(run: Run, out: Path) -> None:
    assert_clean(run, codes={130})
    assert "--resume" in run.stderr
    leftovers = sorted(p.name for p in out.iterdir() if p.name.endswith(".tmp"))
    assert leftovers == [], leftovers
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert doc["run"]["interrupted"] is True
    assert 1 <= doc["run"]["hosts_scanned"] < HOSTS
    for name in ("report.html", "junit.xml", "results.sarif", "results.csv"):
        assert (out / name).is_file(), name


# One signal has no gap to vary: it runs once; repeated ones at three gaps.
SIGNAL_CASES = [(1, 0.0)] + [(n, gap) for n in (2, 3, 5) for gap in (0.0, 0.003, 0.03)]


@pytest.mark.parametrize(("signals", "gap"), SIGNAL_CASES)
def test_repeated_ctrl_c_still_saves_and_exits_130(
    tmp_path: Path, signals: int, gap: float
) -> None:
    proc, out = _start(tmp_path)
    _wait_first_host(proc, out)
    for _ in range(signals):
        proc.send_signal(signal.SIGINT)
        time.sleep(gap)
    run = _finish(proc, ("scan", f"SIGINT x{signals}"))
    _assert_saved(run, out)


def test_ctrl_c_then_resume_completes(tmp_path: Path) -> None:
    proc, out = _start(tmp_path)
    _wait_first_host(proc, out)
    proc.send_signal(signal.SIGINT)
    proc.send_signal(signal.SIGINT)
    _assert_saved(_finish(proc, ("scan", "SIGINT x2")), out)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATTT_")}
    env.update({"CI": "1", "ATTT_DB": str(tmp_path / "history.sqlite3")})
    done = subprocess.run([*_isolated(), sys.executable, "-m", "attt", "scan", "--resume",
                           str(out), "-q"], cwd=tmp_path, env=env, capture_output=True,
                          timeout=120, check=False)
    run = Run(("scan", "--resume"), done.returncode, done.stdout.decode(errors="replace"),
              done.stderr.decode(errors="replace"))
    assert_clean(run, codes={0, 1, 3})
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert doc["run"]["interrupted"] is False
    assert doc["run"]["hosts_scanned"] == HOSTS


@pytest.mark.parametrize("signals", [1, 2])
def test_ctrl_c_before_any_host_finished(tmp_path: Path, signals: int) -> None:
    """Interrupted while the first host is still being collected: nothing scanned, still a
    complete (empty) report and 130."""

    proc, out = _start(tmp_path)
    deadline = time.monotonic() + 30
    while not (out / "run.json").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    for _ in range(signals):
        proc.send_signal(signal.SIGINT)
    run = _finish(proc, ("scan", f"SIGINT x{signals} early"))
    assert_clean(run, codes={130})
    assert sorted(p.name for p in out.iterdir() if p.name.endswith(".tmp")) == []
    doc = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert doc["run"]["interrupted"] is True
    assert doc["run"]["hosts_scanned"] == 0
