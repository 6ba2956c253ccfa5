"""The results document: the one versioned, JSON-serialisable view every renderer reads.

``results.json`` is this document (its findings written as a normalised stream, see
``render.json_format``), so ``attt report results.json`` re-renders any format without
rescanning and every format shows exactly the same figures.  ``build`` is
type-checked against ``attt.results_types`` (kept in step with the JSON Schema by a test).
Renderers take a ``Document``; ``as_document`` makes one of any results mapping (a
version-1 file, a version-2 file loaded whole, a test's own), ``attt.results_file`` reads
one from disk with its findings left there.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal, cast

from .. import __version__, redact
from .. import results_types as rt
from ..findings_log import expand, group_results
from ..grading import (
    ATTENTION,
    GRADE_BANDS,
    GRADE_CAPS,
    SAMPLE_LIMIT,
    Report,
    Score,
    SystemReport,
    waive,
)
from ..messages import render
from ..model import SEVERITY_WEIGHTS, Finding, ParamProvenance, System, Waiver
from ..registry import CHECKS

SCHEMA: Literal["attt.results/2"] = "attt.results/2"


def check_info(check_id: str) -> rt.CheckInfo:
    """A check's texts as results.json carries them once, in ``checks``."""

    spec = CHECKS.get(check_id)
    return {
        "title_vi": spec.title_vi if spec else check_id,
        "title_en": spec.title_en if spec else check_id,
        "severity": spec.severity.value if spec else "",
        "remediation_vi": spec.remediation_vi if spec else "",
        "remediation_en": spec.remediation_en if spec else "",
        "rationale": spec.rationale if spec else "",
    }


EntrySource = Callable[[], Iterable[Mapping[str, Any]]]
# Keys of results.json the JSON renderer writes from the findings stream.
STREAMED = ("texts", "evidence_values", "findings")


def _no_entries() -> Iterable[Mapping[str, Any]]:
    return ()


class Document(dict[str, Any]):
    """The results document (schema ``attt.results/2``).

    Everything but the findings is held in memory: it grows with the number of requirements
    and one small row per host.  The findings are a stream of *entries*, one per host (its
    system, name and compact results, see ``attt.findings_log``), read again from disk on each
    pass (``entries``/``findings``), so no reader holds every finding of every host at once.
    Each requirement carries ``counts`` (findings per status) and, in memory only, ``sample``:
    a bounded list of its findings needing attention (see ``grading.Tally``)."""

    def __init__(self, data: Mapping[str, Any] | None = None,
                 entries: EntrySource = _no_entries,
                 waivers: Sequence[Waiver] = ()) -> None:
        super().__init__(data or {})
        self._entries = entries
        self._waivers = tuple(waivers)

    def redacted(self) -> Document:
        """The document with registered secrets masked in what it holds; its findings stream
        as before (findings.jsonl was masked line by line when written)."""

        masked: dict[str, Any] = redact.data(dict(self))
        return Document(masked, self._entries, self._waivers)

    @property
    def waivers(self) -> tuple[Waiver, ...]:
        """The waivers applied to the findings as they stream by."""

        return self._waivers

    def entries(self) -> Iterator[dict[str, Any]]:
        """Each host's entry: ``system``, ``host`` and ``results`` (waivers applied)."""

        for e in self._entries():
            results = e.get("results") or []
            if self._waivers:
                findings = (waive(f, self._waivers) for f in expand(e))
                results = group_results(findings)
            yield {"system": str(e.get("system") or ""),
                   "host": str(e.get("host") or e.get("name") or ""),
                   "results": results}

    def findings(self) -> Iterator[dict[str, Any]]:
        """Every finding, one per requirement of each result, as results.json version 1
        wrote them (check texts included), one host at a time."""

        checks: Mapping[str, Mapping[str, str]] = self.get("checks") or {}
        for e in self.entries():
            for r in e["results"]:
                info = checks.get(r["check"]) or cast(Mapping[str, str], check_info(r["check"]))
                for req in r.get("requirements") or ():
                    yield finding_view(e["system"], e["host"], str(req), r, info)


