"""Generate the bundled level profiles of both regimes from the requirement catalogues.

The catalogues (tools/regulation/, copied from the project's shared regulation folder) are
the domain source; this script keeps the profiles faithful to them: every item at every
level the catalogue lists it for, with that level's clause references, evidence documents
and freshness periods.  What is ours, not the regulation's, is data beside each catalogue,
one mapping file per regime (tools/regulation/<regime>-checks.yaml): the mapping of items to
checks and the level from which each applies, severities, host roles, level parameters (the
documented default values where a regime states none), evidence freshness and
before-approval rules, and the requirements attt adds (the IPv6 advisory).  This script holds
no mapping of its own: it validates the mapping file (errors name the file and the key) and
combines the two.

    python tools/gen_profiles.py            # writes profiles/nd85-tt12-{1..5}.yaml and
                                            # profiles/law116-nd331-{1..5}.yaml
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from attt.errors import AtttError, InputError
from attt.yamlio import Node, load_file

ROOT = Path(__file__).resolve().parents[1]
CATALOGUES = ROOT / "tools" / "regulation"
ROMAN = ["I", "II", "III", "IV", "V"]
LEVELS = range(1, 6)
SEVERITIES = ("low", "medium", "high", "critical")
CHECK_ID = re.compile(r"[a-z0-9]+\.[a-z0-9_]+")
ADDED_PREFIX = "ATTT."
DOCUMENTS = "evidence-documents.yaml"

REGIMES: dict[str, dict[str, Any]] = {
    "nd85-tt12": {
        "catalogue": "tt12-2022-catalogue.yaml",
        "mapping": "nd85-tt12-checks.yaml",
        "instruments": ["Nghị định 85/2016/NĐ-CP", "Thông tư 12/2022/TT-BTTTT",
                        "TCVN 11930:2017"],
        "caveat_vi": "",
        "caveat_en": "",
        "title_vi": "Yêu cầu bảo đảm an toàn hệ thống thông tin cấp độ {n} "
                    "(Phụ lục {roman}, Thông tư 12/2022/TT-BTTTT)",
        "title_en": "Security level {n} requirements (Circular 12/2022 Appendix {roman})",
    },
    "law116-nd331": {
        "catalogue": "tcvn14423-2026-catalogue.yaml",
        "mapping": "law116-nd331-checks.yaml",
        "instruments": ["Luật An ninh mạng 116/2025/QH15", "Nghị định 331/2026/NĐ-CP",
                        "TCVN 14423:2026"],
        "caveat_vi": (
            "Nội dung yêu cầu theo TCVN 14423:2026 được tổng hợp từ một bộ công cụ công khai "
            "(ldphuong-vn/vn-cyber-compliance), chưa đối chiếu với văn bản chính thức; cần tra "
            "cứu tiêu chuẩn gốc khi lập hồ sơ."
        ),
        "caveat_en": (
            "Requirement content as reported by one public toolkit, not verified against the "
            "official standard; consult the standard itself when preparing a dossier."
        ),
        "title_vi": "Yêu cầu bảo vệ an ninh mạng hệ thống thông tin cấp độ {n} "
                    "(TCVN 14423:2026, Nghị định 331/2026/NĐ-CP)",
        "title_en": "Level {n} requirements (TCVN 14423:2026, Decree 331/2026, as reported)",
    },
}


@dataclass(frozen=True)
class Mapped:
    """attt's side of one requirement: what the mapping file says about it."""

    severity: str = "medium"
    roles: tuple[str, ...] = ()
    # (check id, level from which it applies), in the order the profile lists them.
    checks: tuple[tuple[str, int], ...] = ()
    freshness_months: dict[int, int] = field(default_factory=dict)
    before_approval: bool = False

    def checks_at(self, level: int) -> list[str]:
        return [check for check, since in self.checks if since <= level]


@dataclass(frozen=True)
class RegimeMapping:
    """One regime's mapping file, validated against its catalogue."""

    source: str
    requirements: dict[str, Mapped]
    # check id -> level -> parameter values in force from that level.
    parameters: dict[str, dict[int, dict[str, Any]]]
    # Requirements attt adds, as catalogue-like items (id, levels, titles, clause ...).
    added: list[dict[str, Any]]

    def get(self, rid: str) -> Mapped:
        return self.requirements.get(rid) or Mapped()

    def parameters_at(self, level: int) -> dict[str, dict[str, Any]]:
        return {check: per[level] for check, per in self.parameters.items() if level in per}

    def check_ids(self) -> set[str]:
        return {check for m in self.requirements.values() for check, _ in m.checks}


