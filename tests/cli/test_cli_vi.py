"""The command line speaks the officer's language: Vietnamese by default, English with
``--lang en`` or ``ATTT_LANG=en``; every ``--help`` in both (issue 10 items 1 and 6)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from attt.cli import main
from attt.commands._summary import BLOCKING_SHOWN, system_lines
from attt.messages import render

# Vietnamese letters that English text never has: a line with none of them is not Vietnamese.
VI_LETTERS = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữự"
                        r"ỳýỷỹỵ]")
# What the summary and progress printed before they were translated.
OLD_ENGLISH = ("pass=", "fail=", "manual=", "Blocking requirements", "Report written", "ok (",
               "Hosts scanned", "Exit code", "Not compliant", "Score:", " pass,", "(+")


def make_rootfs(root: Path) -> Path:
    (root / "etc/ssh").mkdir(parents=True)
    (root / "etc/ssh/sshd_config").write_text("PermitRootLogin yes\nPasswordAuthentication yes\n")
    (root / "etc/login.defs").write_text("PASS_MAX_DAYS 99999\nPASS_MIN_LEN 5\n")
    return root


def scan(tmp_path: Path, *extra: str, env: dict[str, str] | None = None) -> Result:
    rootfs = make_rootfs(tmp_path / "rootfs")
    args = ["scan", "-t", f"dir:{rootfs}", "-o", str(tmp_path / "run"), "-f", "json",
            "--no-network", "--no-history", *extra]
    return CliRunner(env=env).invoke(main, args, catch_exceptions=False)


@pytest.fixture(autouse=True)
def _no_lang_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ATTT_LANG", raising=False)


def _doc(tmp_path: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((tmp_path / "run/results.json").read_text())
    return data


def test_scan_summary_is_vietnamese_by_default(tmp_path: Path) -> None:
    res = scan(tmp_path)
    assert res.exit_code == 1, res.output
    for old in OLD_ENGLISH:
        assert old not in res.stdout and old not in res.stderr, old
    system = _doc(tmp_path)["systems"][0]  # type: ignore[index]
    passed = sum(r["counts"].get("pass", 0) for r in system["requirements"])
    total = sum(n for r in system["requirements"] for s, n in r["counts"].items()
                if s != "not_applicable")
    assert f"{passed}/{total} kiểm tra đạt" in res.stdout
    assert "Mức tuân thủ theo yêu cầu: 0,0% (hạng F)" in res.stdout
    assert "Không đạt 3" in res.stdout or "Không đạt" in res.stdout
    # The blocking requirements with their Vietnamese titles, the rest counted in words.
    blocking = system["verdict"]["blocking"]
    assert len(blocking) > BLOCKING_SHOWN
    titles = {r["id"]: r["title_vi"] for r in system["requirements"]}
    shown = [ln.split()[0] for ln in res.stdout.splitlines() if ln.startswith("    TT12.")]
    status = {r["id"]: r["status"] for r in system["requirements"]}
    assert len(shown) == BLOCKING_SHOWN and status[shown[0]] == "fail"  # worst first
    for rid in shown:
        assert f"{titles[rid]}" in res.stdout
    assert f"... và {len(blocking) - BLOCKING_SHOWN} yêu cầu chưa đáp ứng khác" in res.stdout
    assert "Đã ghi báo cáo vào" in res.stdout and "Mã thoát: 1" in res.stdout
    # The progress line on stderr (not a terminal: one plain line per host).
    assert re.search(r"\[1/1\] adhoc/rootfs: Đã quét \(Không đạt \d+", res.stderr), res.stderr


@pytest.mark.parametrize("how", ["env", "flag"])
def test_scan_summary_in_english_on_request(tmp_path: Path, how: str) -> None:
    res = (scan(tmp_path, env={"ATTT_LANG": "en"}) if how == "env"
           else scan(tmp_path, "--lang", "en"))
    assert res.exit_code == 1, res.output
    assert _doc(tmp_path)["run"]["lang"] == "en"  # type: ignore[index]
    assert re.search(r"Requirement score: 0\.0% \(F\); \d+/\d+ checks passed", res.stdout)
    assert "Blocking requirements (" in res.stdout and "more requirements" in res.stdout
    assert "Report written to" in res.stdout and "Exit code: 1" in res.stdout
    assert "adhoc/rootfs: Scanned (Fail" in res.stderr
    assert not VI_LETTERS.search(res.stdout + res.stderr), res.output


def test_an_unfinished_system_shows_incomplete_not_a_grade(tmp_path: Path) -> None:
    assert scan(tmp_path).exit_code == 1
    doc = _doc(tmp_path)
    system = doc["systems"][0]  # type: ignore[index]
    finished = [render(m, "vi") for m in system_lines(system, doc["run"], "vi")]  # type: ignore[index]
    assert "(hạng F)" in finished[1] and "Chưa hoàn tất" not in "\n".join(finished)
    system["hosts"][0]["state"] = "unreachable"
    lines = [render(m, "vi") for m in system_lines(system, doc["run"], "vi")]  # type: ignore[index]
    assert lines[0].endswith(": Chưa hoàn tất")
    assert lines[1].startswith("Mức tuân thủ theo yêu cầu: Chưa hoàn tất;")
    assert "hạng" not in lines[1] and "kiểm tra đạt" in lines[1]
    english = [render(m, "en") for m in system_lines(system, doc["run"], "en")]  # type: ignore[index]
    assert english[0].endswith(": Incomplete scan") and "(F)" not in english[1]


def test_errors_in_vietnamese_then_english(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["scan", "-i", "inv.yaml", "-t", "local"])
    assert res.exit_code == 2
    assert res.stderr.splitlines() == [
        "attt: lỗi: --target: chỉ dùng một trong hai tùy chọn --inventory hoặc --target",
        "attt: error: --target: give either --inventory or --target, not both",
    ]
    res = CliRunner(env={"ATTT_LANG": "en"}).invoke(main, ["scan", "-i", "inv.yaml",
                                                           "-t", "local"])
    assert res.stderr.splitlines() == [
        "attt: error: --target: give either --inventory or --target, not both"]
    # A loader's plain English message (not translated yet) is printed once, as it is.
    res = CliRunner().invoke(main, ["validate", "--kind", "inventory",
                                    str(tmp_path / "missing.yaml")])
    assert res.exit_code == 2 and "missing.yaml" in res.stdout


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[
        tuple[tuple[str, ...], click.Command]]:
    for name, command in sorted(group.commands.items()):
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))


def _bilingual(text: str) -> bool:
    """Vietnamese, then `` / `` and English (an ASCII sentence of a few words)."""

    if " / " not in text:
        return False
    vi, _, en = text.partition(" / ")
    return bool(VI_LETTERS.search(vi)) and bool(re.search(r"[A-Za-z]{3,} [A-Za-z]{2,}", en))


ALL = list(_commands(main))


@pytest.mark.parametrize("path,command", ALL, ids=[" ".join(p) for p, _ in ALL])
def test_every_help_is_vietnamese_then_english(path: tuple[str, ...],
                                               command: click.Command) -> None:
    res = CliRunner().invoke(main, [*path, "--help"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert VI_LETTERS.search(res.output) and "Usage:" in res.output
    assert _bilingual(" ".join((command.help or "").split())), command.help
    for param in command.params:
        if isinstance(param, click.Option):
            assert _bilingual(" ".join((param.help or "").split())), (param.name, param.help)


def test_top_level_help_and_version_option_are_bilingual() -> None:
    for param in main.params:
        assert isinstance(param, click.Option)
        assert _bilingual(" ".join((param.help or "").split())), (param.name, param.help)
    assert _bilingual(" ".join((main.help or "").replace("\n\n", " / ", 1).split()))


def _vi(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_other_commands_print_vietnamese(tmp_path: Path) -> None:
    res = _vi("level", "suggest", "--users", "100")
    assert res.exit_code == 0 and "=> cấp độ 1:" in res.stdout and "=> level" not in res.stdout
    assert res.stdout.startswith("Nghị định 85/2016/NĐ-CP (nd85-tt12): đề xuất cấp độ 1")
    res = _vi("checks", "list")
    assert "nguồn dữ liệu: " in res.stdout and "probes:" not in res.stdout
    db = str(tmp_path / "history.sqlite3")
    rootfs = make_rootfs(tmp_path / "recorded")
    for name in ("h1", "h2"):
        assert _vi("scan", "-t", f"dir:{rootfs}", "-o", str(tmp_path / name), "-f", "json",
                   "-q", "--no-network", "--db", db).exit_code == 1
    res = _vi("history", "--db", db)
    assert res.exit_code == 0, res.output
    assert "mã lần quét" in res.stdout and "hệ thống / tệp khai báo" in res.stdout
    assert "run id" not in res.stdout and "0,0%" in res.stdout
    res = _vi("diff", "previous", "latest", "--db", db)
    assert res.exit_code == 0, res.output
    assert "Mục mới không đạt: 0" in res.stdout and "Đã khắc phục: 0" in res.stdout
    assert "New failures" not in res.stdout
    res = _vi("keys", "generate", "-o", str(tmp_path / "k"), "--no-passphrase")
    assert res.exit_code == 0, res.output
    assert "khóa bí mật: " in res.stdout and "(quyền 0600, không mã hóa)" in res.stdout
    assert "dấu vân tay: SHA256:" in res.stdout
    assert scan(tmp_path, "--sign", str(tmp_path / "k/attt-signing.key")).exit_code == 1
    res = _vi("verify", str(tmp_path / "run"))
    assert res.exit_code == 0 and res.stdout.startswith("HỢP LỆ  ")
    assert "lưu ý: không có --key" in res.stderr
    (tmp_path / "run/results.json").write_text("{}")
    res = _vi("verify", str(tmp_path / "run"))
    assert res.exit_code == 1
    assert "ĐÃ SỬA   results.json" in res.stdout and "BỊ SỬA ĐỔI  " in res.stdout
    for english in ("TAMPERED", "CHANGED", "OK  ", "files intact"):
        assert english not in res.output


@pytest.mark.parametrize("gate", [
    ["--fail-on", "high"], ["--fail-under", "100"], ["--fail-on", "critical", "--max-errors", "0"],
    ["--fail-on", "critical"], ["--fail-on", "critical", "--max-errors", "100000"],
])
def test_gate_reasons_in_vietnamese(tmp_path: Path, gate: list[str]) -> None:
    res = scan(tmp_path, *gate)
    line = next(ln for ln in res.stdout.splitlines() if ln.startswith("Cổng CI: "))
    assert line.endswith(f"→ mã thoát {res.exit_code}")
    # Every reason attt.gates records is said in Vietnamese: none of its English words.
    for english in ("tripped", "passed", "errors (", "failed requirements", "→ exit"):
        assert english not in line, line


def test_a_real_scan_with_an_unreachable_host_says_incomplete(tmp_path: Path) -> None:
    root = make_rootfs(tmp_path / "root")
    inventory = tmp_path / "inv.yaml"
    inventory.write_text(
        "systems:\n  - name: anh\n    level: 2\n    hosts:\n"
        f"      - {{name: h0, transport: dir, path: {root}}}\n"
        f"      - {{name: h1, transport: dir, path: {tmp_path / 'gone'}}}\n")
    res = _vi("scan", "-i", str(inventory), "-o", str(tmp_path / "run"), "-f", "json",
              "--no-network", "--no-history")
    assert res.exit_code in (1, 3), res.output
    assert "Hệ thống anh (nd85-tt12-2): Chưa hoàn tất" in res.stdout
    assert re.search(r"Mức tuân thủ theo yêu cầu: Chưa hoàn tất; \d+/\d+ kiểm tra đạt", res.stdout)
    assert "(hạng " not in res.stdout and "Số máy gặp lỗi: 1" in res.stdout


def test_click_usage_errors_are_introduced_in_vietnamese() -> None:
    res = CliRunner().invoke(main, ["scan", "--bogus"])
    assert res.exit_code == 2
    lines = res.stderr.splitlines()
    assert lines[0].startswith("attt: lỗi: câu lệnh không hợp lệ")
    assert "No such option '--bogus'" in res.stderr  # click's own precise words follow
    english = CliRunner(env={"ATTT_LANG": "en"}).invoke(main, ["scan", "--bogus"])
    assert english.exit_code == 2 and not VI_LETTERS.search(english.stderr)
