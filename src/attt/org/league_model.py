"""The league table as one JSON-ready model: what league-table.json holds and what the HTML,
CSV and XLSX files are rendered from (so the four never disagree).

Numbers keep full precision; the display strings follow SC-04 of the research notes: points
with 2 decimals, 0-1 values with 3, Vietnamese decimal commas in Vietnamese text.
"""

from __future__ import annotations

import os
from typing import Any

from ..messages import Msg, T, both
from .indicators import INPUT_NEEDED, MISSING, OK, Value
from .league import Cell, League, Row

SCHEMA = "attt.league/1"
KIND_LABELS: dict[str, Msg] = {
    "so_ban_nganh": T("department or agency (sở, ban, ngành)"),
    "cap_huyen": T("district level (cấp huyện)"),
    "cap_xa": T("commune level (cấp xã)"),
}
STATUS_LABELS: dict[str, Msg] = {
    MISSING: T("no data"),
    INPUT_NEEDED: T("to be declared"),
}
ESTIMATE = T("estimate")
CANDIDATE = T("(candidate)")


def number(value: float, decimals: int, lang: str) -> str:
    """A number as the language writes it (``0,750`` in Vietnamese)."""

    text = f"{value:.{decimals}f}"
    return text.replace(".", ",") if lang == "vi" else text


def points_text(value: float | None, lang: str) -> str:
    """A total or change as printed (2 decimals), "—" when unknown."""

    return "—" if value is None else number(value, 2, lang)


def _count(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def value_text(ind_measure: str, v: Value, lang: str) -> str:
    """A cell's value as printed: a ratio with its fraction, yes/no, a count, or why none."""

    if v.status != OK or v.value is None:
        return STATUS_LABELS[v.status if v.status in STATUS_LABELS else MISSING].render(lang)
    if ind_measure == "boolean":
        return (T("yes") if v.value else T("no")).render(lang)
    if ind_measure == "count":
        return _count(float(v.value))
    fraction = (f"{_count(v.numerator)}/{_count(v.denominator)} "
                if v.numerator is not None and v.denominator is not None else "")
    return f"{fraction}({number(float(v.value), 3, lang)})"


def score_text(cell: Cell, lang: str) -> str:
    """Points as printed: 2 decimals; "—" for an indicator that is not scored; why none."""

    if cell.value.status != OK:
        return value_text(cell.indicator.measure, cell.value, lang)
    if cell.score is None:
        return "—"
    return number(cell.score, 2, lang)


def indicator_title(ind: Any, lang: str) -> str:
    """The title in ``lang``; a row not confirmed says it is a candidate (ước lượng)."""

    title = ind.title_vi if lang == "vi" else ind.title_en
    return f"{title} {CANDIDATE.render(lang)}" if not ind.confirmed else title


def _points_basis(ind: Any) -> str:
    return "official" if ind.max_points is not None else (
        "assumed" if ind.default_points is not None else "none")


def anchor(unit: str, indicator: str) -> str:
    """The id of a cell's evidence in the HTML details section."""

    return f"ev-{unit}-{indicator}"


def _cell(cell: Cell, unit: str) -> dict[str, Any]:
    v = cell.value
    return {
        "status": v.status,
        "value": v.value,
        "numerator": v.numerator,
        "denominator": v.denominator,
        "score": cell.score,
        "estimated": cell.score is not None and cell.indicator.estimated,
        "display": {lang: value_text(cell.indicator.measure, v, lang) for lang in ("vi", "en")},
        "score_display": {lang: score_text(cell, lang) for lang in ("vi", "en")},
        "notes": [both(n) for n in v.notes],
        "evidence": [e.to_json() for e in v.evidence],
        "anchor": anchor(unit, cell.indicator.id),
    }


def _row(row: Row, ranks: dict[int, int]) -> dict[str, Any]:
    u = row.unit
    return {
        "id": u.id,
        "name": u.name,
        "kind": u.kind,
        "kind_label": both(KIND_LABELS[u.kind]),
        "parent": u.parent,
        "rank": row.rank,
        "rank_shared": row.rank is not None and ranks.get(row.rank, 0) > 1,
        "total": row.total,
        "previous_total": row.previous_total,
        "change": row.change,
        "has_run": row.has_run,
        "missing": row.missing,
        "inputs": u.inputs,
        "coverage": list(u.coverage),
        "notes": [both(n) for n in row.notes],
        "cells": {ind_id: _cell(c, u.id) for ind_id, c in row.cells.items()},
    }


def league_json(league: League) -> dict[str, Any]:
    """The whole table (both languages where text is read)."""

    ranks: dict[int, int] = {}
    for r in league.rows:
        if r.rank is not None:
            ranks[r.rank] = ranks.get(r.rank, 0) + 1
    c = league.criteria
    return {
        "schema": SCHEMA,
        "estimated": league.estimated,
        "estimate_label": both(ESTIMATE),
        "organisation": {"name": league.organisation.name, "path": league.organisation.path},
        "year": league.year,
        "period": {"start": league.period.start.date().isoformat(),
                   "end": league.period.end.date().isoformat()},
        "generated": league.generated,
        "database": league.db,
        "criteria": {"id": c.id, "path": c.path, "title_vi": c.title_vi,
                     "title_en": c.title_en, "confirmed": c.confirmed,
                     "note_vi": c.note_vi, "note_en": c.note_en},
        "max_total": league.max_total,
        "indicators": [{
            "id": i.id, "title_vi": i.title_vi, "title_en": i.title_en,
            "title": {lang: indicator_title(i, lang) for lang in ("vi", "en")},
            "confirmed": i.confirmed, "official_no": i.official_no, "measure": i.measure,
            "formula": i.formula, "max_points": i.max_points,
            "default_points": i.default_points, "points_max": i.points_max,
            "points_basis": _points_basis(i), "points_rule": i.points.rule,
            "estimated": i.estimated, "source_url": i.source_url,
        } for i in c.indicators],
        "units": [_row(r, ranks) for r in league.rows],
    }


def evidence_files(model: dict[str, Any]) -> dict[str, str]:
    """The inputs and coverage files the numbers rest on, as {path in a signed folder:
    source}: signed with the table, so what was declared travels with it."""

    out: dict[str, str] = {}
    for u in model["units"]:
        for c in u["cells"].values():
            for e in c["evidence"]:
                if e["kind"] in ("inputs", "coverage") and os.path.isfile(e["path"]):
                    out[f"evidence/{u['id']}/{os.path.basename(e['path'])}"] = e["path"]
    return out
