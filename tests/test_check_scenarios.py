"""Check scenarios: raw probe outputs in, expected status out (design.md §9).

Each ``tests/checks/<check_id>/<name>.<status>.yaml`` holds the sections a collector would
deliver; the file name's suffix is the expected status.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from attt.model import Status
from attt.registry import CHECKS, Facts, Section, load_all

SCENARIO_ROOT = Path(__file__).parent / "checks"
STATUSES = {
    s.value for s in (Status.PASS, Status.FAIL, Status.ERROR, Status.NOT_APPLICABLE, Status.MANUAL)
}
SECTION_KEYS = {"text", "exit_code", "files", "state", "reason", "truncated"}

load_all()


def _scenarios() -> list[Path]:
    return sorted(SCENARIO_ROOT.glob("*/*.yaml"))


def _expected(path: Path) -> str:
    return path.name[: -len(".yaml")].rsplit(".", 1)[1]


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path}: not a mapping"
    unknown = set(data) - {"description", "mode", "params", "sections", "message_contains"}
    assert not unknown, f"{path}: unknown keys {unknown}"
    return data


def _section(name: str, raw: dict[str, Any]) -> Section:
    unknown = set(raw) - SECTION_KEYS
    assert not unknown, f"section {name}: unknown keys {unknown}"
    state = raw.get("state", "ok")
    exit_code = raw.get("exit_code", 0 if state == "ok" else None)
    return Section(
        name,
        text=raw.get("text", ""),
        exit_code=exit_code,
        files=dict(raw.get("files") or {}),
        truncated=bool(raw.get("truncated", False)),
        state=state,
        reason=raw.get("reason", "" if state == "ok" else state),
    )


@pytest.mark.parametrize(
    "path", _scenarios(), ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_scenario(path: Path) -> None:
    data = _load(path)
    check_id = path.parent.name
    spec = CHECKS[check_id]
    sections = {n: _section(n, raw or {}) for n, raw in (data.get("sections") or {}).items()}
    mode = data.get("mode", "live")
    assert mode in ("live", "offline")
    result = spec.evaluate(Facts(sections, mode), data.get("params") or {})
    assert result.status.value == _expected(path), result.message
    assert result.message.endswith("."), result.message
    if "message_contains" in data:
        assert data["message_contains"] in result.message


def test_every_check_has_pass_and_fail_scenarios() -> None:
    for check_id in CHECKS:
        statuses = {_expected(p) for p in (SCENARIO_ROOT / check_id).glob("*.yaml")}
        assert {"pass", "fail"} <= statuses, f"{check_id}: scenarios cover only {statuses}"


def test_scenario_dirs_name_registered_checks() -> None:
    for directory in SCENARIO_ROOT.iterdir():
        if directory.is_dir():
            assert directory.name in CHECKS, f"{directory}: no check {directory.name!r}"


@pytest.mark.parametrize(
    "path", _scenarios(), ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_scenario_is_well_formed(path: Path) -> None:
    data = _load(path)
    assert _expected(path) in STATUSES, f"{path.name}: unknown status suffix"
    assert data.get("description"), f"{path}: description missing"
    spec = CHECKS[path.parent.name]
    undeclared = set(data.get("sections") or {}) - set(spec.probes)
    assert not undeclared, f"{path}: probes not declared by {spec.id}: {undeclared}"
    unknown_params = set(data.get("params") or {}) - set(spec.params)
    assert not unknown_params, f"{path}: unknown params {unknown_params}"
