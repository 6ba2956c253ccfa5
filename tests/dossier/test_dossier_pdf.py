"""The demo dossier's DOCX as printed (issue 10 item 4): A4 pages with Decree 30/2020 margins
and Times New Roman 13, tables that fit their page (portrait or landscape) with a header row
repeated on each page and rows that may break, no row taller than a page; converted to PDF
with LibreOffice (scripts/test-all.sh installs it, with Liberation Serif, the free
metric-compatible substitute of Times New Roman) to check the page count and sizes, and
rendered to PNG in test-artifacts/ for a person to look at."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

from attt.cli import main
from attt.dossier.docx import TABLE_PT
from attt.dossier.docx_layout import row_height_mm
from attt.inventory_loader import bundled_inventory
from attt.profile_loader import load_profile

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "dossier-pdf"
DEMO = bundled_inventory("demo-so-tinh.yaml")
SYSTEM = "cong-dich-vu-cong"
CONVERT_SECONDS = 180
PAGES = range(8, 31)  # the demo fills about 15 pages; far outside this, the layout broke


def _twips_mm(value: int) -> float:
    return value / 1440 * 25.4


@pytest.fixture(scope="module")
def demo_docx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dossier-pdf")
    result = CliRunner().invoke(main, ["dossier", "-i", DEMO, "--system", SYSTEM, "-o", str(out),
                                       "-f", "docx"])
    assert result.exit_code == 0, result.output
    return out / f"ho-so-cap-do-{SYSTEM}.docx"


def _tables_by_section(path: Path) -> list[tuple[float, float, object]]:
    """(usable width mm, usable height mm, table element) for each body table, with the
    geometry of the section it lies in (a section ends at the paragraph carrying its
    sectPr; the last one is the body's)."""

    doc = Document(str(path))
    sections = list(doc.sections)
    out: list[tuple[int, object]] = []
    index = 0
    for el in doc.element.body.iterchildren():
        if el.tag == qn("w:tbl"):
            out.append((index, el))
        elif el.tag == qn("w:p") and el.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
            index += 1
    geometry = []
    for i, tbl in out:
        s = sections[i]
        width = (s.page_width - s.left_margin - s.right_margin) / Mm(1)
        height = (s.page_height - s.top_margin - s.bottom_margin) / Mm(1)
        geometry.append((width, height, tbl))
    return geometry


def test_page_setup_follows_decree_30(demo_docx: Path) -> None:
    doc = Document(str(demo_docx))
    assert any(s.page_width > s.page_height for s in doc.sections), "no landscape section"
    for s in doc.sections:
        short, long_ = sorted((s.page_width / Mm(1), s.page_height / Mm(1)))
        assert round(short) == 210 and round(long_) == 297
        if s.page_width < s.page_height:
            assert 20 <= round(s.top_margin / Mm(1)) <= 25
            assert 20 <= round(s.bottom_margin / Mm(1)) <= 25
            assert 30 <= round(s.left_margin / Mm(1)) <= 35
            assert 15 <= round(s.right_margin / Mm(1)) <= 20
    normal = doc.styles["Normal"].font
    assert normal.name == "Times New Roman" and normal.size is not None
    assert 13 <= normal.size.pt <= 14


def test_every_table_fits_its_page_and_repeats_its_header(demo_docx: Path) -> None:
    ids = {r.id for r in load_profile("nd85-tt12-3").requirements}
    seen_ids: set[str] = set()
    tables = _tables_by_section(demo_docx)
    assert len(tables) > 20
    for width, height, tbl in tables:
        grid = [int(g.get(qn("w:w"))) for g in tbl.iter(qn("w:gridCol"))]  # type: ignore[attr-defined]
        assert _twips_mm(sum(grid)) <= width + 0.5, (sum(grid), width)
        rows = list(tbl.iter(qn("w:tr")))  # type: ignore[attr-defined]
        texts = [["\n".join(t.text or "" for t in tc.iter(qn("w:t"))) for tc in tr.iter(qn("w:tc"))]
                 for tr in rows]
        header = texts[0]
        if len(grid) > 2:  # data tables (not the motto, signature or label/value blocks)
            assert rows[0].find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None, header
            for tr in rows:
                assert tr.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is None, header
            widths = [_twips_mm(g) for g in grid]
            for row in texts[1:]:
                assert row_height_mm(row, widths, TABLE_PT) < height, (header, row[0])
            if header and header[0] == "Mã yêu cầu":
                seen_ids.update(r[0] for r in texts[1:])
                # Ids and statuses never wrap: their columns are as wide as their longest one.
                id_width = widths[0]
                assert all(row_height_mm([r[0]], [id_width], TABLE_PT) < 6 for r in texts[1:])
    assert ids <= seen_ids, sorted(ids - seen_ids)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is required in CI (scripts/test-all.sh installs it)")
        pytest.skip(f"{name} not installed")
    return found


def test_pdf_from_libreoffice(demo_docx: Path, tmp_path: Path) -> None:
    soffice, pdfinfo = _tool("soffice"), _tool("pdfinfo")
    env = {**os.environ, "HOME": str(tmp_path / "home")}
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(demo_docx)], check=True, capture_output=True, env=env,
                   timeout=CONVERT_SECONDS)
    pdf = tmp_path / f"{demo_docx.stem}.pdf"
    info = subprocess.run([pdfinfo, "-f", "1", "-l", "999", str(pdf)], check=True,
                          capture_output=True, text=True, timeout=60).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines()
                     if line.startswith("Pages:")))
    assert pages in PAGES, pages
    sizes = [line.split(":", 1)[1].split("pts")[0].split("x") for line in info.splitlines()
             if line.startswith("Page") and "size:" in line]
    assert len(sizes) == pages
    for w, h in sizes:
        short, long_ = sorted((float(w), float(h)))
        assert abs(short - 595.3) < 2 and abs(long_ - 841.9) < 2, (w, h)  # A4
    text = subprocess.run([_tool("pdftotext"), "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True, timeout=60).stdout
    for rid in (r.id for r in load_profile("nd85-tt12-3").requirements):
        assert rid in text, rid  # never split inside an id
    assert "Nơi nhận:" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    if shutil.which("pdftoppm"):
        # For a person to look at (issue 10: look at the pages before calling it done).
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(ARTIFACTS / "page")],
                       check=True, capture_output=True, timeout=120)
