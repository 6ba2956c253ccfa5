"""Debian 12 root filesystems built once per machine with debootstrap (from Debian's package
registry) and cached under /var/cache/attt-tests; tests work on copies."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

MIRROR = "http://deb.debian.org/debian"


def need(condition: bool, why: str) -> None:
    """Skip when a prerequisite is missing, but fail in CI, where it must be there."""

    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{why} (required in CI)")
    pytest.skip(why)


def debootstrap_image(cache: Path, packages: str) -> Path:
    """The cached minbase image with ``packages`` (comma-separated), built on first use."""

    need(os.geteuid() == 0, "debootstrap needs root")
    need(shutil.which("debootstrap") is not None, "debootstrap is not installed")
    if not (cache / ".complete").exists():
        tmp = cache.with_suffix(".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.parent.mkdir(parents=True, exist_ok=True)
        proc = subprocess.run(
            ["debootstrap", "--variant=minbase", f"--include={packages}", "bookworm",
             str(tmp), MIRROR],
            capture_output=True, text=True, timeout=900, check=False,
        )
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
        shutil.rmtree(cache, ignore_errors=True)
        tmp.rename(cache)
        (cache / ".complete").write_text("ok\n")
    return cache