def inflate(entry: Mapping[str, Any], texts: Sequence[Sequence[str]],
            values: Sequence[Mapping[str, Any]],
            bad_index: Callable[[str, int], Exception] | None = None) -> dict[str, Any]:
    """A results.json entry with its texts and evidence looked up by index; ``bad_index``
    makes the error for an index past its table (default: IndexError)."""

    results = []
    for i, r in enumerate(entry["results"]):
        text = r["text"]
        if isinstance(text, int):
            if text >= len(texts):
                raise (bad_index or _index_error)(f"results[{i}].text", text)
            text = texts[text]
        evidence = r.get("evidence", {})
        if isinstance(evidence, int):
            if evidence >= len(values):
                raise (bad_index or _index_error)(f"results[{i}].evidence", evidence)
            evidence = values[evidence]
        out = {k: v for k, v in r.items() if k not in ("text", "evidence")}
        out.update(message=text[0], message_vi=text[1])
        if evidence:
            out["evidence"] = evidence
        results.append(out)
    return {"system": entry["system"], "host": entry["host"], "results": results}


def _index_error(where: str, index: int) -> Exception:
    return IndexError(f"{where}: {index}")


def finding_view(system: str, host: str, requirement: str, r: Mapping[str, Any],
                 info: Mapping[str, str]) -> dict[str, Any]:
    """One finding as a flat mapping (version-1 shape): the result's fields, its requirement
    and its check's texts."""

    return {
        "system": system, "host": host, "requirement": requirement, "check": r["check"],
        "params": dict(r.get("params") or {}), "status": r["status"],
        "message": r.get("message", ""), "message_vi": r.get("message_vi") or r.get("message", ""),
        "evidence": dict(r.get("evidence") or {}), "waiver": r.get("waiver"),
        "check_title_vi": info.get("title_vi", ""), "check_title_en": info.get("title_en", ""),
        "severity": info.get("severity", ""),
        "remediation_vi": info.get("remediation_vi", ""),
        "remediation_en": info.get("remediation_en", ""),
        "rationale": info.get("rationale", ""),
    }


def _finding(f: Finding) -> dict[str, Any]:
    """A sampled finding in the flat shape renderers read."""

    r = {"check": f.check_id, "params": f.params, "status": f.status.value,
         "message": f.message, "message_vi": f.message_vi, "evidence": f.evidence,
         "waiver": f.waiver}
    return finding_view(f.system, f.host, f.requirement_id, r,
                        cast(Mapping[str, str], check_info(f.check_id)))


def _provenance(p: ParamProvenance) -> dict[str, Any]:
    return {
        "requirement": p.requirement_id,
        "check": p.check_id,
        "name": p.name,
        "value": p.value,
        "source": p.source,
        "weakened": p.weakened,
    }


def _host_list(system: System, hosts: Mapping[str, Mapping[str, Any]]) -> list[Any]:
    """The system's host rows: inventory hosts first, then the units that are not hosts
    (network scans: net:<zone>).  The rows themselves, not copies: with 10,000 hosts each
    copy of them costs tens of MB (issue 12)."""

    keys = {h.key for h in system.hosts}
    return [hosts[h.key] for h in system.hosts if h.key in hosts] + [
        row for key, row in sorted(hosts.items())
        if row.get("system") == system.name and key not in keys]


def _system(sr: SystemReport, hosts: Mapping[str, Mapping[str, Any]]) -> rt.System:
    sys_, prof = sr.system, sr.profile
    # Enum values (.value) are plain str to mypy: the cast, not a conversion.
    return cast(rt.System, {
        "name": sys_.name,
        "owner": sys_.owner,
        "operating_unit": sys_.operating_unit,
        "regime": sys_.regime,
        "level": sys_.level,
        "description": sys_.description,
        "profile": {
            "id": prof.id,
            "regime": prof.regime,
            "level": prof.level,
            "title_vi": prof.title_vi,
            "title_en": prof.title_en,
            "instruments": list(prof.instruments),
            "caveat": prof.caveat_en,
            "caveat_vi": prof.caveat_vi,
            "sources": list(prof.sources),
        },
        "verdict": {"ok": sr.verdict_ok, "level": sys_.level, "blocking": list(sr.blocking)},
        "score": sr.score.to_json(),
        "layers": {str(k): v.to_json() for k, v in sr.layers.items()},
        # Per layer, automated checks and attested documents apart (issue: 4-layer scorecard).
        "layer_detail": {
            str(k): {
                "automated": d.automated.to_json(),
                "documents": dict(d.documents),
                "missing": [
                    {"requirement": rid, "title_vi": tvi, "title_en": ten}
                    for rid, tvi, ten in d.missing
                ],
            }
            for k, d in sr.layer_detail.items()
        },
        "evidence": {"source": sr.evidence_source, "approval_date": sr.approval_date},
        "params": [_provenance(p) for p in prof.provenance],
        "exclusions": [
            {"requirement": e.requirement_id, "reason": render(e.reason, "en"),
             "reason_vi": render(e.reason, "vi")} for e in prof.exclusions
        ],
        # Inventory hosts first, then the units that are not hosts (network scans: net:<zone>).
        "hosts": _host_list(sys_, hosts),
        "requirements": [
            {
                "id": r.requirement.id,
                "title_vi": r.requirement.title_vi,
                "title_en": r.requirement.title_en,
                "group": r.requirement.group,
                "layer": r.requirement.layer,
                "severity": r.requirement.severity.value,
                "clauses": dict(r.requirement.clauses),
                "kind": r.requirement.kind,
                "advisory": r.requirement.advisory,
                "evidence": [
                    {"key": e.key, "title_vi": e.title_vi, "title_en": e.title_en}
                    for e in r.requirement.evidence
                ],
                "status": r.status.value,
                "automated_status": r.automated.value if r.automated else None,
                "documents": [d.to_json() for d in r.documents],
                "reason": r.reason,
                "reason_vi": r.reason_vi,
                "counts": {k: v for k, v in sorted(r.counts.items()) if v},
                "attention_checks": list(r.attention_checks),
                "sample": [_finding(f) for f in r.findings],
            }
            for r in sr.requirements
        ],
    })


