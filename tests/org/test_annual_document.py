"""The annual report as a document: Form 08's wording verbatim, the DOCX layout (national
motto, subject line, landscape page for the wide table), the DOCX printed to PDF with
LibreOffice and read back (controlled values present, no English sentence, no key path),
signing and verification, and a report built from real scans of tiny dir: trees."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Mm

from attt.annual.labels import APPROVAL_LABELS, ASSESSMENT_LABELS, FORM08_COLUMNS, PLAN_LABELS
from attt.cli import main
from attt.dossier.context import vn_today
from attt.dossier.docx import TABLE_PT
from attt.dossier.docx_layout import CELL_PAD_MM, text_mm
from attt.i18n import gettext_for
from attt.signing import generate_keys
from tests.org.annual_fixture import Fixture, build
from tests.org.builders import inventory, organisation, tree

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "org-annual"
CONVERT_SECONDS = 180
SUBJECT = "V/v kết quả công tác bảo đảm an ninh mạng hệ thống thông tin"
# Words of an English sentence; none is Vietnamese.
ENGLISH = re.compile(r"\b(the|of|and|is|are|with|for|not|from|report|system|level|"
                     r"approved|scan|none|yes|no)\b", re.I)
KEY_PATHS = ("systems.", "approval.", "plan_full_expected", "regulation_complied", "solutions",
             "inputs", ".yaml", "units[", "ns_important")


@pytest.fixture(scope="module")
def fx(tmp_path_factory: pytest.TempPathFactory) -> Fixture:
    return build(tmp_path_factory.mktemp("annual-doc"))


def write(fx: Fixture, out: Path, *args: str) -> Path:
    result = CliRunner().invoke(main, ["org", "annual-report", str(fx.org), "--year", "2026",
                                       "--db", str(fx.db), "-o", str(out),
                                       "--today", "2026-12-01", *args])
    assert result.exit_code == 0, result.output
    return out


def test_form08_wording_is_verbatim() -> None:
    _ = gettext_for("vi")
    assert [_(APPROVAL_LABELS[k]) for k in ("drafting", "submitted", "appraised", "approved")
            ] == ["Đang dự thảo", "Đã gửi thẩm định", "Đã thẩm định", "Đã được phê duyệt"]
    assert [_(PLAN_LABELS[k]) for k in ("not_started", "partial", "full")] == [
        "Chưa triển khai", "Đã triển khai một số hạng mục", "Đã triển khai đầy đủ"]
    assert [_(ASSESSMENT_LABELS[k]) for k in ("before_go_live", "periodic")] == [
        "Trước khi đưa vào sử dụng", "Định kỳ"]
    assert [_(c) for c in FORM08_COLUMNS] == [
        "STT", "Tên HTTT", "Chủ quản HTTT", "Đơn vị vận hành HTTT", "Cấp độ đề xuất",
        "Tình trạng phê duyệt cấp độ", "Quyết định phê duyệt cấp độ",
        "Quy chế bảo đảm ANM cho hệ thống", "Dự kiến thời điểm phê duyệt HSĐXCĐ",
        "Đã triển khai đầy đủ PA BĐANM", "Dự kiến thời điểm triển khai đầy đủ PA BĐANM",
        "Đã kiểm tra, đánh giá ANM"]


def _texts(docx: Path) -> str:
    doc = Document(str(docx))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def test_form08_docx_layout(fx: Fixture, tmp_path: Path) -> None:
    docx = write(fx, tmp_path, "--regime", "law116-nd331") / "annual-report.docx"
    text = _texts(docx)
    for line in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", SUBJECT,
                 "Số: …/BC-…", "Kính gửi: Bộ Công an", "trước ngày 25/12/2026",
                 "- Tổng số hệ thống thông tin thuộc phạm vi quản lý: 4;",
                 "- Tổng số hệ thống thông tin đã được phê duyệt cấp độ: 1;",
                 "PHỤ LỤC 1", "PHỤ LỤC 2", "PHỤ LỤC 3", "Nơi nhận:"):
        assert line in text, line
    doc = Document(str(docx))
    wide = [t for t in doc.tables if len(t.columns) == 12]
    assert len(wide) == 1
    rows = [[c.text for c in r.cells] for r in wide[0].rows]
    assert rows[1] == [f"({i})" for i in range(1, 13)]
    cong = rows[2]
    assert cong[5:] == ["Đã được phê duyệt", "Số 12/QĐ-UBND, ngày 10/05/2025, UBND tỉnh Ví Dụ",
                        "Số 15/QĐ-SA, ngày 01/03/2025, Sở A", "", "Đã triển khai một số hạng mục",
                        "30/06/2027", "Trước khi đưa vào sử dụng; Định kỳ"]
    assert rows[3][5] == "Đã gửi thẩm định" and rows[3][8] == "31/03/2027"
    assert rows[3][9] == "Đã triển khai đầy đủ" and rows[3][10] == ""
    assert rows[4][5] == "Đã thẩm định" and rows[4][9] == "Chưa triển khai"
    assert rows[5][5] == "…………" and rows[5][9] == "…………" and rows[5][11] == ""
    assert any(s.orientation == WD_ORIENT.LANDSCAPE for s in doc.sections)
    # The form's proportions, fixed: a date column holds dd/mm/yyyy on one line.
    widths = [c.width / Mm(1) for c in wide[0].rows[0].cells]
    assert abs(sum(widths) - 257) < 1
    assert min(widths[8], widths[10]) > text_mm("30/06/2027", TABLE_PT) + CELL_PAD_MM
    assert not any(k in text for k in KEY_PATHS)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is required in CI (scripts/test-all.sh installs it)")
        pytest.skip(f"{name} not installed")
    return found


@pytest.mark.parametrize("regime", ["law116-nd331", "nd85-tt12"])
def test_pdf_from_libreoffice(fx: Fixture, tmp_path: Path, regime: str) -> None:
    soffice = _tool("soffice")
    out = write(fx, tmp_path / "out", "--regime", regime)
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(out / "annual-report.docx")], check=True, capture_output=True,
                   env={**os.environ, "HOME": str(tmp_path / "home")},
                   timeout=CONVERT_SECONDS)
    pdf = tmp_path / "annual-report.pdf"
    text = subprocess.run([_tool("pdftotext"), str(pdf), "-"], check=True,
                          capture_output=True, text=True, timeout=60).stdout
    flat = " ".join(text.split())
    values = ["Đã triển khai một số hạng mục", "Chưa triển khai", "Đã đáp ứng đầy đủ",
              "Chưa đáp ứng đầy đủ", "Dò quét, đánh giá bằng attt ngày 01/11/2026"]
    if regime == "law116-nd331":
        values += ["Đã được phê duyệt", "Đã gửi thẩm định", "Đã thẩm định", "Định kỳ",
                   "Trước khi đưa vào sử dụng", SUBJECT,
                   "Cột (12) tính là kiểm tra, đánh giá định kỳ các lần dò quét"]
    else:
        values += ["Kết quả công tác bảo đảm an toàn hệ thống thông tin theo cấp độ năm 2026",
                   "Thông tin khác"]
    for value in values:
        assert value.casefold() in flat.casefold(), value
    english = [line for line in text.splitlines() if ENGLISH.search(line)]
    assert english == []
    assert [k for k in KEY_PATHS if k in text] == []
    if shutil.which("pdftoppm"):
        # For a person to look at.
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(ARTIFACTS / regime)],
                       check=True, capture_output=True, timeout=120)


def test_signed_folder_verifies_and_tampering_is_caught(fx: Fixture, tmp_path: Path) -> None:
    keys = generate_keys(str(tmp_path / "keys"), None)
    out = write(fx, tmp_path / "signed", "--sign", keys.private_path)
    assert (out / "manifest.json").is_file() and (out / "manifest.sig").is_file()
    assert (out / "evidence" / "organisation.yaml").is_file()
    assert (out / "evidence" / "so-a" / "inputs-2026.yaml").is_file()
    ok = CliRunner().invoke(main, ["verify", str(out), "-k", keys.public_path])
    assert ok.exit_code == 0, ok.output
    with (out / "annual-report.json").open("a") as fh:
        fh.write(" ")
    bad = CliRunner().invoke(main, ["verify", str(out)])
    assert bad.exit_code == 1 and "annual-report.json" in bad.output


def test_check_and_sign_together_are_refused(fx: Fixture, tmp_path: Path) -> None:
    keys = generate_keys(str(tmp_path / "keys"), None)
    result = CliRunner().invoke(main, ["org", "annual-report", str(fx.org), "--year", "2026",
                                       "--check", "--sign", keys.private_path])
    assert result.exit_code == 2


def test_report_from_real_scans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs recorded by attt scan --unit itself, on tiny dir: trees."""

    db = tmp_path / "history.sqlite3"
    monkeypatch.setenv("ATTT_DB", str(db))
    tree(tmp_path / "u1" / "t")
    inv = inventory(tmp_path / "u1" / "inventory.yaml", {"web-u1": ["t"]})
    org = organisation(tmp_path / "organisation.yaml", [
        {"id": "u1", "name": "Sở U1", "kind": "so_ban_nganh",
         "inventories": ["u1/inventory.yaml"]}])
    scan = CliRunner().invoke(main, ["scan", "-i", str(inv), "--unit", "u1", "-o",
                                     str(tmp_path / "run")])
    assert scan.exit_code in (0, 1, 3), scan.output
    today = vn_today()  # the run is recorded now: report on the period it falls in
    year = today.year + (1 if (today.month, today.day) >= (12, 15) else 0)
    result = CliRunner().invoke(main, ["org", "annual-report", str(org), "--year", str(year),
                                       "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    import json
    data = json.loads((tmp_path / "out" / "annual-report.json").read_text())
    row = data["rows"][0]
    assert row["name"] == "web-u1" and len(row["attt_runs"]) == 1
    assert row["plan"] in ("not_started", "partial", "full")
    assert row["applicable"] == len(row["annex"]) > 0
    assert row["met"] == sum(1 for a in row["annex"] if a["met"])


def _html_text(path: Path) -> str:
    html = path.read_text(encoding="utf-8")
    html = re.sub(r"<style.*?</style>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", "\n", html)


@pytest.mark.parametrize("regime", ["law116-nd331", "nd85-tt12"])
def test_html_is_vietnamese_without_key_paths(fx: Fixture, tmp_path: Path,
                                              regime: str) -> None:
    text = _html_text(write(fx, tmp_path / "vi", "--regime", regime) / "annual-report.html")
    assert [line for line in text.splitlines() if ENGLISH.search(line)] == []
    assert [k for k in KEY_PATHS if k in text] == []
    # The same check finds the English rendering: it can fail.
    english = _html_text(write(fx, tmp_path / "en", "--regime", regime, "--lang", "en")
                         / "annual-report.html")
    assert len([line for line in english.splitlines() if ENGLISH.search(line)]) > 10
