"""Ranking criteria as data: which indicators, how each is measured from attt's data (a
formula named from a registry, attt.org.indicators), and how a value becomes points.

The bundled default (``reports/criteria/dti-2022-province.yaml``) holds the candidate rows
of the provincial DTI's information-security index: none is confirmed, so every title is
printed with "(ước lượng)" and every score with "ước tính".  An agency replaces the file
with its province's decision (``criteria:`` in organisation.yaml).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from ..messages import T
from ..yamlio import Node, load_file

DEFAULT_CRITERIA = "dti-2022-province.yaml"
MEASURES = ("ratio", "boolean", "count")


@dataclass(frozen=True)
class PointsRule:
    """How a value becomes a share of the indicator's points."""

    rule: str
    tiers: tuple[tuple[float, float], ...] = ()  # (threshold, share of the points)


@dataclass(frozen=True)
class Indicator:
    """One row of the criteria."""

    id: str
    title_vi: str
    title_en: str
    confirmed: bool
    measure: str
    formula: str
    params: Mapping[str, Any] = field(default_factory=dict)
    official_no: str = ""
    max_points: float | None = None  # from the official decision
    default_points: float | None = None  # the tool's assumption when max_points is unknown
    points: PointsRule = PointsRule("linear")
    source_url: str = ""

    @property
    def points_max(self) -> float | None:
        """The points this indicator is worth here (official, else assumed, else none)."""

        return self.max_points if self.max_points is not None else self.default_points

    @property
    def estimated(self) -> bool:
        """Whether its score rests on something unconfirmed (the row or its points)."""

        return not self.confirmed or self.max_points is None


@dataclass(frozen=True)
class Criteria:
    """A criteria file."""

    path: str
    id: str
    title_vi: str
    title_en: str
    confirmed: bool
    note_vi: str
    note_en: str
    indicators: tuple[Indicator, ...]

    @property
    def estimated(self) -> bool:
        """Whether any score of the table rests on unconfirmed criteria."""

        return not self.confirmed or any(i.estimated for i in self.indicators)


# --------------------------------------------------------------------------- points rules


def _linear(value: float | bool, measure: str, rule: PointsRule) -> float:
    if measure == "boolean":
        return 1.0 if value else 0.0
    return max(0.0, min(1.0, float(value)))


def _boolean(value: float | bool, measure: str, rule: PointsRule) -> float:
    return 1.0 if (value is True or (not isinstance(value, bool) and value >= 1.0)) else 0.0


def _tiered(value: float | bool, measure: str, rule: PointsRule) -> float:
    v = float(value)
    # A count is a penalty: the fewer the better (at most the threshold); a ratio or yes/no
    # earns the share of the first tier it reaches (at least the threshold).
    for threshold, share in rule.tiers:
        if (v <= threshold) if measure == "count" else (v >= threshold):
            return share
    return 0.0


# One entry per points rule: (value, measure, rule) -> share of the points in 0..1.
POINTS_RULES: dict[str, Callable[[float | bool, str, PointsRule], float]] = {
    "linear": _linear,
    "boolean": _boolean,
    "tiered": _tiered,
}
# Which measures a rule can score.
RULE_MEASURES = {"linear": ("ratio", "boolean"), "boolean": ("boolean", "ratio"),
                 "tiered": MEASURES}


def share_of_points(indicator: Indicator, value: float | bool) -> float:
    """The share (0..1) of the indicator's points a value earns."""

    return POINTS_RULES[indicator.points.rule](value, indicator.measure, indicator.points)


# --------------------------------------------------------------------------- loading


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

    from .indicators import FORMULA_MEASURES, check_params  # they import Indicator from here

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
