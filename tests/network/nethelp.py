"""Helpers of the network tests (imported by the test modules; conftest holds fixtures)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from attt.render.document import all_findings

HERE = Path(__file__).resolve().parent
PROFILE = str(HERE / "profile-net.yaml")



def require(condition: bool, message: str) -> None:
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{message} (required in CI)")
    pytest.skip(message)


def require_root_nmap() -> None:
    require(os.geteuid() == 0, "network tests need root (SYN/UDP scans, namespaces)")
    require(shutil.which("nmap") is not None, "nmap is not installed")


def attt(*args: str, ns: str = "", env: dict[str, str] | None = None,
         timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """Run the attt CLI as a subprocess (inside namespace ``ns`` when given)."""

    # The installed entry point's import (`python -m attt.cli` would do as well).
    cmd = [sys.executable, "-c", "import sys; from attt.cli import main; sys.exit(main())",
           *args]
    if ns:
        cmd = ["ip", "netns", "exec", ns, *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})}, check=False)


def findings(out_dir: Path) -> list[dict[str, Any]]:
    doc = json.loads((out_dir / "results.json").read_text())
    return list(all_findings(doc))


