"""Inputs shared by the hostile file cases: a scanned run folder and a valid file of each kind."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from attt.cli import main

SSHD = "PermitRootLogin yes\nPasswordAuthentication yes\n"


def make_rootfs(root: Path) -> Path:
    (root / "etc/ssh").mkdir(parents=True)
    (root / "etc/ssh/sshd_config").write_text(SSHD)
    (root / "etc/login.defs").write_text("PASS_MAX_DAYS 99999\nPASS_MIN_LEN 5\n")
    (root / "var/lib/dpkg").mkdir(parents=True)
    (root / "var/lib/dpkg/status").write_text(
        "Package: openssh-server\nStatus: install ok installed\nVersion: 1:9.2p1-2\n\n"
    )
    return root


def inventory_text(root: Path, extra: str = "") -> str:
    return (
        "systems:\n  - name: anh\n    owner: UBND\n    level: 2\n" + extra
        + f"    hosts:\n      - {{name: h0, transport: dir, path: {root}}}\n"
    )


def scanned_run(base: Path) -> Path:
    """A finished run folder (results.json, run.json, findings.jsonl), scanned in-process."""

    root = make_rootfs(base / "root")
    inv = base / "inv.yaml"
    inv.write_text(inventory_text(root))
    out = base / "run"
    result = CliRunner().invoke(
        main, ["scan", "-i", str(inv), "-o", str(out), "-f", "json", "-q", "--no-history",
               "--no-network"],
        catch_exceptions=False,
    )
    assert result.exit_code in (0, 1, 3), result.output
    return out


def copy_run(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def dump(path: Path, doc: Any) -> None:
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


def remove_specials(root: Path) -> None:
    """Drop the FIFOs, device links and sparse giants a case made: the session-wide
    results.json check in tests/conftest.py reads every results.json left behind."""

    for path in sorted(root.rglob("*"), reverse=True):
        special = path.exists() and not path.is_dir() and not path.is_file()
        huge = path.is_file() and path.stat().st_size > 64 * 1024 * 1024
        if path.is_symlink() or special or huge:
            path.unlink()
