"""What a fix is (typed records the catalog declares) and how it is filled from a finding.

A ``Fix`` is data: the actions it makes, with ``{name}`` placeholders for the finding's
parameters (``{min_length}``) and the host context (``{ssh_ports}``); the handlers it
notifies; when it takes effect; and the conditions on the finding's evidence under which it
is safe (otherwise the finding is listed for a person, with the reason).  A ``Human`` entry
says why a check's fix needs a decision nobody can take for the agency.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .actions import Action, Block

Effect = Literal["now", "boot"]


@dataclass(frozen=True)
class Handler:
    """A command run once after the tasks that notify it changed something."""

    name_vi: str
    name_en: str
    command: str
    live_only: bool = False  # only with --apply-live (it changes the running system)


@dataclass(frozen=True)
class Empty:
    """The evidence value at ``path`` must be empty (absent, null, [] or {})."""

    path: tuple[str, ...]
    reason_vi: str
    reason_en: str

    def holds(self, evidence: Mapping[str, Any]) -> bool:
        """Whether the evidence allows the fix."""

        return not _get(evidence, self.path)


@dataclass(frozen=True)
class Present:
    """The evidence must hold a value at ``path`` (the fix edits what it names)."""

    path: tuple[str, ...]
    reason_vi: str
    reason_en: str

    def holds(self, evidence: Mapping[str, Any]) -> bool:
        """Whether the evidence allows the fix."""

        return _get(evidence, self.path) is not None


@dataclass(frozen=True)
class Mentions:
    """The evidence at ``path`` names ``text`` (a module the fix edits is in the stack)."""

    path: tuple[str, ...]
    text: str
    reason_vi: str
    reason_en: str

    def holds(self, evidence: Mapping[str, Any]) -> bool:
        """Whether the evidence allows the fix."""

        return self.text in json.dumps(_get(evidence, self.path), ensure_ascii=False)


@dataclass(frozen=True)
class ReadBefore:
    """Every value in the evidence mapping at ``path`` that came from a sysctl.d file
    (``{"from": "/etc/sysctl.d/10-x.conf:3"}``, or ``... via /etc/sysctl.d/99-sysctl.conf``)
    came from one read before ``name``: a file read after attt's would undo the fix."""

    path: tuple[str, ...]
    name: str
    reason_vi: str
    reason_en: str

    def holds(self, evidence: Mapping[str, Any]) -> bool:
        """Whether the evidence allows the fix."""

        values = _get(evidence, self.path)
        if not isinstance(values, Mapping):
            return True
        for value in values.values():
            source = value.get("from") if isinstance(value, Mapping) else None
            if not isinstance(source, str) or not source.startswith("/"):
                continue  # a kernel default, not a file
            file = source.split(" via ")[-1].split(":")[0]
            if file.rsplit("/", 1)[-1] > self.name:
                return False
        return True


Condition = Empty | Present | Mentions | ReadBefore


def _get(data: Any, path: Sequence[str]) -> Any:
    for key in path:
        if not isinstance(data, Mapping) or key not in data:
            return None
        data = data[key]
    return data


@dataclass(frozen=True)
class Fix:
    """An automatic fix of one check."""

    check: str
    title_vi: str
    title_en: str
    actions: tuple[Action, ...]
    handlers: tuple[str, ...] = ()
    effect: Effect = "now"
    conditions: tuple[Condition, ...] = ()
    each: str | None = None  # a list parameter: Block lines with {item} repeat per element
    # What the person running it must know first (said in the file's header), vi and en.
    caution: tuple[str, str] | None = None

    def fill(self, context: Mapping[str, Any]) -> tuple[Action, ...]:
        """The actions with the placeholders replaced (KeyError: a parameter is missing)."""

        return tuple(_fill(a, context, self.each) for a in self.actions)

    def blocked_by(self, evidence: Mapping[str, Any]) -> Condition | None:
        """The first condition the finding's evidence breaks, if any."""

        return next((c for c in self.conditions if not c.holds(evidence)), None)


@dataclass(frozen=True)
class Human:
    """A check whose fix needs a decision of the agency (a product, an address, a list)."""

    check: str
    reason_vi: str
    reason_en: str


def _fill(action: Action, context: Mapping[str, Any], each: str | None) -> Action:
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(action):  # type: ignore[arg-type]
        value = getattr(action, f.name)
        if isinstance(value, str):
            changes[f.name] = value.format_map(context)
    if isinstance(action, Block):
        lines: list[str] = []
        for line in action.lines:
            if "{item}" in line and each is not None:
                for item in context[each]:
                    # "a|b|c" in a parameter means any one of them: the first is written.
                    lines.append(line.replace("{item}", str(item).split("|")[0]))
            else:
                lines.append(line.format_map(context))
        changes["lines"] = tuple(lines)
    return dataclasses.replace(action, **changes)  # type: ignore[type-var]


__all__ = ["Condition", "Effect", "Empty", "Fix", "Handler", "Human", "Mentions", "Present",
           "ReadBefore"]