def grading_rules() -> rt.Grading:
    """The published grading formula as results.json carries it."""

    return {
        "weights": {k.value: v for k, v in SEVERITY_WEIGHTS.items()},
        "grade_bands": [{"grade": g, "min_percent": m} for g, m in GRADE_BANDS],
        "grade_caps": {k.value: v for k, v in GRADE_CAPS.items()},
        "order": ["fail", "error", "manual", "pass"],
    }


def build(
    report: Report,
    run: Mapping[str, Any],
    hosts: Mapping[str, Mapping[str, Any]],
    exit_status: int,
    entries: EntrySource = _no_entries,
    waivers: Sequence[Waiver] = (),
) -> Document:
    """``run``: id, started, finished, inventory, profile overrides, interrupted flag.
    ``hosts``: per host key, its state row (name, address, transport, state, message ...).
    ``entries``: the findings, one entry per host, read again on each pass; ``waivers``:
    those in force, applied to them as they stream by (grading applied the same)."""

    statuses = [r.status.value for s in report.systems for r in s.requirements]
    verdict: rt.Verdict = (
        "non_compliant" if exit_status == 1 else "incomplete" if exit_status == 3 else "compliant"
    )
    doc: rt.ResultsDocument = {
        "schema": SCHEMA,
        "tool": {"name": "attt", "version": __version__},
        "run": cast(rt.Run, dict(run)),
        "grading": grading_rules(),
        "summary": {
            "verdict": verdict,
            "exit_code": cast(rt.ExitCode, exit_status),
            "score": cast(rt.Score, report.score.to_json()),
            "requirements": {s: statuses.count(s) for s in sorted(set(statuses))},
            "host_errors": report.host_errors,
            "hosts": len(hosts),
        },
        "expired_waivers": [
            {"target": w.target, "hosts": w.hosts, "reason": w.reason, "approver": w.approver,
             "expires": w.expires, "source": w.source}
            for w in report.expired_waivers
        ],
        "notes": [render(n, "en") for n in report.notes],
        "notes_vi": [render(n, "vi") for n in report.notes],
        "checks": {c: check_info(c) for c in sorted(
            {ref.check_id for s in report.systems for r in s.profile.requirements
             for ref in r.checks})},
        "systems": [_system(s, hosts) for s in report.systems],
        # Written by the JSON renderer from the findings stream; never held here.
        "texts": [], "evidence_values": [], "findings": [],
    }
    data = {k: v for k, v in doc.items() if k not in STREAMED}
    return Document(data, entries, waivers)


def pick(item: Mapping[str, Any], stem: str, lang: str) -> str:
    """``title_vi`` / ``title_en`` by language, falling back to the other one."""

    other = "en" if lang == "vi" else "vi"
    return str(item.get(f"{stem}_{lang}") or item.get(f"{stem}_{other}") or "")


def finding_counts(requirements: Iterable[Mapping[str, Any]]) -> Counter[str]:
    """Findings per status over some requirements (their ``counts``)."""

    total: Counter[str] = Counter()
    for r in requirements:
        total.update({str(k): int(v) for k, v in (r.get("counts") or {}).items()})
    return total


def check_counts(counts: Mapping[str, int]) -> dict[str, int]:
    """Check-level progress: one check on one host is one result.  Not-applicable results are
    left out of the total, as they are of the score.  The report and the command line both
    show it beside the requirement score; ``counts`` are findings per status
    (``finding_counts``)."""

    c = Counter(counts)
    return {"passed": c["pass"],
            "total": sum(n for status, n in c.items() if status != "not_applicable"),
            "failed": c["fail"], "errors": c["error"]}


