"""The harness itself: a case that misbehaves must be caught by it."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Run, Sandbox, assert_clean, run_attt


def test_attt_runs_isolated_with_only_loopback(tmp_path: Path) -> None:
    run = run_attt(["--version"], cwd=tmp_path)
    assert_clean(run, codes={0})
    assert run.stdout.strip()


@pytest.mark.parametrize(
    ("run", "problem"),
    [
        (Run(("x",), 1, "", "Traceback (most recent call last):\n  boom"), "Traceback"),
        (Run(("x",), 4, "", ""), "exited 4"),
        (Run(("x",), 2, "\x1b]0;owned\x07", ""), "control character"),
    ],
)
def test_assert_clean_catches(run: Run, problem: str) -> None:
    with pytest.raises(AssertionError, match=problem):
        assert_clean(run)


def test_sandbox_sees_writes_outside_allowed(tmp_path: Path) -> None:
    box = Sandbox(tmp_path, allowed=[tmp_path / "out"])
    box.snapshot()
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "ok.txt").write_text("fine")
    (tmp_path / "leak.txt").write_text("escaped")
    assert box.changes_outside() == [str(tmp_path / "leak.txt")]
