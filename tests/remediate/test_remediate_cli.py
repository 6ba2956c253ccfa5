"""``attt remediate`` as a command: exit codes, what it lists for a person, filters and the
playbook's shape, on the run of a small offline tree (no root needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from attt.cli import main
from attt.remediation.catalog import FIXES, HUMAN


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A level-3 dir: scan of a tiny tree: sshd allows root login, login.defs is lax."""

    tree = tmp_path_factory.mktemp("tree") / "web01"
    (tree / "etc/ssh").mkdir(parents=True)
    (tree / "etc/ssh/sshd_config").write_text("PermitRootLogin yes\n")
    (tree / "etc/login.defs").write_text("PASS_MAX_DAYS\t99999\n")
    (tree / "etc/passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    (tree / "etc/shadow").write_text("root:*:19000:0:99999:7:::\n")
    out = tree.parent / "run"
    result = CliRunner().invoke(main, ["scan", "-t", f"dir:{tree}", "--level", "3", "-o",
                                       str(out), "-q", "-f", "json"], catch_exceptions=False)
    assert result.exit_code in (0, 1, 3), result.output
    return out


def test_playbook_tasks_are_tagged_and_bilingual(run: Path, tmp_path: Path) -> None:
    target = tmp_path / "fix.yml"
    result = CliRunner().invoke(main, ["remediate", str(run), "-o", str(target)])
    assert result.exit_code == 0, result.output
    play = yaml.safe_load(target.read_text())[0]
    by_tag = {t["tags"][-1]: t for t in play["tasks"]}
    root = by_tag["ssh.root_login_disabled"]
    assert "TT12.KT.MC.2" in root["tags"]
    assert root["name"] == "Cấm đăng nhập SSH bằng tài khoản root / Deny SSH login as root"
    assert root["vars"]["attt_hosts"] == ["web01"]
    assert root["ansible.builtin.lineinfile"]["line"] == "PermitRootLogin no"
    assert by_tag["accounts.password_max_age"]["ansible.builtin.lineinfile"]["line"] == (
        "PASS_MAX_DAYS\t90")  # the level's parameter, from the finding
    # Listed on stdout (Vietnamese, then English) and in the header, not fixed.
    assert "Needs a decision by a person" in result.output
    vi, en = HUMAN["ssh.non_default_port"].reason_vi, HUMAN["ssh.non_default_port"].reason_en
    assert result.output.index(vi) < result.output.index(en)
    header = target.read_text().split("---\n")[0]
    assert "ssh.non_default_port" in header and "ssh.non_default_port" not in by_tag


def test_sh_to_stdout_keeps_stdout_for_the_script(run: Path) -> None:
    result = CliRunner().invoke(main, ["remediate", str(run), "--format", "sh", "-o", "-"])
    assert result.exit_code == 0
    assert result.stdout.startswith("#!/bin/sh\n")
    assert "set -eu" in result.stdout and "(not fixed)" not in result.stdout


def test_host_filter_leaves_other_hosts_out(run: Path) -> None:
    result = CliRunner().invoke(main, ["remediate", str(run), "--host", "db*", "-o", "-"])
    assert result.exit_code == 0
    play = yaml.safe_load(result.stdout.split("---\n", 1)[1])[0]
    assert play["tasks"] == []


def test_apply_live_adds_the_handlers_that_touch_the_running_system(run: Path) -> None:
    # This tree's sysctl findings fail too: --apply-live notifies sysctl -p.
    off = CliRunner().invoke(main, ["remediate", str(run), "-o", "-"]).stdout
    on = CliRunner().invoke(main, ["remediate", str(run), "-o", "-", "--apply-live"]).stdout
    assert "sysctl -p" not in off and "sysctl -p /etc/sysctl.d/60-attt.conf" in on


@pytest.mark.parametrize("name", ["missing", "empty"])
def test_bad_run_folder_exits_2(tmp_path: Path, name: str) -> None:
    folder = tmp_path / name
    if name == "empty":
        folder.mkdir()
    result = CliRunner().invoke(main, ["remediate", str(folder)])
    assert result.exit_code == 2
    assert "attt: error" in result.output


def test_registry_has_one_answer_per_check() -> None:
    from attt.library import load_all
    from attt.registry import CHECKS

    load_all()
    assert not set(FIXES) & set(HUMAN)
    assert set(FIXES) | set(HUMAN) <= set(CHECKS)
    # Host checks of Linux all have an answer; network checks are not fixed on a host.
    linux = {c for c in CHECKS if not c.startswith(("win.", "net."))}
    assert linux <= set(FIXES) | set(HUMAN), sorted(linux - set(FIXES) - set(HUMAN))


V1_RUN = Path(__file__).resolve().parents[1] / "fixtures" / "results-v1"


def test_results_v1_hosts_sharing_a_fix_share_one_task() -> None:
    result = CliRunner().invoke(main, ["remediate", str(V1_RUN), "-o", "-"])
    assert result.exit_code == 0, result.output
    play = yaml.safe_load(result.stdout.split("---\n", 1)[1])[0]
    root = next(t for t in play["tasks"] if t["tags"][-1] == "ssh.root_login_disabled")
    assert sorted(root["vars"]["attt_hosts"]) == ["may-a", "may-b"]
    assert sum(t["tags"][-1] == "ssh.root_login_disabled" for t in play["tasks"]) == 1


def test_a_failing_check_without_a_fix_is_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(FIXES, "ssh.root_login_disabled")
    result = CliRunner().invoke(main, ["remediate", str(V1_RUN), "-o", "-"])
    assert result.exit_code == 0
    assert "ssh.root_login_disabled" not in result.stdout.split("---\n", 1)[1]
    listed = result.stderr.split("No automatic fix known (not fixed):", 1)[1]
    assert "ssh.root_login_disabled (may-a, may-b)" in listed or (
        "ssh.root_login_disabled (may-b, may-a)" in listed)
    assert "attt chưa có cách khắc phục tự động" in result.stdout.split("---\n", 1)[0]


def test_header_warns_and_keeps_names_inside_the_comment(run: Path) -> None:
    from attt.remediation import build_plan
    from attt.remediation.header import header_lines

    plan = build_plan(str(run))
    plan.human[0].hosts.append("evil\nhosts: all")
    lines = header_lines(plan, apply_live=False)
    assert all("\n" not in line for line in lines)
    assert any("evil?hosts: all" in line for line in lines)
    text = "\n".join(lines)
    # Denying root over SSH is announced before anyone runs it.
    assert "root cannot log in over SSH" in text and "LƯU Ý TRƯỚC KHI CHẠY" in text


@pytest.mark.parametrize(("pattern", "fixed"), [("adhoc", True), ("other-*", False)])
def test_system_filter(run: Path, pattern: str, fixed: bool) -> None:
    result = CliRunner().invoke(main, ["remediate", str(run), "--system", pattern, "-o", "-"])
    assert result.exit_code == 0
    play = yaml.safe_load(result.stdout.split("---\n", 1)[1])[0]
    assert bool(play["tasks"]) is fixed


def test_a_symlink_at_the_output_name_is_replaced_never_written_through(
        run: Path, tmp_path: Path) -> None:
    victim = tmp_path / "victim.conf"
    victim.write_text("untouched\n")
    target = tmp_path / "fix.sh"
    target.symlink_to(victim)
    result = CliRunner().invoke(main, ["remediate", str(run), "--format", "sh", "-o",
                                       str(target)])
    assert result.exit_code == 0, result.output
    assert victim.read_text() == "untouched\n"
    assert not target.is_symlink() and target.read_text().startswith("#!")
    assert target.stat().st_mode & 0o111
