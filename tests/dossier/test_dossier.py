"""``attt dossier`` on the bundled demo inventory: DOCX structure, every requirement in the
plan, the HTML in headless Chromium, ``--check`` exit codes, the law116 variant, bad inputs."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from docx import Document

from attt.cli import main
from attt.inventory_loader import bundled_inventory
from attt.profile_loader import load_profile

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "browser"))
from chromium import find_chromium, open_page

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
DEMO = bundled_inventory("demo-so-tinh.yaml")
SYSTEM = "cong-dich-vu-cong"
PARTS_VI = ("Phần A.", "Phần B.", "Phần C.")


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def _docx(folder: Path, system: str = SYSTEM) -> Path:
    return folder / f"ho-so-cap-do-{system}.docx"


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dossier")
    code, output = _run("dossier", "-i", DEMO, "--system", SYSTEM, "-o", str(out))
    assert code == 0, output
    return out


def test_docx_has_three_parts_and_every_requirement(demo_out: Path) -> None:
    doc = Document(str(_docx(demo_out)))
    h1 = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    for part in PARTS_VI:
        assert any(h.startswith(part) for h in h1), h1
    # The final document has no gaps table (that is the --check working copy's).
    assert not any("Nội dung cần bổ sung" in h for h in h1)
    h2 = [p.text for p in doc.paragraphs if p.style is not None and p.style.name == "Heading 2"]
    assert any(h.startswith("A.5. ") for h in h2) and any(h.startswith("C.1. ") for h in h2)
    assert any(p.style is not None and p.style.name == "Heading 3" for p in doc.paragraphs)
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in "\n".join(
        c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "THUYẾT MINH HỒ SƠ ĐỀ XUẤT CẤP ĐỘ" in body
    # Plan tables: first column "Mã yêu cầu" holds the requirement id.
    plan_ids = {row.cells[0].text for t in doc.tables if t.rows[0].cells[0].text == "Mã yêu cầu"
                for row in t.rows[1:]}
    expected = {r.id for r in load_profile("nd85-tt12-3").requirements}
    assert expected <= plan_ids, sorted(expected - plan_ids)
    cells = {c.text for t in doc.tables for r in t.rows for c in r.cells}
    # Owner details, a main network device, the IP plan, the legal basis, an attested document.
    assert "Nguyễn Văn A" in cells and "fw-core" in cells
    assert any("198.51.100.64/27" in c for c in cells)
    assert any("khoản 2 Điều 9" in c for c in cells)
    assert any("30/QĐ-SKHCN" in c for c in cells)
    assert any(c == "Chưa quét" for c in cells)


def test_html_in_chromium_no_console_errors(demo_out: Path) -> None:
    if find_chromium() is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is required in CI")
        pytest.skip("Chromium not installed")
    html = demo_out / f"ho-so-cap-do-{SYSTEM}.html"
    text = html.read_text(encoding="utf-8")
    assert "Độc lập - Tự do - Hạnh phúc" in text and "<script" not in text
    for rid in (r.id for r in load_profile("nd85-tt12-3").requirements):
        assert f">{rid}<" in text, rid
    shot = ARTIFACTS / "dossier-demo.png"
    result = open_page(html, screenshot=shot, window=(1100, 3000))
    assert result.ok, result.describe()
    assert result.screenshot is not None and shot.stat().st_size > 10_000
    assert "Phần A. Thuyết minh tổng quan" in result.dom


def test_check_exits_1_while_gaps_remain() -> None:
    code, output = _run("dossier", "-i", DEMO, "--system", SYSTEM, "--check")
    assert code == 1, output
    assert "nội dung cần bổ sung" in output and "C.1" in output
    code, output = _run("dossier", "-i", DEMO, "--system", "quan-ly-van-ban", "--check")
    assert code == 1 and "A.1" in output  # owner given as a bare name: details missing


def _complete_inventory(tmp_path: Path, regime: str = "nd85-tt12", level: int = 3) -> Path:
    data = yaml.safe_load(Path(DEMO).read_text(encoding="utf-8"))
    system = data["systems"][0]
    system["regime"], system["level"] = regime, level
    system.pop("evidence")
    prof = load_profile(f"{regime}-{level}")
    system["solutions"] = {r.id: "Giải pháp đã triển khai (ví dụ)." for r in prof.requirements}
    if regime == "law116-nd331":
        system["threats"] = [{"scenario": "Tấn công SQLi vào DVC", "actor": "tội phạm mạng",
                              "vector": "web", "impact": "lộ dữ liệu", "controls": "WAF"}]
    data["systems"] = [system]
    path = tmp_path / "inv.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_check_exits_0_without_gaps(tmp_path: Path) -> None:
    inv = _complete_inventory(tmp_path)
    code, output = _run("dossier", "-i", str(inv), "--check")
    assert code == 0, output
    assert output.strip().splitlines()[-1].startswith("0 ")


def test_results_give_scan_status_and_remediation_gap(tmp_path: Path) -> None:
    inv = _complete_inventory(tmp_path)
    results = {
        "schema": "attt.results/1", "run": {"id": "r1", "finished": "2026-11-20T10:00:00+07:00"},
        "systems": [{"name": SYSTEM, "requirements": [
            {"id": "TT12.KT.MC.1", "status": "fail", "findings": [
                {"host": "web01", "status": "fail", "message": "root login allowed"},
                {"host": "web02", "status": "pass", "message": "ok"}]},
            {"id": "TT12.KT.MC.2", "status": "pass", "findings": [
                {"host": "web01", "status": "pass", "message": "ok"}]},
        ]}],
    }
    rpath = tmp_path / "results.json"
    rpath.write_text(json.dumps(results), encoding="utf-8")
    code, output = _run("dossier", "-i", str(inv), "--results", str(rpath), "--check")
    assert code == 1 and "TT12.KT.MC.1" in output and "C.5" in output, output
    out = tmp_path / "out"
    code, output = _run("dossier", "-i", str(inv), "--results", str(rpath), "-o", str(out),
                        "-f", "docx")
    assert code == 0, output
    cells = [c.text for t in Document(str(_docx(out))).tables for r in t.rows for c in r.cells]
    # The report's vocabulary: one failing host makes the requirement "Không đạt".
    assert "Không đạt" in cells and "Đạt" in cells and "Đạt một phần" not in cells
    assert any("web01: root login allowed" in c for c in cells)


def test_law116_variant(tmp_path: Path) -> None:
    inv = _complete_inventory(tmp_path, "law116-nd331", 3)
    code, output = _run("dossier", "-i", str(inv), "--check")
    assert code == 0, output
    out = tmp_path / "out"
    code, output = _run("dossier", "-i", str(inv), "-o", str(out))
    assert code == 0, output
    doc = Document(str(_docx(out)))
    heads = [p.text for p in doc.paragraphs if p.style is not None
             and p.style.name.startswith("Heading")]
    assert any("khoản 3 Điều 22 Nghị định số 331/2026/NĐ-CP" in h for h in heads)
    assert any(h.startswith("C.3. Các nội dung của phương án") for h in heads)
    assert any(h.startswith("B.3. Nhận diện rủi ro sơ bộ") for h in heads)
    assert any("BẢO VỆ AN NINH MẠNG" in p.text for p in doc.paragraphs)
    plan_ids = {row.cells[0].text for t in doc.tables if t.rows[0].cells[0].text == "Mã yêu cầu"
                for row in t.rows[1:]}
    assert {r.id for r in load_profile("law116-nd331-3").requirements} <= plan_ids


def test_level4_needs_annexes(tmp_path: Path) -> None:
    inv = _complete_inventory(tmp_path, "nd85-tt12", 4)
    code, output = _run("dossier", "-i", str(inv), "--check")
    assert code == 1
    assert "B.4.1" in output and "B.4.2" in output and "B.4.3" in output


def test_lower_level_than_criteria_is_a_gap(tmp_path: Path) -> None:
    inv = _complete_inventory(tmp_path, "nd85-tt12", 2)
    code, output = _run("dossier", "-i", str(inv), "--check")
    assert code == 1 and "B.2" in output and "(3)" in output, output


@pytest.mark.parametrize(("edit", "key"), [
    (lambda s: s.update(devices=[{"name": "x", "zone": "nowhere"}]), "devices[0].zone"),
    (lambda s: s.update(lifecycle="sometimes"), "lifecycle"),
    (lambda s: s["classification"].update(scope="galaxy"), "classification.scope"),
    (lambda s: s.update(services=[{"name": "s", "hosts": ["ghost"]}]), "services[0].hosts[0]"),
    (lambda s: s["owner"].update(phone_number="1"), "owner.phone_number"),
])
def test_bad_inventory_names_file_and_key(tmp_path: Path, edit, key: str) -> None:  # type: ignore[no-untyped-def]
    data = yaml.safe_load(Path(DEMO).read_text(encoding="utf-8"))
    edit(data["systems"][0])
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code, output = _run("dossier", "-i", str(path), "--system", SYSTEM, "--check")
    assert code == 2, output
    assert str(path) in output and f"systems[0].{key}" in output


def test_bad_results_and_unknown_system(tmp_path: Path) -> None:
    bad = tmp_path / "r.json"
    bad.write_text('{"schema": "attt.results/1", "systems": []}', encoding="utf-8")
    code, output = _run("dossier", "-i", DEMO, "--system", SYSTEM, "--results", str(bad))
    assert code == 2 and str(bad) in output and "systems" in output
    code, output = _run("dossier", "-i", DEMO, "--system", "nope", "--check")
    assert code == 2 and "nope" in output
    code, output = _run("dossier", "-i", DEMO, "--check")
    assert code == 2 and "--system" in output


def test_level_suggest_cli(tmp_path: Path) -> None:
    code, output = _run("level", "suggest", "--system-type", "citizen_business",
                        "--information", "personal", "--users", "10000")
    assert code == 0, output
    assert "đề xuất cấp độ 3" in output and "điểm c khoản 2 Điều 9" in output
    answers = tmp_path / "a.yaml"
    answers.write_text("system_type: infrastructure\nscope: nationwide\noperation_24x7: true\n",
                       encoding="utf-8")
    code, output = _run("level", "suggest", "--answers", str(answers))
    assert code == 0 and "khoản 3 Điều 10" in output
    answers.write_text("scope: planet\n", encoding="utf-8")
    code, output = _run("level", "suggest", "--answers", str(answers))
    assert code == 2 and f"{answers}: scope" in output


def test_sign_dossier_and_verify(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATTT_KEY_PASSPHRASE", "dossier-test-passphrase")
    code, output = _run("keys", "generate", "-o", str(tmp_path / "k"))
    assert code == 0, output
    out = tmp_path / "signed"
    code, output = _run("dossier", "-i", DEMO, "--system", SYSTEM, "-o", str(out),
                        "--sign", str(tmp_path / "k" / "attt-signing.key"))
    assert code == 0, output
    assert (out / "evidence" / "demo-so-tinh-evidence.yaml").is_file()
    pub = str(tmp_path / "k" / "attt-signing.pub")
    code, output = _run("verify", str(out), "-k", pub)
    assert code == 0, output
    docx = _docx(out)
    docx.write_bytes(docx.read_bytes() + b"x")
    code, output = _run("verify", str(out), "-k", pub)
    assert code == 1 and docx.name in output
