"""The CI examples in docs/ci-examples.md are valid YAML and use attt's real options."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from attt.cli import main

DOC = Path(__file__).resolve().parents[1] / "docs" / "ci-examples.md"


def blocks() -> list[Any]:
    text = DOC.read_text(encoding="utf-8")
    return [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, re.S)]


def scan_commands(data: Any) -> list[str]:
    found: list[str] = []
    if isinstance(data, dict):
        for v in data.values():
            found += scan_commands(v)
    elif isinstance(data, list):
        for v in data:
            found += scan_commands(v)
    elif isinstance(data, str) and data.strip().startswith("attt scan"):
        found.append(data)
    return found


def test_github_and_gitlab_examples_parse() -> None:
    github, gitlab = blocks()
    # PyYAML reads the bare key `on` as True (YAML 1.1); GitHub reads it as "on".
    assert set(github) >= {"name", "jobs"} and (True in github or "on" in github)
    steps = github["jobs"]["compliance"]["steps"]
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif") for s in steps)
    assert all(s.get("if") == "always()" for s in steps if "upload" in s.get("uses", ""))
    job = gitlab["attt"]
    assert job["artifacts"]["reports"]["junit"] == "attt-report/junit.xml"
    assert job["artifacts"]["when"] == "always"
    assert len(scan_commands(github)) == 1 and len(scan_commands(gitlab)) == 1


def test_example_scan_options_exist(tmp_path: Path) -> None:
    """Run the documented command (same options) against a small tree."""

    (tmp_path / "rootfs/etc/ssh").mkdir(parents=True)
    (tmp_path / "rootfs/etc/ssh/sshd_config").write_text("PermitRootLogin no\n")
    for command in scan_commands(blocks()[0]) + scan_commands(blocks()[1]):
        args = command.split()[1:]
        args[args.index("dir:rootfs")] = f"dir:{tmp_path / 'rootfs'}"
        args[args.index("attt-report")] = str(tmp_path / "out")
        res = CliRunner().invoke(main, args, catch_exceptions=False)
        assert res.exit_code in (0, 1, 3), res.output  # 2 would be a bad option
        assert (tmp_path / "out/results.sarif").is_file()
