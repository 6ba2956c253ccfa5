"""Ranking criteria as data: which indicators, how each is measured from attt's data (a
formula named from a registry, attt.org.indicators), and how a value becomes points.
Read and validated by attt.org.criteria_file.

The bundled default (``reports/criteria/dti-2022-province.yaml``) holds the candidate rows
of the provincial DTI's information-security index: none is confirmed, so every title is
printed with "(ước lượng)" and every score with "ước tính".  An agency replaces the file
with its province's decision (``criteria:`` in organisation.yaml).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

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
