"""league-table.html: self-contained (inline CSS and SVG, no script, a CSP that forbids every
load), Vietnamese first.  A bar chart of totals, one small chart per indicator, the table
with each number linked to its evidence, and the evidence section.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from ..render.html import environment
from ..run_folder import write_atomic
from .league_model import points_text

TEMPLATE = "league-table.html"
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; " \
      "form-action 'none'"
BAR_W = 360  # px of a full bar in the totals chart
ROW_H = 22
SMALL_W = 150
SMALL_ROW = 12


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: its label, length in px, and the text beside it."""

    y: int
    label: str
    width: float
    text: str
    missing: bool


def _totals(model: dict[str, Any], lang: str) -> list[Bar]:
    top = max(model["max_total"], max((u["total"] or 0.0 for u in model["units"]),
                                      default=0.0), 1e-9)
    return [Bar(i * ROW_H, f"{u['rank'] or '-'}. {u['name']}",
                0.0 if u["total"] is None else BAR_W * u["total"] / top,
                points_text(u["total"], lang), u["total"] is None)
            for i, u in enumerate(model["units"])]


def _small(model: dict[str, Any], ind: dict[str, Any], lang: str) -> list[Bar]:
    cells = [(u, u["cells"][ind["id"]]) for u in model["units"]]
    if ind["measure"] == "count":
        top = max((float(c["value"]) for _, c in cells if c["status"] == "ok"), default=0.0)
        scale = 1.0 / top if top else 0.0
    else:
        scale = 1.0
    bars = []
    for i, (u, c) in enumerate(cells):
        known = c["status"] == "ok" and c["value"] is not None
        share = float(c["value"]) * scale if known else 0.0
        bars.append(Bar(i * SMALL_ROW, u["id"], SMALL_W * min(1.0, share),
                        c["display"][lang], not known))
    return bars


def _href(target: str, base: str) -> str:
    """A relative link from the HTML file to ``target`` (a run's report.html, an inputs
    file), or "" when it is not there."""

    if not target or not os.path.exists(target):
        return ""
    return os.path.relpath(target, base).replace(os.sep, "/")


def _evidence_links(model: dict[str, Any], base: str) -> dict[str, str]:
    links: dict[str, str] = {}
    for u in model["units"]:
        for c in u["cells"].values():
            for e in c["evidence"]:
                if e["path"] in links:
                    continue
                target = os.path.join(e["path"], "report.html") if e["kind"] == "run" \
                    else e["path"]
                links[e["path"]] = _href(target, base)
    return links


def render_league_html(model: dict[str, Any], lang: str, out_dir: str) -> str:
    """The page as text."""

    template = environment(lang).get_template(TEMPLATE)
    return template.render(
        m=model, lang=lang, csp=CSP, totals=_totals(model, lang),
        small={ind["id"]: _small(model, ind, lang) for ind in model["indicators"]},
        links=_evidence_links(model, out_dir), bar_w=BAR_W, row_h=ROW_H, small_w=SMALL_W,
        small_row=SMALL_ROW,
    )


def write_html(model: dict[str, Any], lang: str, path: str) -> None:
    """league-table.html."""

    write_atomic(path, render_league_html(model, lang, os.path.dirname(path)))
