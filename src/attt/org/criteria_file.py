"""Reading a criteria file (``attt.criteria/1``): every key validated, the formula of each
indicator looked up in the registry (an unknown one is an error naming its key).

The bundled default (``reports/criteria/dti-2022-province.yaml``) holds the candidate rows
of the provincial DTI's information-security index: none is confirmed, so every title is
printed with "(ước lượng)" and every score with "ước tính".  An agency replaces the file
with its province's decision (``criteria:`` in organisation.yaml).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from importlib import resources

from ..messages import T
from ..yamlio import Node, load_file
from .criteria import MEASURES, POINTS_RULES, RULE_MEASURES, Criteria, Indicator, PointsRule
from .indicators import FORMULA_MEASURES, check_params

DEFAULT_CRITERIA = "dti-2022-province.yaml"


def _points(node: Node, measure: str) -> PointsRule:
    if not node.has("points"):
        return PointsRule("linear" if measure != "count" else "tiered",
                          ((0.0, 1.0),) if measure == "count" else ())
    p = node.mapping("points")
    p.allow("rule", "tiers")
    rule = p.text("rule")
    if rule not in POINTS_RULES:
        raise p.error("rule", T("unknown points rule {rule} (known: {known})", rule=repr(rule),
                                known=sorted(POINTS_RULES)))
    if measure not in RULE_MEASURES[rule]:
        raise p.error("rule", T("the rule {rule} cannot score a {measure} indicator",
                                rule=rule, measure=measure))
    tiers: list[tuple[float, float]] = []
    raw = p.raw("tiers")
    if rule == "tiered":
        if not isinstance(raw, list) or not raw:
            raise p.error("tiers", T("expected a list of [threshold, share] pairs"))
        for i, pair in enumerate(raw):
            if (not isinstance(pair, list) or len(pair) != 2
                    or not all(isinstance(x, int | float) and not isinstance(x, bool)
                               and math.isfinite(x) for x in pair)
                    or not 0 <= pair[1] <= 1):
                raise p.error(f"tiers[{i}]", T("expected [threshold, share] with the share "
                                               "between 0 and 1"))
            tiers.append((float(pair[0]), float(pair[1])))
    elif raw is not None:
        raise p.error("tiers", T("only the tiered rule takes tiers"))
    return PointsRule(rule, tuple(tiers))


def _points_value(node: Node, key: str) -> float | None:
    value = node.raw(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not (
            math.isfinite(value) and value >= 0):
        raise node.error(key, T("expected a number >= 0, got {value}", value=repr(value)))
    return float(value)


INDICATOR_KEYS = ("id", "title_vi", "title_en", "confirmed", "official_no", "measure",
                  "formula", "params", "max_points", "default_points", "points", "source_url",
                  "basis")


def _indicator(node: Node, formulas: Mapping[str, tuple[str, ...]]) -> Indicator:
    node.allow(*INDICATOR_KEYS)
    measure = node.text("measure")
    if measure not in MEASURES:
        raise node.error("measure", T("expected one of {choices}, got {value}",
                                      choices=MEASURES, value=repr(measure)))
    formula = node.text("formula")
    if formula not in formulas:
        raise node.error("formula", T("unknown formula {formula} (known: {known})",
                                      formula=repr(formula), known=sorted(formulas)))
    if measure not in formulas[formula]:
        raise node.error("measure", T("the formula {formula} gives {measures}, not {measure}",
                                      formula=formula, measures=", ".join(formulas[formula]),
                                      measure=measure))
    params = node.mapping("params")
    return Indicator(
        id=node.text("id"),
        title_vi=node.text("title_vi"),
        title_en=node.text("title_en"),
        confirmed=node.boolean("confirmed", False),
        measure=measure,
        formula=formula,
        params=dict(params.data),
        official_no=node.text("official_no", ""),
        max_points=_points_value(node, "max_points"),
        default_points=_points_value(node, "default_points"),
        points=_points(node, measure),
        source_url=node.text("source_url", ""),
    )


def bundled_criteria() -> str:
    """Path of the bundled default criteria file."""

    return str(resources.files("attt.reports").joinpath("criteria", DEFAULT_CRITERIA))


def load_criteria(path: str = "") -> Criteria:
    """Read and validate a criteria file (the bundled default when ``path`` is empty)."""

    path = path or bundled_criteria()
    root = Node(load_file(path), path)
    root.allow("schema", "id", "title_vi", "title_en", "confirmed", "note_vi", "note_en",
               "indicators")
    if root.text("schema") != "attt.criteria/1":
        raise root.error("schema", T("expected attt.criteria/1"))
    indicators = tuple(_indicator(n, FORMULA_MEASURES) for n in root.items("indicators"))
    if not indicators:
        raise root.error("indicators", T("required"))
    seen: dict[str, int] = {}
    for i, ind in enumerate(indicators):
        if ind.id in seen:
            raise root.error(f"indicators[{i}].id", T("duplicate indicator {id}",
                                                      id=repr(ind.id)))
        seen[ind.id] = i
    for i, ind in enumerate(indicators):
        check_params(ind, Node(dict(ind.params), path, f"indicators[{i}].params"))
    return Criteria(
        path=path,
        id=root.text("id"),
        title_vi=root.text("title_vi"),
        title_en=root.text("title_en"),
        confirmed=root.boolean("confirmed", False),
        note_vi=root.text("note_vi", ""),
        note_en=root.text("note_en", ""),
        indicators=indicators,
    )