def _level(node: Node, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in LEVELS:
        raise node.error(name, f"expected a level 1-5, got {value!r}")
    return value


def _mapped(node: Node, levels: list[int]) -> Mapped:
    node.allow("severity", "roles", "checks", "freshness_months", "before_approval")
    severity = node.text("severity", "medium")
    if severity not in SEVERITIES:
        raise node.error("severity", f"expected {', '.join(SEVERITIES)}, got {severity!r}")
    roles = node.texts("roles")
    if node.has("roles") and not roles:
        raise node.error("roles", "empty list (leave roles out to run on every host)")
    checks: list[tuple[str, int]] = []
    table = node.mapping("checks")
    for check, since in table.data.items():
        if not isinstance(check, str) or not CHECK_ID.fullmatch(check):
            raise table.error(str(check), "expected a check id family.name")
        level = _level(table, check, since)
        if level > max(levels):
            raise table.error(check, f"from level {level}, but the requirement is only at "
                                     f"levels {levels}: the check would never apply")
        checks.append((check, level))
    fresh = node.mapping("freshness_months")
    freshness: dict[int, int] = {}
    for key, value in fresh.data.items():
        level = _level(fresh, str(key), key)
        if level not in levels:
            raise fresh.error(str(key), f"the requirement is only at levels {levels}")
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise fresh.error(str(key), f"expected a number of months, got {value!r}")
        freshness[level] = value
    return Mapped(severity=severity, roles=roles, checks=tuple(checks),
                  freshness_months=freshness,
                  before_approval=node.boolean("before_approval", False))


def _added(node: Node, rid: str, catalogue_ids: set[str]) -> dict[str, Any]:
    node.allow("levels", "title_vi", "title_en", "group", "layer", "advisory", "clause",
               "description_en")
    if rid in catalogue_ids:
        raise InputError(node.source, node.path, "already an item of the catalogue")
    if not rid.startswith(ADDED_PREFIX):
        raise InputError(node.source, node.path,
                         f"ids of added requirements start with {ADDED_PREFIX}")
    levels = node.raw("levels")
    if not isinstance(levels, list) or not levels or any(
            isinstance(lv, bool) or lv not in LEVELS for lv in levels):
        raise node.error("levels", f"expected a list of levels 1-5, got {levels!r}")
    clause = node.mapping("clause")
    item: dict[str, Any] = {
        "id": rid,
        "levels": levels,
        "title_vi": node.text("title_vi"),
        "title_en": node.text("title_en"),
        "group": node.text("group"),
        "layer": node.integer("layer", lo=1, hi=4),
        "advisory": node.boolean("advisory", False),
        "clause": {str(k): clause.text(k) for k in clause.data},
    }
    if node.has("description_en"):
        item["description_en"] = node.text("description_en")
    return item


def load_mapping(path: Path, items: list[dict[str, Any]]) -> RegimeMapping:
    """Read and validate one regime's mapping file against the regime's catalogue items."""

    top = Node(load_file(str(path)), str(path))
    top.allow("requirements", "parameters", "added")
    levels_of = {i["id"]: list(i["levels"]) for i in items}
    added_node = top.mapping("added")
    added = [_added(added_node.mapping(rid), rid, set(levels_of)) for rid in added_node.data]
    levels_of.update({a["id"]: a["levels"] for a in added})
    reqs = top.mapping("requirements")
    requirements: dict[str, Mapped] = {}
    for rid in reqs.data:
        if rid not in levels_of:
            raise reqs.error(str(rid), "not an item of the catalogue nor an added requirement "
                                       "(added:)")
        requirements[rid] = _mapped(reqs.mapping(rid), levels_of[rid])
    for a in added:
        if not requirements.get(a["id"], Mapped()).checks:
            raise reqs.error(a["id"], "an added requirement needs checks")
    named = {check for m in requirements.values() for check, _ in m.checks}
    params = top.mapping("parameters")
    parameters: dict[str, dict[int, dict[str, Any]]] = {}
    for check in params.data:
        if check not in named:
            raise params.error(str(check), "no requirement of this file maps that check")
        per = params.mapping(check)
        parameters[check] = {}
        for key in per.data:
            values = per.mapping(key)  # a mapping of parameter name -> value
            parameters[check][_level(per, str(key), key)] = dict(values.data)
    return RegimeMapping(str(path), requirements, parameters, added)


def load_mappings(regulation: Path = CATALOGUES) -> dict[str, RegimeMapping]:
    """Every regime's mapping, validated against its catalogue in ``regulation``."""

    return {regime: load_mapping(regulation / meta["mapping"], catalogue_items(regime, regulation))
            for regime, meta in REGIMES.items()}



def months(period: Any) -> int | None:
    """ISO 8601 period P<n>M / P<n>Y -> months; anything else (org-defined, null) -> None."""

    m = re.fullmatch(r"P(\d+)([MY])", str(period or ""))
    if not m:
        return None
    return int(m.group(1)) * (12 if m.group(2) == "Y" else 1)


@dataclass(frozen=True)
class Text:
    """One text in both languages of the profiles."""

    vi: str
    en: str


@dataclass(frozen=True)
class Documents:
    """tools/regulation/evidence-documents.yaml: what each document of an item is."""

    source: str
    by_item: dict[str, tuple[Text, ...]]
    # product_if keys of the Circular's product rules, in words.
    conditions: dict[str, Text]

    def condition(self, key: str) -> Text:
        """A product_if condition ("A AND B" joins two keys) in words."""

        parts = [self.conditions.get(k.strip()) for k in key.split(" AND ")]
        if any(p is None for p in parts):
            raise InputError(self.source, "conditions",
                             f"no wording for the product condition {key!r}")
        found = [p for p in parts if p is not None]
        return Text(" và ".join(p.vi for p in found), " and ".join(p.en for p in found))


def _text(node: Node) -> Text:
    node.allow("vi", "en")
    return Text(" ".join(node.text("vi").split()), " ".join(node.text("en").split()))


def _item_documents(node: Node, rid: str, listed: list[Any] | None) -> tuple[Text, ...]:
    docs = tuple(_text(n) for n in node.items(rid))
    if not docs:
        raise node.error(rid, "expected a list of documents {vi, en}")
    if listed and len(docs) != len(listed):
        raise node.error(rid, f"{len(docs)} documents, but the catalogue lists {len(listed)} "
                              f"(evidence: {listed})")
    for lang in ("vi", "en"):
        texts = [getattr(d, lang) for d in docs]
        if len(set(texts)) != len(texts):
            raise node.error(rid, f"two documents have the same {lang} description")
    return docs


def load_documents(regulation: Path = CATALOGUES) -> Documents:
    """The document descriptions, validated against every regime's catalogue items."""

    path = regulation / DOCUMENTS
    top = Node(load_file(str(path)), str(path))
    top.allow("documents", "conditions")
    listed = {i["id"]: i.get("evidence") for regime in REGIMES
              for i in catalogue_items(regime, regulation)}
    table = top.mapping("documents")
    by_item: dict[str, tuple[Text, ...]] = {}
    for rid in table.data:
        if rid not in listed:
            raise table.error(str(rid), "not an item of the catalogues")
        by_item[rid] = _item_documents(table, str(rid), listed[rid])
    for rid, evidence in listed.items():
        if evidence and rid not in by_item:
            raise table.error(rid, f"missing: the catalogue lists documents {evidence}")
    conds = top.mapping("conditions")
    conditions = {str(k): _text(conds.mapping(str(k))) for k in conds.data}
    documents = Documents(str(path), by_item, conditions)
    for regime in REGIMES:  # every product condition worded before any profile is written
        for item in catalogue_items(regime, regulation):
            for rule in (item.get("product_rule") or {}).values():
                for cond in (rule or {}).get("product_if", []):
                    documents.condition(str(cond))
    return documents


def _product_note(item: dict[str, Any], level: int, documents: Documents) -> Text:
    """What the Circular's product rule at ``level`` asks for, as a note after each title."""

    rule = (item.get("product_rule") or {}).get(level) or {}
    kind = rule.get("rule")
    if kind == "product":
        return Text(" (yêu cầu sản phẩm chuyên dụng)", " (a dedicated product is required)")
    if kind == "equivalent-ok":
        return Text(" (sản phẩm hoặc giải pháp tương đương)",
                    " (a product or an equivalent solution)")
    if kind == "conditional":
        conds = [documents.condition(str(c)) for c in rule.get("product_if", [])]
        return Text(" (sản phẩm chuyên dụng khi: " + "; hoặc ".join(c.vi for c in conds) + ")",
                    " (a dedicated product if: " + "; or ".join(c.en for c in conds) + ")")
    if kind == "plan":
        return Text(" (phương án)", " (a plan)")
    return Text("", "")


def _documents(item: dict[str, Any], documents: Documents) -> tuple[Text, ...]:
    # An item the catalogue lists no document for is attested by one record named after it;
    # for a design solution of the Circular that record is the solution's design.
    if item["id"] in documents.by_item:
        return documents.by_item[item["id"]]
    if item.get("group") == "design-solutions":
        return (Text(f"Hồ sơ thiết kế, triển khai giải pháp: {item['title_vi']}",
                     f"Design and deployment records of the solution: {item['title_en']}"),)
    return (Text(f"Tài liệu chứng minh việc đáp ứng yêu cầu: {item['title_vi']}",
                 f"Records showing that the requirement is met: {item['title_en']}"),)


def _evidence(item: dict[str, Any], level: int, checks: list[str],
              mapped: Mapped, documents: Documents) -> list[dict[str, Any]]:
    kind = item.get("kind", "document-evidence")
    if checks and kind not in ("document-evidence", "mixed"):
        return []
    max_age = mapped.freshness_months.get(level)
    th = (item.get("thresholds") or {}).get(level) or {}
    for key in ("review", "interval", "period"):
        if months(th.get(key)):
            max_age = months(th.get(key))
            break
    note = _product_note(item, level, documents)
    out = []
    for i, doc in enumerate(_documents(item, documents)):
        spec: dict[str, Any] = {
            "key": f"doc{i + 1}",
            "title_vi": doc.vi + note.vi,
            "title_en": doc.en + note.en,
        }
        if max_age:
            spec["max_age_months"] = max_age
        if mapped.before_approval:
            spec["before_approval"] = True
        out.append(spec)
    return out


def _clauses(item: dict[str, Any], level: int, regime: str) -> dict[str, str]:
    out: dict[str, str] = {}
    if regime == "nd85-tt12":
        ref = item.get("tt12_ref")
        out["tt12"] = ref[level] if isinstance(ref, dict) else str(ref)
        tcvn = (item.get("tcvn_11930") or {}).get(level)
        if tcvn:
            out["tcvn_11930"] = str(tcvn)
    else:
        if item.get("tcvn_14423"):
            out["tcvn_14423"] = str(item["tcvn_14423"][level])
        if item.get("nd331_ref"):
            out["nd331"] = str(item["nd331_ref"])
    rule = (item.get("product_rule") or {}).get(level)
    if rule:
        out["product_rule"] = str(rule.get("rule"))
    return out



def requirement(item: dict[str, Any], level: int, regime: str, mapped: Mapped,
                documents: Documents) -> dict[str, Any]:
    checks = mapped.checks_at(level)
    req: dict[str, Any] = {
        "id": item["id"],
        "title_vi": item["title_vi"],
        "title_en": item["title_en"],
        "group": item.get("group", "general"),
        "layer": int(item.get("layer", 1)),
        "severity": mapped.severity,
        "clause": _clauses(item, level, regime),
    }
    if checks:
        req["checks"] = [{"id": c} for c in checks]
        if mapped.roles:
            req["roles"] = list(mapped.roles)
    evidence = _evidence(item, level, checks, mapped, documents)
    if evidence:
        req["evidence"] = evidence
    if item.get("description_en"):
        req["description_en"] = " ".join(str(item["description_en"]).split())
    return req


def added_requirement(item: dict[str, Any], level: int, mapped: Mapped) -> dict[str, Any]:
    """A requirement attt adds (not an item of the regime), written as the mapping gives it."""

    req: dict[str, Any] = {
        "id": item["id"],
        "title_vi": item["title_vi"],
        "title_en": item["title_en"],
        "group": item["group"],
        "layer": item["layer"],
        "severity": mapped.severity,
    }
    if item["advisory"]:
        req["advisory"] = True
    req["clause"] = item["clause"]
    if item.get("description_en"):
        req["description_en"] = item["description_en"]
    req["checks"] = [{"id": c} for c in mapped.checks_at(level)]
    if mapped.roles:
        req["roles"] = list(mapped.roles)
    return req


def catalogue_items(regime: str, regulation: Path = CATALOGUES) -> list[dict[str, Any]]:
    """Every item a profile must carry: appendix/standard items and the body obligations."""

    with open(regulation / REGIMES[regime]["catalogue"], encoding="utf-8") as fh:
        cat = yaml.safe_load(fh)
    if regime == "nd85-tt12":
        extra = [{**g, "group": "general", "layer": g.get("layer", 1)}
                 for g in cat["general_requirements"]]
    else:
        extra = [{**o, "group": "nd331-obligations", "layer": o.get("layer", 1)}
                 for o in cat["decree_331_obligations"]]
    items = list(cat["items"]) + extra
    for i, item in enumerate(items):
        # People read the Vietnamese title first: an item without one is an error, not English.
        if not item.get("title_vi") or item.get("title_vi") == item.get("title_en"):
            raise InputError(str(regulation / REGIMES[regime]["catalogue"]), str(item["id"]),
                             f"title_vi missing or in English (item {i})")
    return items


def profile(regime: str, level: int, items: list[dict[str, Any]],
            mapping: RegimeMapping, documents: Documents) -> dict[str, Any]:
    meta = REGIMES[regime]
    roman = ROMAN[level - 1]
    doc: dict[str, Any] = {
        "id": f"{regime}-{level}",
        "regime": regime,
        "level": level,
        "title_vi": meta["title_vi"].format(n=level, roman=roman),
        "title_en": meta["title_en"].format(n=level, roman=roman),
        "instruments": meta["instruments"],
    }
    # One field per language: a report shows only its own language's text.
    for lang in ("vi", "en"):
        if meta[f"caveat_{lang}"]:
            doc[f"caveat_{lang}"] = meta[f"caveat_{lang}"]
    if level > 1:
        doc["extends"] = f"{regime}-{level - 1}"
        below = {i["id"] for i in items if level - 1 in i["levels"]}
        here = {i["id"] for i in items if level in i["levels"]}
        dropped = sorted(below - here)
        if dropped:
            doc["removes"] = dropped  # items the regime does not restate at this level
    params = mapping.parameters_at(level)
    if params:
        doc["parameters"] = params
    doc["requirements"] = (
        [requirement(i, level, regime, mapping.get(i["id"]), documents) for i in items
         if level in i["levels"]]
        + [added_requirement(a, level, mapping.get(a["id"])) for a in mapping.added
           if level in a["levels"]])
    return doc


class _NoAliases(yaml.SafeDumper):
    # attt refuses YAML aliases on input; shared lists must be written out in full.
    def ignore_aliases(self, data: Any) -> bool:
        return True


def main(out: str = str(ROOT / "profiles"), regulation: Path = CATALOGUES) -> None:
    mappings = load_mappings(regulation)  # every file validated before any profile is written
    documents = load_documents(regulation)
    for regime, mapping in mappings.items():
        items = catalogue_items(regime, regulation)
        for level in LEVELS:
            doc = profile(regime, level, items, mapping, documents)
            path = Path(out) / f"{regime}-{level}.yaml"
            header = (
                f"# Generated by tools/gen_profiles.py from {REGIMES[regime]['catalogue']}.\n"
                "# Titles are paraphrases; clause numbers are the regulation's; the check\n"
                "# mapping and default parameter values are attt's. Do not edit by hand.\n"
            )
            path.write_text(header + yaml.dump(doc, Dumper=_NoAliases, allow_unicode=True,
                                               sort_keys=False, width=100), encoding="utf-8")
            print(f"{path}: {len(doc['requirements'])} requirements")


if __name__ == "__main__":
    # Optional argument: the output folder (a catalogue path given first, as older
    # invocations did, is ignored: the catalogues live in tools/regulation/).
    dirs = [a for a in sys.argv[1:] if Path(a).is_dir()]
    try:
        main(dirs[-1] if dirs else str(ROOT / "profiles"))
    except AtttError as exc:
        print(f"gen_profiles: {exc}", file=sys.stderr)
        sys.exit(2)
