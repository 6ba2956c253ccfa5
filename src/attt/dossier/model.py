"""The dossier as data: a cover, numbered sections of blocks, the plan rows and the gaps.

The builder (``attt.dossier.build``) fills it from the inventory, the profile, the evidence
file and the last results document, already translated; the HTML and DOCX writers only lay
it out, so both formats carry the same headings, tables and gaps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Marker written where the inventory is silent; each occurrence has a Gap.
MISSING = "[…]"
# What the filed document shows instead: the dotted blank of a form filled in by hand.
BLANK = "…………"


@dataclass(frozen=True)
class Para:
    """A paragraph of a dossier section."""

    text: str
    kind: str = ""  # "" | note | warn | basis


@dataclass(frozen=True)
class Fields:
    """Label / value pairs (a two-column table)."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    """A table of a dossier section, with column widths and status colouring."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    # Relative column widths (sum ~100) for print and DOCX.
    widths: tuple[int, ...] = ()
    # Column holding a status code to colour, or -1; codes in ``row_status``.
    row_status: tuple[str, ...] = ()
    kind: str = ""  # "" | plan | gaps
    # The DOCX takes ``widths`` as they are (a form's prescribed columns) instead of fitting
    # them to the content.
    fixed: bool = False


Block = Para | Fields | Table


@dataclass(frozen=True)
class Section:
    """A numbered part, section or subsection of the dossier."""

    number: str  # "A.3.1"
    title: str
    level: int  # 1 part, 2 section, 3 subsection
    blocks: tuple[Block, ...] = ()

    @property
    def heading(self) -> str:
        """The heading as printed: number and title (parts: the title alone)."""

        # Parts carry their letter in the title ("Phần A. ..."), as administrative documents do.
        if self.level == 1 or not self.number:
            return self.title
        return f"{self.number}. {self.title}"


@dataclass(frozen=True)
class Gap:
    """Something the dossier still lacks, and where to provide it."""

    section: str  # section number, e.g. "A.1"
    what: str  # what is missing (translated)
    where: str  # where to fill it: inventory key or evidence file


@dataclass(frozen=True)
class PlanRow:
    """One requirement's row in the security plan table."""

    requirement_id: str
    part: str  # management | technical
    group: str
    # The scan report's statuses (pass | fail | error | manual | not_applicable | waived) or
    # not_scanned, so that the dossier and the attached report say the same thing.
    status: str
    solution: str
    evidence: str
    action: str = ""
    responsible: str = ""
    deadline: str = ""


@dataclass(frozen=True)
class Cover:
    """The cover page of the explanatory document."""

    parent: str  # cơ quan chủ quản (upper line)
    issuer: str  # the unit that issues the document
    number: str  # Số: .../...
    place_date: str
    title: str
    subtitle: str
    basis: tuple[str, ...]  # căn cứ
    notes: tuple[str, ...] = ()  # classification, provenance banner
    signer_title: str = ""
    signer: str = ""
    recipients: tuple[str, ...] = ()
    attached: str = ""  # "(Kèm theo Tờ trình số … ngày …)" under the title
    # Letters (the annual report): the "V/v" subject under the number, "Kính gửi" under the
    # title, and a warning shown in the HTML only (a deadline close or passed).
    subject: str = ""
    addressee: str = ""
    alert: str = ""


@dataclass(frozen=True)
class Dossier:
    """The whole explanatory document, ready for HTML or DOCX."""

    system: str
    regime: str
    level: int
    lang: str
    title: str  # document title (HTML <title>, DOCX core properties)
    cover: Cover
    sections: tuple[Section, ...]
    rows: tuple[PlanRow, ...]
    gaps: tuple[Gap, ...]
    generated: str  # provenance line
    suggested_level: int | None = None
    final: bool = True  # the filed document (False: the working copy of --check)
    meta: dict[str, str] = field(default_factory=dict)

    def outline(self) -> list[str]:
        """Headings, indented by level (the README's example)."""

        return [("  " * (s.level - 1)) + s.heading for s in self.sections]
