"""Self-contained HTML report (Vietnamese by default, English with ``--lang en``).

Security properties (docs/design.md §8): Jinja2 autoescape on for ``*.html`` templates, every
asset inline (CSS and SVG; no script, no font, no image by URL), a Content-Security-Policy
that forbids any load, evidence truncated to ``options.evidence_limit`` characters while
``results.json`` keeps the full value.

Size stays bounded for large inventories: per requirement at most ``FINDINGS_LIMIT`` findings
that need attention are listed; passing and not-applicable findings are summarised as counts.
The hosts table is always complete.

All decisions (truncation, ordering, translation of document codes, chart geometry) are made
here in Python; the template only lays the view out.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import jinja2
from markupsafe import Markup, escape

from .. import clauses, gates, i18n
from ..messages import pick as pick_text
from .base import RenderOptions, register
from .connection import connection_rows, connection_texts
from .document import Document, as_document, check_counts, system_incomplete
from .document import pick as _pick

TEMPLATE = "report.html"
STYLESHEET = "report.css"
# Findings needing attention (fail, error, manual, waived) listed per requirement.
FINDINGS_LIMIT = 50
# Details of a failing requirement start unfolded when they list at most this many findings.
OPEN_LIMIT = 5
# Blocking requirements named, with their titles, on the summary card of a system.
BLOCKING_TOP = 8
# Shown in the table of every requirement; the rest are counted.
DETAIL_STATUSES = ("fail", "error", "manual", "waived")
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'"
)
ELLIPSIS = "\u2026"
# Tokens this long (paths, commands, value lists) get line-break opportunities: see breakable.
LONG_TOKEN = re.compile(r"\S{24,}")
BREAK_AFTER = re.compile(r"(?<=[/|=,])")
# Browsers may break "9(5)(a)" before a parenthesis; a word joiner keeps a citation whole.
CITATION_JOIN = re.compile(r"(?<=[\w)])(?=\()")
WORD_JOINER = "\u2060"
NO_VALUE = "\u2013"  # en dash: no percentage (nothing scored)

View = dict[str, Any]


def _load_template(name: str) -> str | None:
    resource = importlib.resources.files("attt.reports").joinpath(name)
    if not resource.is_file():
        return None
    return resource.read_text(encoding="utf-8")


@functools.cache
def environment(lang: str) -> jinja2.Environment:
    """The Jinja2 environment of every HTML output (report, dossier), one per language."""

    # FunctionLoader over importlib.resources works for editable, wheel and zip installs.
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_load_template),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.install_gettext_translations(i18n.translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters["breakable"] = breakable
    return env


def breakable(text: object) -> Markup:
    """``text`` escaped, with ``<wbr>`` after ``/ | = ,`` inside long tokens.

    A path or command such as ``/opt/kaspersky/klnagent64/lib/bin/setup/postinstall.pl`` has
    no line-break opportunity of its own, so a narrow column would cut it at any letter; with
    these it wraps between path components, and ordinary words are never broken.
    """

    source = "" if text is None else str(text)
    out: list[Markup] = []
    pos = 0
    for m in LONG_TOKEN.finditer(source):
        out.append(escape(source[pos:m.start()]))
        out.append(Markup("<wbr>").join(escape(p) for p in BREAK_AFTER.split(m.group())))
        pos = m.end()
    out.append(escape(source[pos:]))
    return Markup("").join(out)


@functools.cache
def _stylesheet() -> str:
    return (
        importlib.resources.files("attt.reports").joinpath(STYLESHEET).read_text(encoding="utf-8")
    )


# --------------------------------------------------------------------------- formatting


def _percent(value: float | None, lang: str) -> str:
    if value is None:
        return NO_VALUE
    text = f"{value:.1f}"
    return (text.replace(".", ",") if lang == "vi" else text) + "%"


def _when(value: object, lang: str) -> str:
    """ISO timestamp -> local (Asia/Ho_Chi_Minh) date and time; other values as given."""

    if not isinstance(value, str) or not value:
        return "" if value is None else str(value)
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = moment.astimezone(i18n.VN_TZ)
        zone = " (GMT+7)"
    else:
        zone = ""
    pattern = "%d/%m/%Y %H:%M" if lang == "vi" else "%Y-%m-%d %H:%M"
    return moment.strftime(pattern) + zone


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _truncate(value: object, limit: int) -> tuple[str, bool]:
    text = _text(value)
    if limit >= 0 and len(text) > limit:
        return text[:limit] + ELLIPSIS, True
    return text, False


# --------------------------------------------------------------------------- view model


def _score(score: Mapping[str, Any], lang: str) -> View:
    percent = score.get("percent")
    grade = str(score.get("grade") or "-")
    counts = [
        {
            "status": s,
            "label": i18n.label(i18n.STATUS_LABELS, s, lang),
            "count": int(score.get(s, 0)),
        }
        for s in i18n.STATUS_DISPLAY_ORDER
    ]
    return {
        "percent": percent,
        "percent_text": _percent(percent, lang),
        "grade": grade,
        "grade_class": "g-" + (grade.lower() if grade in ("A", "B", "C", "D", "F") else "none"),
        "counts": counts,
        "by_status": {c["status"]: c["count"] for c in counts},
    }


def _status(code: str, lang: str) -> View:
    return {"code": code, "label": i18n.label(i18n.STATUS_LABELS, code, lang)}


def _finding(f: Mapping[str, Any], lang: str, limit: int) -> View:
    evidence = f.get("evidence") or {}
    rows = []
    truncated = False
    for key in ("observed", "expected", "source"):
        if key not in evidence or evidence[key] in (None, "", [], {}):
            continue
        text, cut = _truncate(evidence[key], limit)
        truncated = truncated or cut
        rows.append({"key": key, "text": text, "truncated": cut})
    # Messages name the observed value, so a hostile or huge value must not bloat them either.
    message, cut = _truncate(pick_text(f, "message", lang), limit)
    truncated = truncated or cut
    waiver = f.get("waiver") or None
    return {
        "host": str(f.get("host", "")),
        "check": str(f.get("check", "")),
        "check_title": _pick(f, "check_title", lang) or str(f.get("check", "")),
        "status": _status(str(f.get("status", "")), lang),
        "message": message,
        "evidence": rows,
        "truncated": truncated,
        "waiver": (
            {k: _text(waiver.get(k)) for k in ("reason", "approver", "expires", "source")}
            if isinstance(waiver, Mapping)
            else None
        ),
    }


def _document(d: Mapping[str, Any], lang: str, limit: int) -> View:
    doc = d.get("document") or {}
    message, _cut = _truncate(pick_text(d, "message", lang), limit)
    return {
        "title": _pick(d, "title", lang) or str(d.get("key", "")),
        "status": _status(str(d.get("status", "")), lang),
        "message": message,
        "number": _text(doc.get("number")),
        "issued": _text(doc.get("issued")),
        "approver": _text(doc.get("approver")),
        "sha256": _text(doc.get("sha256"))[:16],
        "max_age_months": d.get("max_age_months"),
    }


def _reason(req: Mapping[str, Any], lang: str) -> str:
    """Why the requirement has its status, in ``lang``: ``reason_vi`` when the document has it,
    else the English reason, translated when it is one of the grader's fixed phrases."""

    text = pick_text(req, "reason", lang)
    if text == req.get("reason") and text in i18n.REASON_LABELS:
        return i18n.label(i18n.REASON_LABELS, text, lang)
    return text


