"""The dossier as a Word document (python-docx): Heading 1/2/3 per part, section and
subsection, real tables with a repeated header row, Times New Roman 13 pt on A4, laid out as
Decree 30/2020/NĐ-CP prescribes for administrative documents (national motto and issuer
block, signature block and "Nơi nhận"); geometry in ``docx_layout``."""

from __future__ import annotations

import io

from docx import Document as new_document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section as DocxSection
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from .docx_layout import LANDSCAPE, PORTRAIT, Page, fit_widths, text_mm, wants_landscape
from .labels import QUOC_HIEU, TIEU_NGU
from .model import MISSING, Dossier, Fields, Para, Section, Table

FONT = "Times New Roman"
STATUS_FILL = {"pass": "E3F3E3", "fail": "F8DEDE", "error": "F8DEDE",
               "manual": "FDF1D6"}


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


TABLE_PT = 10.5
HEADER_PT = 10.0


def _page(section: DocxSection, page: Page) -> None:
    landscape = page.width > page.height
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(page.width), Mm(page.height)
    section.top_margin, section.bottom_margin = Mm(page.top), Mm(page.bottom)
    section.left_margin, section.right_margin = Mm(page.left), Mm(page.right)
    section.header_distance = Mm(10)


def _setup(doc: DocxDocument) -> None:
    section = doc.sections[0]
    _page(section, PORTRAIT)
    _page_numbers(section)
    styles = doc.styles
    normal = styles["Normal"]
    _font(normal.font, 13)
    _plain_fonts(normal)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.1
    for name, size in (("Heading 1", 13), ("Heading 2", 13), ("Heading 3", 13), ("Title", 14)):
        st = styles[name]
        _font(st.font, size, True)
        _plain_fonts(st)
        st.font.italic = name == "Heading 3"
        st.paragraph_format.space_before = Pt(10 if name == "Heading 1" else 6)
        st.paragraph_format.space_after = Pt(4)
        st.paragraph_format.keep_with_next = True
    # The Title style of the default template draws a rule under the title: drop it.
    ppr = styles["Title"].element.get_or_add_pPr()
    for bdr in ppr.findall(qn("w:pBdr")):
        ppr.remove(bdr)


def _page_numbers(section: DocxSection) -> None:
    """Page number centred in the top margin from the second page (Decree 30 Appendix I)."""

    section.different_first_page_header_footer = True
    par = section.header.paragraphs[0]
    par.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    fld.append(run)
    par._p.append(fld)


