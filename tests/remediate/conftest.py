"""A Debian 12 tree with python3 (Ansible's modules run in it), scanned with ``dir:`` and
fixed by ``attt remediate``'s playbook or script; helpers to scan and to compare verdicts.

The image is built once per machine with debootstrap from Debian's package registry (about a
minute) and cached under /var/cache/attt-tests beside the one tests/integration uses (that one
has no python3); each test works on its own copy, so nothing on this machine changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from attt.cli import main
from tests.rootfs import debootstrap_image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sshd as sshd_helper

__all__ = ["sshd_helper"]

CACHE = Path("/var/cache/attt-tests/rootfs-bookworm-py-v1")
PACKAGES = "openssh-server,rsyslog,nftables,systemd-timesyncd,procps,sudo,auditd,python3"


@pytest.fixture(scope="session")
def py_rootfs_image() -> Path:
    return debootstrap_image(CACHE, PACKAGES)


@pytest.fixture()
def rootfs(py_rootfs_image: Path, tmp_path: Path) -> Iterator[Path]:
    copy = tmp_path / "rootfs"
    subprocess.run(["cp", "-a", str(py_rootfs_image), str(copy)], check=True, timeout=300)
    yield copy
    shutil.rmtree(copy, ignore_errors=True)


def scan_dir(root: Path, out: Path) -> dict[str, str]:
    """check id -> status of a level-3 ``dir:`` scan of ``root`` (one host)."""

    result = CliRunner().invoke(
        main, ["scan", "-t", f"dir:{root}", "--level", "3", "-o", str(out), "-q", "-f", "json"],
        catch_exceptions=False)
    assert result.exit_code in (0, 1, 3), result.output
    return statuses(out)


def statuses(out: Path) -> dict[str, str]:
    """check id -> status over the single host of a run folder."""

    found: dict[str, str] = {}
    from attt.results_file import read_results

    for entry in read_results(str(out / "results.json")).entries():
        for r in entry["results"]:
            assert "check crashed" not in r["message"], r
            found[r["check"]] = r["status"]
    return found


def remediate(run: Path, fmt: str, target: Path, *extra: str) -> tuple[str, set[str]]:
    """Write the fix file; return the command's output and the checks it fixes."""

    result = CliRunner().invoke(main, ["remediate", str(run), "--format", fmt, "-o",
                                       str(target), *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    from attt.remediation import build_plan

    return result.output, {t.fix.check for t in build_plan(str(run)).tasks}


def assert_exact_flips(before: dict[str, str], after: dict[str, str], fixed: set[str]) -> None:
    """Exactly the fixed checks went from fail to pass; every other verdict is unchanged."""

    assert set(before) == set(after)
    changed = {c for c in before if before[c] != after[c]}
    assert changed == fixed, (sorted(changed - fixed), sorted(fixed - changed))
    assert all(before[c] == "fail" and after[c] == "pass" for c in fixed), {
        c: (before[c], after[c]) for c in fixed}


def tree_digest(root: Path, folder: str = "etc") -> dict[str, str]:
    """Path -> sha256 (or link target) of every file under ``root/folder``."""

    out: dict[str, str] = {}
    base = root / folder
    for dirpath, _dirs, files in os.walk(base):
        for name in files:
            p = Path(dirpath) / name
            rel = str(p.relative_to(root))
            if p.is_symlink():
                out[rel] = "-> " + os.readlink(p)
            elif p.is_file():
                out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def dump(data: object) -> str:
    return json.dumps(data, indent=1, sort_keys=True)
