"""league-table.csv, league-table.xlsx and league-table.json, from the model of
attt.org.league_model.  One registry of output files; ``attt org rank`` writes them all.

CSV: UTF-8 with a BOM and CRLF (as results.csv: Excel then reads the Vietnamese right), one
row per unit; a cell a spreadsheet would read as a formula is prefixed with an apostrophe.
XLSX: the same table with numbers as numbers, plus the indicators and the evidence sheets.
Every header of a score says "ước tính" when the criteria are not confirmed.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from ..messages import Msg, T
from ..run_folder import write_atomic
from .league_html import write_html

Cellv = str | float | int | None
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _h(msg: Msg, lang: str, estimated: bool = False) -> str:
    text = msg.render(lang)
    return f"{text} ({T('estimate').render(lang)})" if estimated else text


def table(model: dict[str, Any], lang: str) -> tuple[list[str], list[list[Cellv]]]:
    """Headers and one row per unit: numbers stay numbers (None: no value)."""

    est = bool(model["estimated"])
    headers = [_h(T("Rank"), lang), _h(T("Shared rank"), lang), _h(T("Unit id"), lang),
               _h(T("Unit"), lang), _h(T("Kind"), lang)]
    for ind in model["indicators"]:
        headers += [T("{id}: value", id=ind["id"]).render(lang),
                    _h(T("{id}: points", id=ind["id"]), lang, ind["estimated"])]
    headers += [_h(T("Total points"), lang, est), _h(T("Previous year"), lang, est),
                _h(T("Change"), lang, est), _h(T("Indicators without data"), lang),
                _h(T("Run in the period"), lang), _h(T("Notes"), lang)]
    rows: list[list[Cellv]] = []
    yes, no = T("yes").render(lang), T("no").render(lang)
    for u in model["units"]:
        row: list[Cellv] = [u["rank"] if u["rank"] is not None else T("not ranked").render(lang),
                            yes if u["rank_shared"] else "", u["id"], u["name"],
                            u["kind_label"][lang]]
        for ind in model["indicators"]:
            c = u["cells"][ind["id"]]
            row += [c["display"][lang],
                    c["score"] if c["score"] is not None else c["score_display"][lang]]
        notes = [n[lang] for n in u["notes"]]
        if not u["has_run"]:
            notes.insert(0, T("no run in the period").render(lang))
        if est:
            notes.append(T("Estimated score: the criteria are not confirmed.").render(lang))
        row += [u["total"], u["previous_total"], u["change"], u["missing"],
                yes if u["has_run"] else no, " ".join(notes)]
        rows.append(row)
    return headers, rows


def title(model: dict[str, Any], lang: str) -> str:
    """The table's title line (with "ước tính" when estimated)."""

    text = T("Information-security league table of the units of {org}, {year}",
             org=model["organisation"]["name"], year=model["year"]).render(lang)
    return f"{text} ({T('estimate').render(lang)})" if model["estimated"] else text


def _csv_cell(value: Cellv, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(model: dict[str, Any], lang: str, path: str) -> None:
    """league-table.csv."""

    headers, rows = table(model, lang)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_cell(v, lang) for v in row])
    write_atomic(path, "\ufeff" + buf.getvalue())


def write_json(model: dict[str, Any], lang: str, path: str) -> None:
    """league-table.json: the model itself."""

    # One line: json's C encoder (indent makes it the pure-Python one, seconds on a large
    # organisation); `python -m json.tool` shows it indented.
    write_atomic(path, json.dumps(model, ensure_ascii=False) + "\n")


def _safe(value: Cellv) -> Cellv:
    # openpyxl stores a text starting with "=" as a formula: declared names never run.
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _bold(ws: Any, values: list[Cellv], size: int | None = None) -> list[Any]:
    cells = []
    for v in values:
        c = WriteOnlyCell(ws, value=v)
        c.font = Font(bold=True, size=size) if size else Font(bold=True)
        c.alignment = Alignment(wrap_text=True, vertical="top")
        cells.append(c)
    return cells


def write_xlsx(model: dict[str, Any], lang: str, path: str) -> None:
    """league-table.xlsx: the table, the indicators and the evidence, one sheet each.

    Write-only mode: rows are streamed (an organisation's evidence sheet has tens of
    thousands of rows)."""

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(T("League table").render(lang)[:31])
    ws.freeze_panes = "F5"
    ws.append(_bold(ws, [title(model, lang)], 13))
    ws.append([model["criteria"]["note_vi" if lang == "vi" else "note_en"]])
    ws.append([])
    headers, rows = table(model, lang)
    ws.append(_bold(ws, list(headers)))
    for row in rows:
        cells: list[Any] = []
        for v in row:
            if isinstance(v, float):
                c = WriteOnlyCell(ws, value=v)
                c.number_format = "0.00"
                cells.append(c)
            else:
                cells.append(_safe(v))
        ws.append(cells)
    ind_ws = wb.create_sheet(T("Indicators").render(lang)[:31])
    ind_ws.append(_bold(ind_ws, [
        T("Indicator").render(lang), T("Indicator title").render(lang),
        T("Confirmed").render(lang), T("Measure").render(lang), T("Formula").render(lang),
        _h(T("Points"), lang, model["estimated"]), T("Points basis").render(lang)]))
    basis = {"official": T("official decision"), "assumed": T("the tool's assumption"),
             "none": T("not scored")}
    measures = {"ratio": T("ratio"), "boolean": T("yes or no"), "count": T("count")}
    for ind in model["indicators"]:
        ind_ws.append([ind["id"], ind["title"][lang],
                       (T("yes") if ind["confirmed"] else T("no")).render(lang),
                       measures[ind["measure"]].render(lang), ind["formula"], ind["points_max"],
                       basis[ind["points_basis"]].render(lang)])
    ev_ws = wb.create_sheet(T("Evidence of the numbers").render(lang)[:31])
    ev_ws.append(_bold(ev_ws, [
        T("Unit id").render(lang), T("Indicator").render(lang), T("Kind").render(lang),
        T("Reference").render(lang), T("Path").render(lang), T("Detail").render(lang)]))
    kinds = {"run": T("Run"), "inputs": T("Declared by the unit"),
             "coverage": T("Anti-malware coverage result")}
    names = {k: v.render(lang) for k, v in kinds.items()}
    for u in model["units"]:
        for ind_id, c in u["cells"].items():
            for e in c["evidence"]:
                ev_ws.append([_safe(v) for v in (u["id"], ind_id, names[e["kind"]],
                                                 e["label"], e["path"], e["detail"])])
    buf = io.BytesIO()
    wb.save(buf)
    write_atomic(path, buf.getvalue())


# One entry per file ``attt org rank`` writes: name -> writer(model, lang, path).
LEAGUE_FILES: dict[str, Callable[[dict[str, Any], str, str], None]] = {
    "league-table.html": write_html,
    "league-table.json": write_json,
    "league-table.csv": write_csv,
    "league-table.xlsx": write_xlsx,
}