def _sample(req: Mapping[str, Any]) -> Sequence[Mapping[str, Any]]:
    """The requirement's findings held in memory: its ``sample`` (a Document), or every
    finding of a plain version-1 mapping."""

    held = req.get("sample") if "sample" in req else req.get("findings")
    return list(held or [])


def _counts(req: Mapping[str, Any]) -> Counter[str]:
    if "counts" in req:
        return Counter({str(k): int(v) for k, v in (req.get("counts") or {}).items()})
    return Counter(str(f.get("status")) for f in req.get("findings") or [])


def _requirement(
    req: Mapping[str, Any], anchor: str, lang: str, options: RenderOptions,
    checks: Mapping[str, Mapping[str, Any]],
) -> View:
    findings = _sample(req)
    by_status = _counts(req)
    order = {s: i for i, s in enumerate(i18n.STATUS_DISPLAY_ORDER)}
    attention = sorted(
        (f for f in findings if f.get("status") in DETAIL_STATUSES),
        key=lambda f: (
            order.get(str(f.get("status")), 99), str(f.get("host")), str(f.get("check"))
        ),
    )
    shown = [_finding(f, lang, options.evidence_limit) for f in attention[:FINDINGS_LIMIT]]
    needing = sum(by_status[s] for s in DETAIL_STATUSES)
    remediation: dict[str, View] = {}
    wanted = list(req.get("attention_checks") or []) or [str(f.get("check", ""))
                                                          for f in attention]
    for check in wanted:
        info = checks.get(check) or next((f for f in attention if f.get("check") == check), {})
        text = _pick(info, "remediation", lang)
        if check and text and check not in remediation:
            title = _pick(info, "title", lang) or _pick(info, "check_title", lang) or check
            remediation[check] = {"check": check, "title": title, "text": text}
    layer = int(req.get("layer") or 0)
    severity = str(req.get("severity", ""))
    return {
        "anchor": anchor,
        "id": str(req.get("id", "")),
        "title": _pick(req, "title", lang),
        "group": i18n.label(i18n.GROUP_LABELS, req.get("group", ""), lang),
        "layer": layer,
        "layer_label": i18n.label(i18n.LAYER_LABELS, layer, lang),
        "severity": {"code": severity, "label": i18n.label(i18n.SEVERITY_LABELS, severity, lang)},
        "clauses": [CITATION_JOIN.sub(WORD_JOINER, c)
                    for c in clauses.clause_labels(req.get("clauses") or {}, lang)],
        "kind": i18n.label(i18n.KIND_LABELS, req.get("kind", ""), lang),
        "status": _status(str(req.get("status", "")), lang),
        "advisory": bool(req.get("advisory")),
        "reason": _reason(req, lang),
        "documents": [
            _pick(e, "title", lang) or str(e.get("key")) for e in req.get("evidence") or []
        ],
        "document_results": [_document(d, lang, options.evidence_limit)
                             for d in req.get("documents") or []],
        "total": sum(by_status.values()),
        "counts": [
            {**_status(s, lang), "count": by_status[s]}
            for s in i18n.STATUS_DISPLAY_ORDER
            if by_status[s]
        ],
        "findings": shown,
        "more": max(0, needing - len(shown)),
        # Small failures are open on screen; long lists stay folded behind their counts.
        "open": req.get("status") in ("fail", "error") and 0 < needing <= OPEN_LIMIT,
        "any_truncated": any(f["truncated"] for f in shown),
        "remediation": list(remediation.values()),
    }


