"""Page and table geometry of the DOCX dossier (Decree 30/2020/NĐ-CP, Appendix I).

A4; portrait margins top and bottom 20 mm, left 30 mm (binding), right 15 mm.  Landscape
pages, used for tables of six columns or more, keep the binding on their top edge (30 mm).
Column widths are fitted to the content: an id or a status column is as wide as its longest
word, and the room left goes to the text columns in proportion to the square root of the
text each holds (which minimises the summed row heights), never beyond the longest line.
Widths are estimated from Times New Roman's average glyph widths (Liberation Serif, its
metric-compatible free substitute, gives the same).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

PT_MM = 25.4 / 72
CELL_PAD_MM = 5.0  # Word's default left + right cell margins (1.9 mm each) and some slack
SHORT_COLUMN_MM = 36.0  # a column whose longest line is this short (ids, statuses) never wraps
SHORT_HEADER_MM = 22.0
LINE_FACTOR = 1.17  # line height / font size of single-spaced Times New Roman
LONG_WORD_MM = 45.0  # a longer token (a path, a URL) wraps instead of widening its column
LANDSCAPE_FROM_COLUMNS = 6


@dataclass(frozen=True)
class Page:
    """A page geometry in millimetres."""

    width: float
    height: float
    top: float
    bottom: float
    left: float
    right: float

    @property
    def usable_width(self) -> float:
        """Width between the margins."""

        return self.width - self.left - self.right

    @property
    def usable_height(self) -> float:
        """Height between the margins."""

        return self.height - self.top - self.bottom


PORTRAIT = Page(210, 297, 20, 20, 30, 15)
LANDSCAPE = Page(297, 210, 30, 15, 20, 20)


def _glyph_em(ch: str) -> float:
    """Average advance of a glyph in em (Times New Roman), by class."""

    if ch == " ":
        return 0.25
    if ch.isdigit():
        return 0.5
    if ch.isupper():
        return 0.69
    if ch.isalpha():
        return 0.48
    return 0.33


def text_mm(text: str, size: float, bold: bool = False) -> float:
    """Estimated width of one line of ``text`` at ``size`` points."""

    em = sum(_glyph_em(ch) for ch in text)
    return em * size * PT_MM * (1.1 if bold else 1.0)


def longest_word_mm(text: str, size: float, bold: bool = False) -> float:
    """Width of the longest unbreakable word of ``text``."""

    return max((text_mm(w, size, bold) for w in text.split()), default=0.0)


def line_count(text: str, width_mm: float, size: float) -> int:
    """Estimated number of lines ``text`` takes in a column ``width_mm`` wide (greedy wrap)."""

    room = max(width_mm - CELL_PAD_MM, 1.0)
    lines = 0
    for para in text.split("\n") or [""]:
        used, count = 0.0, 1
        for word in para.split():
            w = text_mm(word, size)
            space = text_mm(" ", size) if used else 0.0
            if used and used + space + w > room:
                count, used = count + 1, 0.0
                space = 0.0
            # A word wider than the column breaks over as many lines as it needs.
            extra = max(math.ceil(w / room - 1e-6) - 1, 0)
            count += extra
            used = (used + space + w) if not extra else w - extra * room
        lines += count
    return max(lines, 1)


def row_height_mm(row: Sequence[str], widths: Sequence[float], size: float) -> float:
    """Estimated height of a table row: its tallest cell."""

    lines = max(line_count(v, w, size) for v, w in zip(row, widths, strict=True))
    return lines * size * LINE_FACTOR * PT_MM + 1.0


def wants_landscape(columns: Sequence[str]) -> bool:
    """Wide tables (six columns or more) go on landscape pages."""

    return len(columns) >= LANDSCAPE_FROM_COLUMNS


def fit_widths(header: Sequence[str], rows: Sequence[Sequence[str]], usable: float,
               size: float, header_size: float) -> list[float]:
    """Column widths (mm) summing to ``usable``, fitted to the content."""

    n = len(header)
    cols = [[r[i] for r in rows] for i in range(n)]
    minw = [min(max(longest_word_mm(header[i], header_size, True),
                    *(longest_word_mm(v, size) for v in cols[i])), LONG_WORD_MM) + CELL_PAD_MM
            for i in range(n)]
    natural = [max(text_mm(header[i], header_size, True),
                   *(text_mm(line, size) for v in cols[i] for line in v.split("\n")))
               + CELL_PAD_MM for i in range(n)]
    natural = [max(a, b) for a, b in zip(natural, minw, strict=True)]
    for i in range(n):
        content = max((text_mm(line, size) for v in cols[i] for line in v.split("\n")),
                      default=0.0) + CELL_PAD_MM + 0.5  # twips rounding
        if content <= SHORT_COLUMN_MM:
            head = min(text_mm(header[i], header_size, True) + CELL_PAD_MM, SHORT_HEADER_MM)
            minw[i] = max(minw[i], content, head)
            natural[i] = max(natural[i], minw[i])
    if sum(minw) >= usable:
        return [w * usable / sum(minw) for w in minw]
    if sum(natural) <= usable:
        return [w * usable / sum(natural) for w in natural]
    weight = [math.sqrt(sum(text_mm(v, size) for v in cols[i]) + 1.0) for i in range(n)]
    return _water_fill(minw, natural, weight, usable)


def _water_fill(low: Sequence[float], high: Sequence[float], weight: Sequence[float],
                total: float) -> list[float]:
    """Shares of ``total`` proportional to ``weight``, each clamped to [low, high]; the
    columns that hit a bound keep it and the rest is shared again (at most n rounds)."""

    n = len(low)
    fixed: dict[int, float] = {}
    for _round in range(n + 1):
        free = [i for i in range(n) if i not in fixed]
        room = total - sum(fixed.values())
        wsum = sum(weight[i] for i in free) or 1.0
        share = {i: room * weight[i] / wsum for i in free}
        under = [i for i in free if share[i] < low[i]]
        over = [i for i in free if share[i] > high[i]]
        if not under and not over:
            return [fixed.get(i, share.get(i, 0.0)) for i in range(n)]
        for i in under or over:
            fixed[i] = low[i] if i in under else high[i]
    return [fixed.get(i, low[i]) for i in range(n)]