def system_incomplete(system: Mapping[str, Any], run: Mapping[str, Any]) -> bool:
    """A host of the system was not scanned in full, or the run was interrupted: a grade over
    part of the hosts would mislead, so readers show "incomplete" instead."""

    hosts = system.get("hosts") or []
    return bool(run.get("interrupted")) or any(h.get("state") != "ok" for h in hosts)


def from_v1(doc: dict[str, Any]) -> Document:
    """A version-1 document (findings inside requirements) as a version-2 Document."""

    per_host: dict[tuple[str, str], list[Finding]] = {}
    checks: dict[str, dict[str, str]] = {}
    for system in doc.get("systems") or []:
        for req in system.get("requirements") or []:
            found = req.pop("findings", None) or []
            req["counts"] = dict(Counter(str(f["status"]) for f in found))
            req["attention_checks"] = sorted({str(f["check"]) for f in found
                                              if f["status"] in {s.value for s in ATTENTION}})
            for f in found:
                per_host.setdefault((str(f["system"]), str(f["host"])), []).append(
                    Finding.from_json(f))
                checks.setdefault(str(f["check"]), {
                    **cast(Mapping[str, str], check_info(str(f["check"]))),
                    **{k: str(f[k]) for k in ("check_title_vi", "check_title_en")
                       if f.get(k)}})
    for info in checks.values():
        info["title_vi"] = info.pop("check_title_vi", info["title_vi"])
        info["title_en"] = info.pop("check_title_en", info["title_en"])
    entries = [{"system": s, "host": h, "results": group_results(fs)}
               for (s, h), fs in per_host.items()]
    doc["checks"] = checks
    doc["schema"] = SCHEMA  # converted: written again, it is a version-2 document
    return Document(doc, lambda: entries)


def attach_samples(doc: Document) -> None:
    """Each requirement's ``sample`` (findings needing attention, bounded as grading keeps
    them), rebuilt from the findings in one pass."""

    index: dict[tuple[str, str], dict[str, Any]] = {}
    for system in doc.get("systems") or []:
        for req in system.get("requirements") or []:
            req["sample"] = []
            index[(str(system.get("name")), str(req.get("id")))] = req
    kept: Counter[tuple[str, str, str]] = Counter()
    attention = {s.value for s in ATTENTION}
    checks: Mapping[str, Mapping[str, str]] = doc.get("checks") or {}
    for e in doc.entries():
        for r in e["results"]:
            if r["status"] not in attention:
                continue
            info = checks.get(r["check"]) or cast(Mapping[str, str], check_info(r["check"]))
            for rid in r.get("requirements") or ():
                req = index.get((e["system"], str(rid)))
                key = (e["system"], str(rid), r["status"])
                if req is not None and kept[key] < SAMPLE_LIMIT:
                    kept[key] += 1
                    req["sample"].append(finding_view(e["system"], e["host"], str(rid), r, info))


def as_document(doc: Mapping[str, Any]) -> Document:
    """A Document for any results mapping a renderer is given: a Document as it is; a
    version-2 or version-1 mapping loaded whole (tests, older files) converted, its samples
    rebuilt.  The caller's mapping is not changed."""

    if isinstance(doc, Document):
        return doc
    data = copy.deepcopy(dict(doc))
    if data.get("schema") == SCHEMA:
        texts, values = data.pop("texts", []), data.pop("evidence_values", [])
        entries = [inflate(e, texts, values) for e in data.pop("findings", [])]
        out = Document(data, lambda: entries)
    else:
        out = from_v1(data)
    attach_samples(out)
    return out


def iter_findings(doc: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Every finding of a document, one at a time: streamed from a ``Document``, read from
    the requirements of a plain version-1 mapping."""

    if isinstance(doc, Document):
        yield from doc.findings()
        return
    if doc.get("schema") == SCHEMA:  # a version-2 file loaded whole (json.load)
        yield from as_document(doc).findings()
        return
    for s in doc.get("systems") or []:
        for r in s.get("requirements") or []:
            yield from r.get("findings") or []


def all_findings(doc: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Every finding of every system (small documents and tests: this holds them all)."""

    return list(iter_findings(doc))


__all__ = [
    "SCHEMA",
    "Document",
    "Score",
    "all_findings",
    "as_document",
    "attach_samples",
    "build",
    "check_counts",
    "finding_counts",
    "from_v1",
    "grading_rules",
    "iter_findings",
    "pick",
    "system_incomplete",
]