# Chart geometry (SVG user units).
_CHART_W = 720
_BAR_X = 0
_BAR_W = 560
_ROW_H = 54


def _layer_detail(detail: Mapping[str, Any] | None, lang: str) -> View:
    if not detail:
        return {"automated": None, "documents": {}, "missing": [], "missing_more": 0}
    missing = [
        {"requirement": _text(m.get("requirement")), "title": _pick(m, "title", lang)}
        for m in detail.get("missing") or []
    ]
    return {
        "automated": _score(detail.get("automated") or {}, lang),
        "documents": dict(detail.get("documents") or {}),
        "missing": missing[:10],
        "missing_more": max(0, len(missing) - 10),
    }


def _param_source(source: str) -> View:
    """Where a parameter value comes from, as a kind the template names in the report language
    ("check default", "profile nd85-tt12-3", "tailoring quyche.yaml" in results.json)."""

    if source == "check default":
        return {"kind": "default", "ref": ""}
    for kind in ("profile", "tailoring"):
        if source.startswith(kind + " "):
            return {"kind": kind, "ref": source[len(kind) + 1:]}
    return {"kind": "other", "ref": source}


def _checks(requirements: Sequence[Mapping[str, Any]]) -> View:
    """Check-level progress (document.check_counts) with its percentage for the meter."""

    per_status: Counter[str] = Counter()
    for r in requirements:
        per_status.update(_counts(r))
    counts = check_counts(per_status)
    total = counts["total"]
    return {**counts, "percent": round(100 * counts["passed"] / total, 1) if total else 0.0}


