"""profiles show / diff / coverage and evidence template through CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from attt.cli import main
from attt.evidence import load_evidence


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_profiles_show_prints_the_level_table() -> None:
    code, out = run("profiles", "show", "nd85-tt12", "3")
    assert code == 0
    assert out.startswith("nd85-tt12-3:")
    assert "TT12.KT.MC.2" in out and "kiểm tra: ssh.root_login_disabled" in out
    assert "tham số đang áp dụng:" in out
    assert "password.min_length.min_length = 10  (profile nd85-tt12-3)" in out
    code, out = run("profiles", "show", "nd85-tt12", "3", "--lang", "en")
    assert code == 0 and "checks: ssh.root_login_disabled" in out
    assert "parameters in force:" in out and "kiểm tra" not in out
    code, out = run("profiles", "show", "law116-nd331", "2", "--lang", "en")
    assert code == 0 and "not verified" in out


def test_profiles_diff_shows_what_a_level_adds() -> None:
    code, out = run("profiles", "diff", "2", "3")
    assert code == 0
    assert "nd85-tt12-2 -> nd85-tt12-3" in out
    assert "+ TT12.QL.VH.4" in out  # endpoint security management is new at level 3
    assert "^ password.min_length.min_length: 8 -> 10" in out
    code, out = run("profiles", "diff", "3", "4", "--regime", "law116-nd331")
    assert code == 0 and "law116-nd331-3 -> law116-nd331-4" in out


def test_profiles_coverage_table() -> None:
    code, out = run("profiles", "coverage", "--groups")
    assert code == 0
    rows = [line for line in out.splitlines() if line.startswith("| nd85-tt12-")]
    assert len(rows) == 5
    cells = rows[2].split("|")
    assert int(cells[4]) > 0 and int(cells[5]) > 0  # requirements, automated
    assert "law116-nd331-5" in out and "số kiểm tra theo nhóm" in out
    assert rows[0].startswith("| nd85-tt12-1 | nd85-tt12 | 1 |")
    assert out.startswith("| hồ sơ yêu cầu | chế độ | cấp độ |")


def test_evidence_template_lists_every_document_and_loads(tmp_path: Path) -> None:
    inv = tmp_path / "inv.yaml"
    inv.write_text("systems:\n  - {name: cong, level: 3, hosts: []}\n")
    out = tmp_path / "ev.yaml"
    code, text = run("evidence", "template", "--system", "cong", "-i", str(inv), "-o", str(out))
    assert code == 0, text
    body = out.read_text()
    assert "requirement: TT12.QL.CS.1" in body and "TT12.CHUNG.4" in body
    assert load_evidence(str(out)).documents == ()  # unfilled entries are "still to provide"
    code, text = run("evidence", "template", "--system", "cong", "-i", str(inv), "-o", str(out))
    assert code == 2 and "not overwritten" in text
    code, text = run("evidence", "template", "--system", "nope", "-i", str(inv), "-o", "-")
    assert code == 2 and "no system 'nope'" in text


def test_scan_with_evidence_attests_documents(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (tmp_path / "quy-che.pdf").write_bytes(b"%PDF quy che")
    ev = tmp_path / "ev.yaml"
    ev.write_text(
        "system: adhoc\napproval_date: 2026-06-01\ndocuments:\n"
        "  - {requirement: TT12.CHUNG.4, number: 15/QĐ-UBND, title: Quy chế bảo đảm ATTT,"
        " issued: 2026-05-01, approver: Chủ tịch UBND, file: quy-che.pdf}\n"
        "  - {requirement: TT12.QL.CS.1, title: Chính sách ATTT, issued: 2026-01-01,"
        " file: missing.pdf}\n")
    out = tmp_path / "run"
    result = CliRunner().invoke(main, ["scan", "-t", f"dir:{root}", "--evidence", str(ev),
                                       "-o", str(out), "-q"], catch_exceptions=False)
    assert result.exit_code in (1, 3), result.output
    doc = json.loads((out / "results.json").read_text())
    reqs = {r["id"]: r for r in doc["systems"][0]["requirements"]}
    assert reqs["TT12.CHUNG.4"]["status"] == "pass"
    sha = reqs["TT12.CHUNG.4"]["documents"][0]["document"]["sha256"]
    assert sha and len(sha) == 64
    assert reqs["TT12.QL.CS.1"]["status"] == "fail"
    assert "not found" in reqs["TT12.QL.CS.1"]["documents"][0]["message"]
    assert reqs["TT12.QL.CS.2"]["status"] == "manual"
    layer1 = doc["systems"][0]["layer_detail"]["1"]
    assert layer1["documents"]["attested"] >= 1 and layer1["documents"]["failed"] >= 1
    html = (out / "report.html").read_text()
    assert "15/QĐ-UBND" in html and sha[:16] in html
    bad = tmp_path / "bad.yaml"
    bad.write_text("documents:\n  - {requirement: TT12.NOPE, title: x, issued: 2026-01-01}\n")
    result = CliRunner().invoke(main, ["scan", "-t", f"dir:{root}", "--evidence", str(bad),
                                       "-o", str(tmp_path / "r2"), "-q"])
    assert result.exit_code == 2
    assert f"{bad}: documents[0].requirement" in result.output
