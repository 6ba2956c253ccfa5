"""The dossier as a Word document (python-docx): Heading 1/2/3 per part, section and
subsection, real tables with a repeated header row, Times New Roman 13 pt on A4."""

from __future__ import annotations

import io

from docx import Document as new_document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.table import _Cell

from .model import MISSING, Dossier, Fields, Para, Table

FONT = "Times New Roman"
STATUS_FILL = {"met": "E3F3E3", "not_met": "F8DEDE", "error": "F8DEDE", "partly": "FDF1D6",
               "evidence_needed": "FDF1D6"}


def _font(style_font: object, size: float, bold: bool | None = None) -> None:
    font = style_font
    font.name = FONT  # type: ignore[attr-defined]
    font.size = Pt(size)  # type: ignore[attr-defined]
    font.color.rgb = RGBColor(0, 0, 0)  # type: ignore[attr-defined]
    if bold is not None:
        font.bold = bold  # type: ignore[attr-defined]


def _plain_fonts(style: object) -> None:
    """Drop theme fonts so Word shows Times New Roman (theme attributes win otherwise)."""

    rpr = style.element.get_or_add_rPr()  # type: ignore[attr-defined]
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.append(rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        rfonts.set(qn(attr), FONT)


def _setup(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    styles = doc.styles
    normal = styles["Normal"]
    _font(normal.font, 13)
    _plain_fonts(normal)
    for name, size in (("Heading 1", 14), ("Heading 2", 13), ("Heading 3", 13), ("Title", 14)):
        st = styles[name]
        _font(st.font, size, True)
        _plain_fonts(st)
        st.font.italic = name == "Heading 3"
        st.paragraph_format.space_before = Pt(10)
        st.paragraph_format.space_after = Pt(4)


def _shade(cell: _Cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def _repeat_header(table: DocxTable) -> None:
    trpr = table.rows[0]._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def _cell_text(cell: _Cell, text: str, size: float = 10.5, bold: bool = False,
               align: WD_ALIGN_PARAGRAPH | None = None) -> None:
    cell.text = ""
    par = cell.paragraphs[0]
    if align is not None:
        par.alignment = align
    for i, line in enumerate(text.split("\n")):
        if i:
            par.add_run("").add_break()
        run = par.add_run(line)
        run.font.size = Pt(size)
        run.bold = bold
        if line == MISSING:
            run.font.color.rgb = RGBColor(0xAA, 0, 0)
            run.bold = True


def _table(doc: DocxDocument, block: Table, usable_mm: float) -> None:
    table = doc.add_table(rows=1, cols=len(block.columns))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, title in zip(table.rows[0].cells, block.columns, strict=True):
        _cell_text(cell, title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        _shade(cell, "EEEEEE")
    _repeat_header(table)
    for i, row in enumerate(block.rows):
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            _cell_text(cell, value)
        if block.row_status and block.kind == "plan":
            fill = STATUS_FILL.get(block.row_status[i])
            if fill:
                _shade(cells[4], fill)
    if block.widths:
        total = sum(block.widths)
        for col, w in zip(table.columns, block.widths, strict=False):
            width = Mm(usable_mm * w / total)
            for cell in col.cells:
                cell.width = width


def _fields(doc: DocxDocument, block: Fields, usable_mm: float) -> None:
    table = doc.add_table(rows=0, cols=2)
    table.style = doc.styles["Table Grid"]
    for label, value in block.rows:
        cells = table.add_row().cells
        _cell_text(cells[0], label, size=12)
        _cell_text(cells[1], value, size=12)
        _shade(cells[0], "F7F7F7")
        cells[0].width, cells[1].width = Mm(usable_mm * 0.38), Mm(usable_mm * 0.62)


def _header(doc: DocxDocument, d: Dossier) -> None:
    table = doc.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.width, right.width = Mm(68), Mm(97)
    lines_l = ((d.cover.parent, False, False), (d.cover.issuer, True, False),
               (d.cover.number, False, False))
    lines_r = (("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True, False),
               ("Độc lập - Tự do - Hạnh phúc", True, False), (d.cover.place_date, False, True))
    for cell, lines in ((left, lines_l), (right, lines_r)):
        cell.text = ""
        for i, (text, bold, italic) in enumerate(lines):
            par = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
            par.alignment = WD_ALIGN_PARAGRAPH.CENTER
            par.paragraph_format.space_after = Pt(0)
            run = par.add_run(text)
            run.bold, run.italic = bold, italic
            run.font.size = Pt(12 if i < 2 else 13)
            if i == 1 and cell is right:
                run.underline = True


def render_dossier_docx(d: Dossier) -> bytes:
    """The dossier as a DOCX document (bytes)."""

    doc = new_document()
    _setup(doc)
    usable = 210 - 30 - 15
    doc.core_properties.title = d.title
    doc.core_properties.subject = f"{d.system} ({d.regime}, level {d.level})"
    doc.core_properties.author = "attt"
    _header(doc, d)
    title = doc.add_paragraph(style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run(d.cover.title)
    sub = doc.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub.add_run(d.cover.subtitle).bold = True
    for line in d.cover.basis:
        par = doc.add_paragraph()
        par.add_run(f"- Căn cứ {line};" if d.lang == "vi" else f"- Pursuant to {line};"
                    ).italic = True
        par.paragraph_format.space_after = Pt(0)
    for n in d.cover.notes:
        doc.add_paragraph().add_run(n).font.size = Pt(11)
    for s in d.sections:
        doc.add_heading(s.heading, level=s.level)
        for b in s.blocks:
            if isinstance(b, Para):
                par = doc.add_paragraph()
                run = par.add_run(b.text)
                if b.text == MISSING:
                    run.font.color.rgb = RGBColor(0xAA, 0, 0)
                if b.kind == "basis":
                    run.bold = True
                elif b.kind in ("note", "warn"):
                    run.italic = True
                    run.font.size = Pt(11)
            elif isinstance(b, Fields):
                _fields(doc, b, usable)
            else:
                _table(doc, b, usable)
    sign = doc.add_table(rows=1, cols=2)
    to, who = sign.rows[0].cells
    to.text = ""
    head = to.paragraphs[0].add_run("Nơi nhận:" if d.lang == "vi" else "Recipients:")
    head.bold, head.italic = True, True
    for r in d.cover.recipients:
        p = to.add_paragraph()
        p.add_run(f"- {r};").font.size = Pt(11)
        p.paragraph_format.space_after = Pt(0)
    who.text = ""
    p = who.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run(d.cover.signer_title).bold = True
    p2 = who.add_paragraph()
    p2.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p2.add_run("(Ký, ghi rõ họ tên, đóng dấu)" if d.lang == "vi"
               else "(Signature, full name and seal)").italic = True
    p3 = who.add_paragraph()
    p3.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p3.paragraph_format.space_before = Pt(60)
    p3.add_run(d.cover.signer).bold = True
    gen = doc.add_paragraph()
    gen.add_run(d.generated).font.size = Pt(9)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