def _unscored_reason(reqs: Sequence[Mapping[str, Any]]) -> str:
    """Why a layer has no percentage, as a code the template words: no requirement at this
    level, documents only (nothing automated to grade until documents are attested), or
    every requirement waived, not applicable or still awaiting evidence."""

    if not reqs:
        return "empty"
    if all(r.get("kind") == "evidence" for r in reqs):
        return "documents"
    return "nothing_graded"


def _blocking_top(blocking: Sequence[View], limit: int) -> View:
    """The blocking requirements for the top of the report: failures and errors first."""

    order = {s: i for i, s in enumerate(i18n.STATUS_DISPLAY_ORDER)}
    ranked = sorted(blocking, key=lambda b: order.get(b["status"]["code"], 99))
    return {"shown": ranked[:limit], "more": max(0, len(ranked) - limit)}


def _chart(layers: Sequence[View]) -> View:
    rows = []
    for i, layer in enumerate(layers):
        y = i * _ROW_H
        pct = layer["score"]["percent"]
        width = 0.0 if pct is None else round(_BAR_W * max(0.0, min(100.0, float(pct))) / 100, 1)
        rows.append(
            {
                "label_y": y + 16,
                "bar_y": y + 24,
                "bar_w": width,
                "text_x": _BAR_X + _BAR_W + 12,
                "text_y": y + 38,
                "layer": layer,
            }
        )
    return {
        "width": _CHART_W,
        "height": len(layers) * _ROW_H,
        "bar_x": _BAR_X,
        "track_w": _BAR_W,
        "bar_h": 18,
        "rows": rows,
    }


