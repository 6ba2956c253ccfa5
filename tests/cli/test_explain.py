"""checks show / requirements show through CliRunner: the real mapping, both directions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from attt.cli import main
from attt.commands import explain

REPO = Path(__file__).resolve().parents[2]


def run(*args: str, lang: str = "en") -> tuple[int, str]:
    # English unless a test is about the Vietnamese text: these tests read the structure.
    result = CliRunner(env={"ATTT_LANG": lang}).invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_checks_and_requirements_show_in_vietnamese() -> None:
    code, out = run("checks", "show", "ssh.root_login_disabled", lang="vi")
    assert code == 0, out
    assert "lý do: " in out and "biện pháp khắc phục: Đặt" in out
    assert "\nrationale:" not in out and "\nprobes:" not in out
    code, out = run("requirements", "show", "TT12.KT.MC.2", lang="vi")
    assert code == 0, out
    assert "  nhóm: server; lớp 1; mức độ nghiêm trọng high; automated" in out
    assert "  cấp độ 1 (nd85-tt12-1)" in out and "kiểm tra ssh.root_login_disabled" in out


def test_checks_show_text() -> None:
    code, out = run("checks", "show", "ssh.root_login_disabled", "--lang", "en")
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0] == "ssh.root_login_disabled  (high, host)"
    assert "  en: Direct root login over SSH is disabled" in lines
    assert "  allow_prohibit_password = False" in lines
    assert "remediation: Set 'PermitRootLogin no'" in out
    # Used at every level of both regimes, by one requirement each.
    assert any(line.split()[:4] == ["nd85-tt12", "levels", "1-5", "TT12.KT.MC.2"]
               for line in lines)
    assert any(line.split()[:4] == ["law116-nd331", "levels", "1-5", "TCVN14423.TK.10"]
               for line in lines)
    probes = [line.split() for line in lines if line.startswith("  sshd_")]
    assert [p[0] for p in probes] == ["sshd_effective", "sshd_config_files"]
    for p in probes:
        path, line = p[1].rsplit(":", 1)
        assert (REPO / path).is_file() and int(line) > 0
        assert p[3].endswith(".parse_" + p[0])
    scenarios = len(list((REPO / "tests/checks/ssh.root_login_disabled").glob("*.yaml")))
    assert f"scenarios: {scenarios} (" in out


def test_checks_show_json_lists_each_level() -> None:
    code, out = run("checks", "show", "password.min_length", "--json")
    assert code == 0
    info = json.loads(out)
    assert info["id"] == "password.min_length"
    uses = {(u["profile"], u["requirement"]): u["params"] for u in info["requirements"]}
    # The level raises the parameter: 8 at level 2, 10 at level 3 (as profiles diff says).
    tt12 = {p: v["min_length"] for (p, _), v in uses.items() if p.startswith("nd85-tt12-")}
    assert tt12["nd85-tt12-2"] == 8 and tt12["nd85-tt12-3"] == 10
    assert all(u["level"] == int(u["profile"].rsplit("-", 1)[1]) for u in info["requirements"])
    assert info["scenarios"]["pass"] >= 1 and info["scenarios"]["fail"] >= 1
    probe = info["probes"][0]
    assert probe["where"].split(":")[0].endswith(".py") and probe["parser"].startswith("attt.")


def test_checks_show_network_check_and_unused_check() -> None:
    code, out = run("checks", "show", "net.tls_healthy")
    assert code == 0
    assert "(high, network)" in out
    assert any(line.split()[:4] == ["nd85-tt12", "levels", "3-5", "TT12.KT.UD.4"]
               for line in out.splitlines())
    assert "  net.tls " in out


def test_checks_show_unknown_id_suggests() -> None:
    code, out = run("checks", "show", "ssh.root_login")
    assert code == 2
    assert "no check 'ssh.root_login'; did you mean ssh.root_login_disabled?" in out
    code, out = run("checks", "show", "zzz")
    assert code == 2 and "no check 'zzz'" in out and "did you mean" not in out


def test_requirements_show_text() -> None:
    code, out = run("requirements", "show", "TT12.KT.MC.2")
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0] == "TT12.KT.MC.2  nd85-tt12  levels 1-5"
    assert "  group: server; layer 1; severity high; automated;" in out
    start, end = lines.index("  level 1 (nd85-tt12-1)"), lines.index("  level 2 (nd85-tt12-2)")
    level1 = lines[start + 1 : end]
    assert "    clauses: tt12 PL-I II.2/1.2.2; tcvn_11930 5.2.2.2" in level1
    assert "    check ssh.root_login_disabled  allow_prohibit_password=False" in level1
    assert "    check ssh.max_auth_tries_limited  max_auth_tries=4" in level1
    assert "    check win.rdp_nla" in level1
    assert not any("ssh.non_default_port" in line for line in level1)
    # Level 3 adds the non-default port; levels 4 and 5 add nothing.
    assert "    + check ssh.non_default_port  allowed_ports=[]" in lines
    assert lines[lines.index("  level 4 (nd85-tt12-4)") + 2] == (
        "    the 15 checks of the level below")  # 14 Linux checks and win.rdp_nla


def test_requirements_show_json_and_evidence() -> None:
    code, out = run("requirements", "show", "TT12.KT.MC.2", "--json")
    assert code == 0
    levels = json.loads(out)
    assert [e["level"] for e in levels] == [1, 2, 3, 4, 5]
    checks = {e["level"]: [c["id"] for c in e["checks"]] for e in levels}
    assert "ssh.non_default_port" not in checks[2] and "ssh.non_default_port" in checks[3]
    assert levels[0]["severity"] == "high" and levels[0]["layer"] == 1
    code, out = run("requirements", "show", "TT12.QL.CS.1", "--lang", "en", "--regime",
                    "nd85-tt12")
    assert code == 0
    assert "document doc1: Signed information-security policy of the system" in out
    assert "; evidence" in out


def test_requirements_show_errors() -> None:
    code, out = run("requirements", "show", "tt12.kt.mc.2")
    assert code == 2 and "did you mean TT12.KT.MC.2?" in out
    code, out = run("requirements", "show", "TT12.KT.MC.2", "--regime", "law116-nd331")
    assert code == 2 and "not a requirement of law116-nd331 (it is in nd85-tt12)" in out
    code, out = run("requirements", "show", "NOPE")
    assert code == 2 and "no requirement 'NOPE'" in out


def test_checks_show_without_tests_says_na(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # An installed package has no tests/checks beside it: the count is n/a, not 0.
    monkeypatch.setattr(explain, "source_root", lambda: tmp_path)
    code, out = run("checks", "show", "ssh.root_login_disabled")
    assert code == 0
    assert "scenarios: n/a" in out
    code, out = run("checks", "show", "ssh.root_login_disabled", "--json")
    assert json.loads(out)["scenarios"] is None