def _shade(cell: _Cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tcpr.append(shd)


def _row_flag(row: object, tag: str) -> None:
    trpr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    el = OxmlElement(tag)
    el.set(qn("w:val"), "true")
    trpr.append(el)


def _cell_text(cell: _Cell, text: str, size: float = TABLE_PT, bold: bool = False,
               align: WD_ALIGN_PARAGRAPH | None = None) -> None:
    cell.text = ""
    par = cell.paragraphs[0]
    par.paragraph_format.space_after = Pt(0)
    par.paragraph_format.line_spacing = 1.0
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


def _fixed_widths(table: DocxTable, widths_mm: list[float]) -> None:
    """Fixed layout with explicit grid and cell widths (Word and LibreOffice honour them)."""

    table.autofit = False
    tblpr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tblpr.append(layout)
    tblw = tblpr.find(qn("w:tblW"))
    if tblw is None:
        tblw = OxmlElement("w:tblW")
        tblpr.append(tblw)
    tblw.set(qn("w:type"), "dxa")
    tblw.set(qn("w:w"), str(sum(int(Mm(w).twips) for w in widths_mm)))
    for col, w in zip(table.columns, widths_mm, strict=True):
        col.width = Mm(w)
        for cell in col.cells:
            cell.width = Mm(w)


def _table(doc: DocxDocument, block: Table, page: Page) -> None:
    # A form with prescribed proportions (the annual report's Form 08) gives its own widths.
    widths = ([w * page.usable_width / sum(block.widths) for w in block.widths]
              if block.fixed and block.widths
              else fit_widths(block.columns, block.rows, page.usable_width, TABLE_PT, HEADER_PT))
    table = doc.add_table(rows=1, cols=len(block.columns))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, title in zip(table.rows[0].cells, block.columns, strict=True):
        _cell_text(cell, title, size=HEADER_PT, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        _shade(cell, "EEEEEE")
    # The header row repeats on every page; the other rows may break across pages.
    _row_flag(table.rows[0], "w:tblHeader")
    for i, row in enumerate(block.rows):
        cells = table.add_row().cells
        for j, (cell, value) in enumerate(zip(cells, row, strict=True)):
            narrow = len(block.columns) > 1 and j == 0 and len(value) <= 3
            _cell_text(cell, value, align=WD_ALIGN_PARAGRAPH.CENTER if narrow else None)
        if block.row_status and block.kind == "plan":
            fill = STATUS_FILL.get(block.row_status[i])
            if fill:
                _shade(cells[4], fill)
    _fixed_widths(table, widths)
    doc.add_paragraph().paragraph_format.space_after = Pt(0)


def _fields(doc: DocxDocument, block: Fields, page: Page) -> None:
    table = doc.add_table(rows=0, cols=2)
    table.style = doc.styles["Table Grid"]
    for label, value in block.rows:
        cells = table.add_row().cells
        _cell_text(cells[0], label, size=12)
        _cell_text(cells[1], value, size=12)
        _shade(cells[0], "F7F7F7")
    usable = page.usable_width
    _fixed_widths(table, [usable * 0.36, usable * 0.64])
    doc.add_paragraph().paragraph_format.space_after = Pt(0)


def _line_under(cell: _Cell, width_mm: float, cell_mm: float) -> None:
    """The short rule under the issuer's name and the motto (Decree 30 Appendix I)."""

    par = cell.add_paragraph()
    fmt = par.paragraph_format
    fmt.space_after, fmt.space_before = Pt(0), Pt(0)
    side = max((cell_mm - width_mm) / 2 - 2, 0)
    fmt.left_indent, fmt.right_indent = Mm(side), Mm(side)
    ppr = par._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(k), v)
    bdr.append(bottom)
    ppr.append(bdr)
    run = par.add_run("")
    run.font.size = Pt(2)


def _centered(cell: _Cell, text: str, size: float, bold: bool = False, italic: bool = False,
              first: bool = False) -> Paragraph:
    par: Paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
    par.alignment = WD_ALIGN_PARAGRAPH.CENTER
    par.paragraph_format.space_after = Pt(0)
    run = par.add_run(text)
    run.bold, run.italic = bold, italic
    run.font.size = Pt(size)
    return par


def _header(doc: DocxDocument, d: Dossier) -> None:
    """Issuer block (left) and national motto (right), Decree 30 Appendix I items 1-4."""

    widths = (70.0, PORTRAIT.usable_width - 70.0)
    table = doc.add_table(rows=1, cols=2)
    _fixed_widths(table, list(widths))
    left, right = table.rows[0].cells
    for cell in (left, right):
        cell.text = ""
    _centered(left, d.cover.parent, 12, first=True)
    _centered(left, d.cover.issuer, 12, bold=True)
    _line_under(left, 25, widths[0])
    if d.cover.number:
        _centered(left, d.cover.number, 13).paragraph_format.space_before = Pt(6)
    if d.cover.subject:
        _centered(left, d.cover.subject, 12)
    _centered(right, QUOC_HIEU, 12, bold=True, first=True)
    _centered(right, TIEU_NGU, 13, bold=True)
    _line_under(right, text_mm(TIEU_NGU, 13, True), widths[1])
    _centered(right, d.cover.place_date, 13, italic=True).paragraph_format.space_before = Pt(6)


def _cover(doc: DocxDocument, d: Dossier) -> None:
    _header(doc, d)
    title = doc.add_paragraph(style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_before = Pt(18)
    title.add_run(d.cover.title)
    if d.cover.attached:
        att = doc.add_paragraph()
        att.alignment = WD_ALIGN_PARAGRAPH.CENTER
        att.add_run(d.cover.attached).italic = True
    sub = doc.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub.add_run(d.cover.subtitle).bold = True
    if d.cover.addressee:
        to = doc.add_paragraph()
        to.alignment = WD_ALIGN_PARAGRAPH.CENTER
        to.add_run(d.cover.addressee)
    for line in d.cover.basis:
        par = doc.add_paragraph()
        par.add_run(f"- Căn cứ {line};" if d.lang == "vi" else f"- Pursuant to {line};"
                    ).italic = True
        par.paragraph_format.space_after = Pt(0)
    for n in d.cover.notes:
        doc.add_paragraph().add_run(n).font.size = Pt(11)


def _para(doc: DocxDocument, b: Para) -> None:
    par = doc.add_paragraph()
    par.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    run = par.add_run(b.text)
    if b.text == MISSING:
        run.font.color.rgb = RGBColor(0xAA, 0, 0)
    if b.kind == "basis":
        run.bold = True
    elif b.kind in ("note", "warn"):
        run.italic = True
        run.font.size = Pt(11)


def _orientations(sections: tuple[Section, ...]) -> list[Page]:
    """The page of each section: landscape where a wide table is; a heading without blocks
    takes the page of the section after it, so that it stays with its content."""

    pages: list[Page | None] = [
        (LANDSCAPE if any(isinstance(b, Table) and wants_landscape(b.columns)
                          for b in s.blocks) else PORTRAIT) if s.blocks else None
        for s in sections]
    following: Page = PORTRAIT
    for i in range(len(pages) - 1, -1, -1):
        following = pages[i] or following
        pages[i] = following
    return [p or PORTRAIT for p in pages]


def _signature(doc: DocxDocument, d: Dossier, page: Page) -> None:
    """"Nơi nhận" (left, 12/11 pt) and the signer's block (right), Decree 30 items 7-9."""

    vi = d.lang == "vi"
    # Room between the last section and the signature block (it must not sit on a table).
    doc.add_paragraph().paragraph_format.space_before = Pt(6)
    sign = doc.add_table(rows=1, cols=2)
    _fixed_widths(sign, [page.usable_width * 0.45, page.usable_width * 0.55])
    _row_flag(sign.rows[0], "w:cantSplit")
    to, who = sign.rows[0].cells
    to.text = ""
    head = to.paragraphs[0].add_run("Nơi nhận:" if vi else "Recipients:")
    head.bold, head.italic = True, True
    head.font.size = Pt(12)
    for r in d.cover.recipients:
        p = to.add_paragraph()
        p.add_run(f"- {r};").font.size = Pt(11)
        p.paragraph_format.space_after = Pt(0)
    who.text = ""
    _centered(who, d.cover.signer_title, 13, bold=True, first=True)
    _centered(who, "(Ký, ghi rõ họ tên, đóng dấu)" if vi else "(Signature, full name and seal)",
              13, italic=True)
    _centered(who, d.cover.signer, 13, bold=True).paragraph_format.space_before = Pt(60)


def render_dossier_docx(d: Dossier) -> bytes:
    """The dossier as a DOCX document (bytes)."""

    doc = new_document()
    _setup(doc)
    doc.core_properties.title = d.title
    # The file's properties travel with the filed document: no inventory name or tool there.
    doc.core_properties.subject = d.cover.subtitle
    doc.core_properties.author = d.cover.issuer
    doc.core_properties.comments = "" if d.final else d.generated
    _cover(doc, d)
    current = PORTRAIT
    for s, page in zip(d.sections, _orientations(d.sections), strict=True):
        if page != current:
            _page(doc.add_section(WD_SECTION.NEW_PAGE), page)
            current = page
        doc.add_heading(s.heading, level=s.level)
        for b in s.blocks:
            if isinstance(b, Para):
                _para(doc, b)
            elif isinstance(b, Fields):
                _fields(doc, b, current)
            else:
                _table(doc, b, current)
    _signature(doc, d, current)
    if d.generated:
        doc.add_paragraph().add_run(d.generated).font.size = Pt(9)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