def _system(
    sys_index: int, system: Mapping[str, Any], lang: str, options: RenderOptions,
    checks: Mapping[str, Mapping[str, Any]],
) -> View:
    reqs = system.get("requirements") or []
    anchors = {str(r.get("id")): f"s{sys_index}-r{i}" for i, r in enumerate(reqs)}
    requirements = [
        _requirement(r, anchors[str(r.get("id"))], lang, options, checks) for r in reqs
    ]
    by_id = {r["id"]: r for r in requirements}
    verdict = system.get("verdict") or {}
    blocking = [
        by_id.get(b) or {"id": b, "anchor": "", "title": "", "status": _status("", lang)}
        for b in verdict.get("blocking", [])
    ]
    layers = []
    for key in sorted((system.get("layers") or {}), key=int):
        score = _score(system["layers"][key], lang)
        in_layer = [r for r in reqs if str(r.get("layer")) == key]
        layers.append(
            {
                "n": int(key),
                "label": i18n.label(i18n.LAYER_LABELS, int(key), lang),
                "score": score,
                "unscored": None if score["percent"] is not None else _unscored_reason(in_layer),
                "detail": _layer_detail((system.get("layer_detail") or {}).get(key), lang),
            }
        )
    # Per host, the findings that need attention (the hosts table shows them beside the
    # state): the host row's own counts; a version-1 mapping without them counts findings.
    per_host: dict[str, Counter[str]] = {}
    for r in reqs:
        for f in r.get("findings") or []:
            per_host.setdefault(str(f.get("host")), Counter())[str(f.get("status"))] += 1
    hosts = []
    for i, h in enumerate(system.get("hosts") or []):
        name = str(h.get("name", ""))
        state = str(h.get("state", ""))
        counts = Counter(h.get("counts") or {}) if "counts" in h else per_host.get(name,
                                                                                  Counter())
        hosts.append(
            {
                "anchor": f"s{sys_index}-h{i}",
                "name": name,
                "address": _text(h.get("address")),
                "transport": _text(h.get("transport")),
                "state": state,
                "state_label": i18n.label(i18n.HOST_STATE_LABELS, state, lang) if state else "",
                "state_ok": state in ("ok", "scanned"),
                "message": pick_text(h, "message", lang) or _text(h.get("error")),
                "fail": counts["fail"],
                "error": counts["error"],
                "connection": connection_rows(h.get("connection"), lang),
            }
        )
    params = [
        {
            "requirement": _text(p.get("requirement")),
            "anchor": anchors.get(str(p.get("requirement")), ""),
            "check": _text(p.get("check")),
            "name": _text(p.get("name")),
            "value": _truncate(p.get("value"), options.evidence_limit)[0],
            "source": _param_source(_text(p.get("source"))),
            "weakened": bool(p.get("weakened")),
        }
        for p in system.get("params") or []
    ]
    profile = system.get("profile") or {}
    level = system.get("level", verdict.get("level", ""))
    return {
        "anchor": f"s{sys_index}",
        "name": str(system.get("name", "")),
        "owner": _text(system.get("owner")),
        "operating_unit": _text(system.get("operating_unit")),
        "regime": _text(system.get("regime")),
        "level": level,
        "description": _text(system.get("description")),
        "profile": {
            "id": _text(profile.get("id")),
            "title": _pick(profile, "title", lang),
            "instruments": [str(x) for x in profile.get("instruments") or []],
            "caveat": _text(pick_text(profile, "caveat", lang)),
            "sources": [str(x) for x in profile.get("sources") or []],
        },
        "verdict_ok": bool(verdict.get("ok")),
        "failed": any(r.get("status") == "fail" for r in reqs),
        "blocking": blocking,
        "blocking_top": _blocking_top(blocking, BLOCKING_TOP),
        "checks": _checks(reqs),
        "score": _score(system.get("score") or {}, lang),
        "layers": layers,
        "chart": _chart(layers),
        "hosts": hosts,
        "connection_texts": connection_texts(lang),
        "hosts_down": sum(1 for h in hosts if h["state"] and not h["state_ok"]),
        "params": params,
        "weakened": sum(1 for p in params if p["weakened"]),
        "exclusions": [
            {
                "requirement": _text(e.get("requirement")),
                "anchor": anchors.get(str(e.get("requirement")), ""),
                "reason": _text(pick_text(e, "reason", lang)),
            }
            for e in system.get("exclusions") or []
        ],
        "requirements": requirements,
        "coverage": _coverage(system.get("coverage"), lang),
    }


COVERAGE_SHOWN = 50  # machines per list in the report; results.json keeps every one


def _coverage(raw: object, lang: str) -> View | None:
    """The anti-malware coverage section (attt coverage result given to the scan)."""

    if not isinstance(raw, Mapping):
        return None
    summary = raw.get("summary") or {}
    line = summary.get("line") or {}

    def rows(key: str) -> View:
        items = list(raw.get(key) or [])
        return {"total": len(items), "more": max(0, len(items) - COVERAGE_SHOWN), "items": [
            {"name": _text(m.get("name")),
             "where": ", ".join(str(x) for x in [*(m.get("ips") or []), *(m.get("macs") or [])]),
             "problems": "; ".join(str(p) for p in (m.get("problems") or {}).get(lang) or [])}
            for m in items[:COVERAGE_SHOWN]]}

    return {
        "line": _text(line.get(lang) or line.get("en")),
        "as_of": _when(raw.get("as_of"), lang),
        "source": _text(raw.get("source")),
        "complete": summary.get("healthy") == summary.get("total"),
        "unprotected": rows("unprotected"),
        "stale": rows("stale"),
        "orphans": len(raw.get("in_console_only") or []),
        "evidence": [{"file": _text(e.get("file")), "kind": _text(e.get("kind")),
                      "entries": e.get("entries"), "sha256": _text(e.get("sha256")),
                      "mtime": _when(e.get("mtime"), lang)}
                     for e in raw.get("evidence") or []],
    }


