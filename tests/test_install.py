"""attt installs from its own repository: a wheel built with ``python -m build`` carries the
content folders and runs, setuptools prints no deprecation warning, and the CI examples never
install the bare name ``attt`` (unclaimed on PyPI: whatever is published there would run in
the user's CI job)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("dist")
    # The isolated build environment fetches setuptools from the package index (allowed);
    # a source copy keeps build/ and *.egg-info out of the working tree.
    src = tmp_path_factory.mktemp("src") / "attt"
    files = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z"], check=True,
                           capture_output=True).stdout.decode().split("\0")
    for name in filter(None, files):
        target = src / name
        target.parent.mkdir(parents=True, exist_ok=True)
        source = ROOT / name
        if source.is_file():
            target.write_bytes(source.read_bytes())
    proc = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out),
                           str(src)], capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    wheels = list(out.glob("attt-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0], proc.stdout + proc.stderr


def test_the_build_prints_no_deprecation_warning(wheel: tuple[Path, str]) -> None:
    _, log = wheel
    # setuptools says "... is deprecated" (SetuptoolsDeprecationWarning) for a license table or
    # licence classifiers.
    assert "deprecat" not in log.lower(), log[-3000:]


def test_the_wheel_carries_the_content_folders(wheel: tuple[Path, str]) -> None:
    path, _ = wheel
    names = set(zipfile.ZipFile(path).namelist())
    for needed in ("attt/cli.py", "attt/checks/ssh.py", "attt/profiles/nd85-tt12-3.yaml",
                   "attt/inventory/localhost.yaml", "attt/reports/report.html",
                   "attt/reports/attt-vi.mo", "attt/reports/attt.results-2.schema.json",
                   "attt/windows/collector.ps1"):
        assert needed in names, needed
    # Every engine package ships (a package left out of pyproject's list is silently dropped).
    for init in (ROOT / "src" / "attt").rglob("__init__.py"):
        rel = init.relative_to(ROOT / "src").as_posix()
        assert rel in names, rel
    meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(path).read(meta).decode()
    assert "License-Expression: Apache-2.0" in text


def test_the_installed_wheel_runs(wheel: tuple[Path, str], tmp_path: Path) -> None:
    path, _ = wheel
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target",
                    str(target), str(path)], check=True, timeout=300)
    # The wheel's attt comes first on the path; its dependencies come from this venv.
    env = {**os.environ, "PYTHONPATH": str(target), "ATTT_LANG": "en"}
    where = subprocess.run([sys.executable, "-c", "import attt; print(attt.__file__)"],
                           env=env, capture_output=True, text=True, check=True, cwd=tmp_path)
    assert where.stdout.strip().startswith(str(target)), where.stdout
    listed = subprocess.run([sys.executable, "-m", "attt", "profiles", "list"], env=env,
                            capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "nd85-tt12-3" in listed.stdout and "law116-nd331-5" in listed.stdout


def test_ci_examples_install_from_the_repository_never_the_bare_name() -> None:
    text = (ROOT / "docs" / "ci-examples.md").read_text(encoding="utf-8")
    installs = re.findall(r"pip install\s+(\S+)", text)
    assert installs, "the CI examples show how attt is installed"
    for spec in installs:
        spec = spec.strip("\"'")
        from_repo = spec.startswith(("./", "$ATTT_WHEEL", "${ATTT_WHEEL}"))
        assert from_repo or spec.endswith(".whl"), spec


def test_readme_never_installs_the_bare_name() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for spec in re.findall(r"pip install\s+(?:-\S+\s+)*(\S+)", text):
        name = spec.strip("\"'`")
        assert not re.fullmatch(r"attt(\[[\w,]+\])?", name), spec
