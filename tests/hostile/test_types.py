"""Hostile values of the wrong type: numeric flags and tailoring parameters (issue 8: types).

A NaN gate silently disables itself, a negative timeout crashes every host, a text where a
check expects a count crashes the check at grading time: each is refused up front with exit 2.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ._runs import inventory_text, make_rootfs, scanned_run
from .conftest import assert_input_error, run_attt

SCAN = ["scan", "-t", "local", "--no-network", "--dry-run"]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return scanned_run(tmp_path_factory.mktemp("types")) / "results.json"


@pytest.mark.parametrize(("option", "value"), [
    ("--fail-under", "nan"), ("--fail-under", "inf"), ("--fail-under", "-1"),
    ("--fail-under", "101"), ("--connect-timeout", "-1"), ("--connect-timeout", "0"),
    ("--connect-timeout", "nan"), ("--connect-timeout", "inf"), ("--command-timeout", "inf"),
    ("--command-timeout", "-5"), ("--command-timeout", "nan"), ("--workers", "0"),
    ("--workers", "-3"), ("--workers", "1e3"), ("--max-errors", "-1"), ("--max-errors", "nan"),
    ("--level", "0"), ("--level", "6"),
])
def test_scan_numeric_flags(tmp_path: Path, option: str, value: str) -> None:
    run = run_attt([*SCAN, option, value], cwd=tmp_path)
    assert_input_error(run, option)


@pytest.mark.parametrize(("option", "value"), [
    ("--fail-under", "nan"), ("--fail-under", "-inf"), ("--max-errors", "-1"),
])
def test_report_numeric_flags(tmp_path: Path, results: Path, option: str, value: str) -> None:
    run = run_attt(["report", str(results), "-f", "json", "-o", str(tmp_path / "o"),
                    option, value], cwd=tmp_path)
    assert_input_error(run, option)


@pytest.mark.parametrize(("args", "option"), [
    (["history", "-n", "0"], "--limit"),
    (["history", "-n", "nan"], "--limit"),
    (["level", "suggest", "--users", "-1"], "--users"),
    (["level", "suggest", "--users", "nan"], "--users"),
    (["level", "suggest", "--public-service-level", "9"], "--public-service-level"),
])
def test_other_numeric_flags(tmp_path: Path, args: list[str], option: str) -> None:
    assert_input_error(run_attt(args, cwd=tmp_path), option)


@pytest.mark.parametrize(("param", "value", "problem"), [
    ("password.min_length: {min_length: abc}", "min_length", "expected a whole number"),
    ("password.min_length: {min_length: [1, 2]}", "min_length", "expected a whole number"),
    ("password.min_length: {min_length: .inf}", "min_length", "expected a whole number"),
    ("password.min_length: {min_length: .nan}", "min_length", "expected a whole number"),
    ("password.min_length: {min_length: -3}", "min_length", "0 or more"),
    ("password.min_length: {min_length: 8.5}", "min_length", "expected a whole number"),
    ("password.min_length: {min_length: true}", "min_length", "expected a whole number"),
    ("password.min_length: {min_length: 1e999}", "min_length", "expected a whole number"),
    ("password.min_length: {min_length: null}", "min_length", "expected a whole number"),
    ("ssh.root_login_disabled: {allow_prohibit_password: 'yes'}", "allow_prohibit_password",
     "expected true or false"),
    ("ssh.root_login_disabled: {allow_prohibit_password: 1}", "allow_prohibit_password",
     "expected true or false"),
    ("sudo.no_nopasswd_all: {allowed: alice}", "allowed", "expected a list"),
    ("sudo.no_nopasswd_all: {allowed: [alice, {a: 1}]}", "allowed", "expected a list"),
    ("sudo.no_nopasswd_all: {allowed: [alice, [b]]}", "allowed", "expected a list"),
    ("ssh.non_default_port: {allowed_ports: {a: 1}}", "allowed_ports", "expected a list"),
])
def test_tailoring_parameter_types(tmp_path: Path, param: str, value: str, problem: str) -> None:
    tailoring = tmp_path / "tailoring.yaml"
    tailoring.write_text(f"parameters:\n  {param}\n")
    key = f"parameters.{param.split(':')[0]}.{value}"
    run = run_attt(["validate", "--kind", "tailoring", str(tailoring)], cwd=tmp_path)
    assert_input_error(run, str(tailoring), key, problem)
    root = make_rootfs(tmp_path / "root")
    inv = tmp_path / "inv.yaml"
    inv.write_text(inventory_text(root))
    run = run_attt(["scan", "-i", str(inv), "--tailoring", str(tailoring), "--no-network",
                    "--no-history", "-o", str(tmp_path / "out"), "-q"], cwd=tmp_path)
    assert_input_error(run, str(tailoring), key, problem)


def test_a_well_typed_tailoring_still_loads(tmp_path: Path) -> None:
    tailoring = tmp_path / "tailoring.yaml"
    tailoring.write_text("parameters:\n  password.min_length: {min_length: 12}\n"
                         "  sudo.no_nopasswd_all: {allowed: [alice]}\n"
                         "  ssh.non_default_port: {allowed_ports: [2222]}\n")
    run = run_attt(["validate", "--kind", "tailoring", str(tailoring)], cwd=tmp_path)
    assert run.returncode == 0, run.output