def _grading(rules: Mapping[str, Any], lang: str) -> View:
    sev = i18n.SEVERITY_LABELS
    return {
        "order": [i18n.label(i18n.STATUS_LABELS, s, lang) for s in rules.get("order", [])],
        "weights": [
            {"severity": i18n.label(sev, k, lang), "weight": v}
            for k, v in (rules.get("weights") or {}).items()
        ],
        "bands": [
            {"grade": b.get("grade"), "min": _percent(b.get("min_percent"), lang)}
            for b in rules.get("grade_bands") or []
        ],
        "caps": [
            {"severity": i18n.label(sev, k, lang), "grade": v}
            for k, v in (rules.get("grade_caps") or {}).items()
        ],
    }


def _trend(raw: object, lang: str) -> View | None:
    """The system's ``trend`` entry (attt.history) for the verdict box; None: no history."""

    if not isinstance(raw, Mapping):
        return None
    prev = raw.get("previous")
    if not isinstance(prev, Mapping):
        return {"first": True, "direction": "none"}
    delta = raw.get("delta")
    if isinstance(delta, int | float):
        text = f"{delta:+.1f}"
        delta_text = text.replace(".", ",") if lang == "vi" else text
        direction = "up" if delta > 0 else "down" if delta < 0 else "flat"
    else:
        delta_text, direction = NO_VALUE, "none"
    return {
        "first": False,
        "run_id": _text(prev.get("run_id")),
        "started": _when(prev.get("started"), lang),
        "previous_text": _percent(prev.get("score"), lang),
        "delta_text": delta_text,
        "direction": direction,
        "new_failures": int(raw.get("new_failures") or 0),
        "fixed": int(raw.get("fixed") or 0),
    }


def _gate(gate: Any) -> dict[str, Any] | None:
    """The CI gate line, shown apart from the verdict (a gate never changes the verdict)."""

    if not isinstance(gate, Mapping):
        return None
    return {
        "options": _text(gates.options_text(gate)),
        "exit_code": gate.get("exit_code", ""),
        "reasons": [_text(r) for r in gate.get("reasons") or []],
    }


def build_view(doc: Document, options: RenderOptions) -> View:
    """The HTML report's view model, computed in Python for the template."""

    lang = options.lang
    run = doc.get("run") or {}
    summary = doc.get("summary") or {}
    verdict = str(summary.get("verdict", ""))
    checks = doc.get("checks") or {}
    systems = [_system(i, s, lang, options, checks)
               for i, s in enumerate(doc.get("systems") or [])]
    trends = doc.get("trend") or {}
    for view, raw in zip(systems, doc.get("systems") or [], strict=True):
        view["trend"] = _trend(trends.get(view["name"]), lang)
        # Not fully scanned: the grade letter of what was scanned would mislead.
        view["incomplete"] = system_incomplete(raw, run)
    return {
        "lang": lang,
        "tool": {
            "name": _text((doc.get("tool") or {}).get("name") or "attt"),
            "version": _text((doc.get("tool") or {}).get("version")),
        },
        "schema": _text(doc.get("schema")),
        "run": {
            "id": _text(run.get("id")),
            "started": _when(run.get("started"), lang),
            "finished": _when(run.get("finished"), lang),
            "inventory": _text(run.get("inventory")),
            "interrupted": bool(run.get("interrupted")),
        },
        "summary": {
            "verdict": verdict,
            "verdict_label": i18n.label(i18n.RUN_VERDICT_LABELS, verdict, lang),
            "exit_code": summary.get("exit_code", ""),
            "gate": _gate(summary.get("gates")),
            "score": _score(summary.get("score") or {}, lang),
            "hosts": int(summary.get("hosts") or 0),
            "host_errors": int(summary.get("host_errors") or 0),
            "requirements": sum(int(v) for v in (summary.get("requirements") or {}).values()),
            "checks": _checks([r for s in doc.get("systems") or []
                               for r in s.get("requirements") or []]),
            "incomplete": verdict == "incomplete" or bool(run.get("interrupted"))
            or any(v["incomplete"] for v in systems),
        },
        "expired_waivers": [
            {k: _text(w.get(k)) for k in ("target", "hosts", "reason", "approver", "expires",
                                          "source")}
            for w in doc.get("expired_waivers") or []
        ],
        "notes": [_text(n) for n in _notes(doc, lang)],
        "systems": systems,
        "grading": _grading(doc.get("grading") or {}, lang),
        "evidence_limit": options.evidence_limit,
        "findings_limit": FINDINGS_LIMIT,
        # The verdict box's full list starts folded when the top of the report names only
        # part of it (the summary lists BLOCKING_TOP, failures first).
        "blocking_open": BLOCKING_TOP,
        "csp": CSP,
    }


