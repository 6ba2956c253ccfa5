"""Harness of the hostile-input corpus (issue 8).

Every case runs the real ``attt`` command in a subprocess, inside a fresh network namespace
that has only ``lo`` (``unshare --net``): nothing a hostile file names can reach any other
address.  Each run is bounded in time.  ``assert_clean`` states what must hold for every case
whatever its input: a documented exit code, no traceback, no hang, no raw control character
on the terminal, and (with ``Sandbox``) no file written outside the folders a case allows.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# Exit codes the README documents: 0 compliant, 1 non-compliant, 2 input error,
# 3 incomplete, 130 interrupted.
DOCUMENTED_EXIT_CODES = frozenset({0, 1, 2, 3, 130})
DEFAULT_TIMEOUT = 90.0
# Any C0 control except TAB, LF, CR; DEL; and C1 controls (ESC-less CSI/OSC in 8-bit form).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f]")


@dataclass
class Run:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def _isolated() -> list[str]:
    """The prefix that runs a command in a new network namespace with only ``lo`` up."""

    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.fail("the hostile corpus runs as root with unshare (util-linux), as CI does")
    return ["unshare", "--net", "sh", "-c", 'ip link set lo up 2>/dev/null; exec "$@"', "sh"]


def run_attt(
    args: Sequence[str],
    *,
    cwd: str | os.PathLike[str],
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Run:
    """Run ``python -m attt ARGS`` isolated; a hang fails the case instead of blocking CI."""

    full_env = {k: v for k, v in os.environ.items() if not k.startswith("ATTT_")}
    full_env.setdefault("ATTT_DB", str(Path(cwd) / "history.sqlite3"))
    full_env["CI"] = "1"
    full_env["PYTHONDONTWRITEBYTECODE"] = "1"
    if env:
        full_env.update(env)
    cmd = [*_isolated(), sys.executable, "-m", "attt", *args]
    try:
        proc = subprocess.run(
            cmd,
            cwd=cwd,
            env=full_env,
            input=stdin if stdin is not None else "",
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"attt {' '.join(args)} hung for more than {timeout:.0f} s")
    return Run(
        tuple(args),
        proc.returncode,
        proc.stdout.decode("utf-8", errors="replace"),
        proc.stderr.decode("utf-8", errors="replace"),
    )


def assert_clean(run: Run, *, codes: Iterable[int] = DOCUMENTED_EXIT_CODES) -> None:
    """What every hostile case must show, whatever the input."""

    allowed = set(codes)
    assert run.returncode in allowed, (
        f"attt {' '.join(run.args)} exited {run.returncode} (expected one of "
        f"{sorted(allowed)})\n{run.output[-3000:]}"
    )
    assert "Traceback (most recent call last)" not in run.output, run.output[-3000:]
    bad = _CONTROL.search(run.output)
    assert bad is None, f"raw control character {bad.group()!r} printed: {run.output[-2000:]!r}"


def assert_input_error(run: Run, *needles: str) -> None:
    """Exit 2 with a message that names each of ``needles`` (file, key, line...)."""

    assert_clean(run, codes={2})
    for needle in needles:
        assert needle in run.output, f"{needle!r} not in: {run.output[-2000:]}"


@dataclass
class Sandbox:
    """A case's folder; ``changes_outside`` lists files created or changed elsewhere in it."""

    root: Path
    allowed: list[Path] = field(default_factory=list)
    _before: dict[str, tuple[int, int]] = field(default_factory=dict)

    def snapshot(self) -> None:
        self._before = self._state()

    def _state(self) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        for dirpath, _dirs, files in os.walk(self.root):
            for name in files:
                path = os.path.join(dirpath, name)
                try:
                    st = os.lstat(path)
                except OSError:
                    continue
                out[path] = (st.st_size, st.st_mtime_ns)
        return out

    def changes_outside(self) -> list[str]:
        after = self._state()
        changed = [p for p, s in after.items() if self._before.get(p) != s]
        return sorted(
            p for p in changed
            if not any(Path(p).is_relative_to(a) for a in self.allowed)
        )


@pytest.fixture
def sandbox(tmp_path: Path) -> Sandbox:
    box = Sandbox(tmp_path)
    # The history database of every case lives here (run_attt's default ATTT_DB).
    box.allowed.append(tmp_path / "history.sqlite3")
    box.allowed.append(tmp_path / "history.sqlite3-journal")
    return box