@register("html", "report.html")
def render_html(doc: Document, options: RenderOptions) -> Iterator[str]:
    """The report as one self-contained HTML page, written as it is rendered (a large run's
    per-host detail is streamed from the findings, never held whole)."""

    doc = as_document(doc)  # a plain mapping (older file, tests) is converted once

    if options.lang not in i18n.LANGUAGES:
        raise ValueError(f"unsupported report language {options.lang!r}")
    template = environment(options.lang).get_template(TEMPLATE)
    view = build_view(doc, options)
    if doc.waivers:
        _waived_host_counts(doc, view)
    for system in view["systems"]:
        system["details"] = _host_details(doc, system)
    return template.generate(v=view, css=Markup(_stylesheet()))


# Checks named per host and status in the per-host detail; the rest are counted.
HOST_CHECKS_SHOWN = 40


def _waived_host_counts(doc: Document, view: View) -> None:
    """The hosts table's fail and error counts after waivers (a host record counts what the
    checks said): one pass over the findings, a pair of numbers kept per host."""

    counts: dict[tuple[str, str], Counter[str]] = {}
    for e in doc.entries():
        c = counts.setdefault((e["system"], e["host"]), Counter())
        for r in e["results"]:
            c[str(r["status"])] += len(r.get("requirements") or ())
    for system in view["systems"]:
        for h in system["hosts"]:
            found = counts.get((system["name"], h["name"]))
            if found is not None:
                h["fail"], h["error"] = found["fail"], found["error"]


def _host_details(doc: Document, system: View) -> Callable[[], Iterator[View]]:
    """Per host of the system, the checks that failed or could not be judged, read from the
    findings when the template reaches them (one host at a time)."""

    anchors = {h["name"]: h["anchor"] for h in system["hosts"]}

    def details() -> Iterator[View]:
        for e in doc.entries():
            if e["system"] != system["name"]:
                continue
            by_status: dict[str, list[str]] = {"fail": [], "error": []}
            for r in e["results"]:
                checks = by_status.get(str(r.get("status")))
                if checks is not None and r["check"] not in checks:
                    checks.append(str(r["check"]))
            if not any(by_status.values()):
                continue
            yield {
                "name": e["host"],
                "anchor": anchors.get(e["host"], ""),
                "lists": [{"status": s, "checks": sorted(c)[:HOST_CHECKS_SHOWN],
                           "more": max(0, len(c) - HOST_CHECKS_SHOWN)}
                          for s, c in by_status.items() if c],
            }

    return details


def _notes(doc: Mapping[str, Any], lang: str) -> list[Any]:
    """The run's notes in ``lang``; English in documents written before notes_vi."""

    localised = doc.get(f"notes_{lang}") if lang != "en" else None
    return list(localised if isinstance(localised, list) else doc.get("notes") or [])
