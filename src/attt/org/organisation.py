"""The organisation file: the body that ranks its units and files the owner's annual report,
and its units (sở/ban/ngành, cấp huyện, cấp xã) with their inventories, AV-coverage results
and declared inputs.  Validated like the inventory: every error names the file and key.

Paths inside the file (inventories, coverage, inputs, criteria) are relative to the file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from ..errors import InputError
from ..messages import T
from ..particulars import PARTY_KEYS, Party
from ..profile_loader import REGIMES
from ..yamlio import Node, load_file
from .ids import UNIT_ID

YEAR = "{year}"
UNIT_KINDS = ("so_ban_nganh", "cap_huyen", "cap_xa")
# ``mandate``: the document setting the unit's functions, duties and powers (TT12 Art. 14.1).
CONTACT_KEYS = ("mandate", "representative", "position", "address", "phone", "email")
ORG_KEYS = ("name", "regime", "owner", "security_unit")
UNIT_KEYS = ("id", "name", "kind", "parent", "contact", "inventories", "coverage", "inputs")


@dataclass(frozen=True)
class Unit:
    """One unit of the organisation."""

    id: str
    name: str
    kind: str
    parent: str | None = None
    contact: Mapping[str, str] = field(default_factory=dict)
    inventories: tuple[str, ...] = ()  # absolute paths
    coverage: tuple[str, ...] = ()  # absolute paths of `attt coverage` results
    inputs: str | None = None  # absolute path of the unit's declared inputs


@dataclass(frozen=True)
class Organisation:
    """The organisation file, loaded and validated."""

    path: str
    name: str
    regime: str
    owner: Party
    security_unit: Party
    criteria_path: str | None
    units: tuple[Unit, ...]

    def unit(self, unit_id: str) -> Unit:
        """The unit with this id (KeyError when there is none)."""

        for u in self.units:
            if u.id == unit_id:
                return u
        raise KeyError(unit_id)


def _path(base: str, value: str) -> str:
    return os.path.normpath(os.path.join(base, os.path.expanduser(value)))


def _party(node: Node, key: str) -> Party:
    p = node.mapping(key)
    p.allow(*PARTY_KEYS)
    return Party(**{k: p.text(k, "") for k in PARTY_KEYS if k != "also_operates"},
                 also_operates=p.boolean("also_operates", False))


def _existing(node: Node, key: str, path: str) -> str:
    if not os.path.isfile(path):
        raise node.error(key, T("file not found: {path}", path=path))
    return path


def _unit(node: Node, base: str) -> Unit:
    node.allow(*UNIT_KEYS)
    uid = node.text("id")
    if not UNIT_ID.fullmatch(uid):
        raise node.error("id", T("not a unit id (lowercase letters, digits, '-' and '_', "
                                 "starting with a letter or digit): {value}", value=repr(uid)))
    kind = node.text("kind")
    if kind not in UNIT_KINDS:
        raise node.error("kind", T("expected one of {choices}, got {value}",
                                   choices=UNIT_KINDS, value=repr(kind)))
    contact = node.mapping("contact")
    contact.allow(*CONTACT_KEYS)
    inventories = tuple(_existing(node, f"inventories[{i}]", _path(base, p))
                        for i, p in enumerate(node.texts("inventories")))
    coverage = tuple(_existing(node, f"coverage[{i}]", _path(base, p))
                     for i, p in enumerate(node.texts("coverage")))
    inputs = node.text("inputs", "")
    return Unit(
        id=uid,
        name=node.text("name"),
        kind=kind,
        parent=node.text("parent", "") or None,
        contact={k: contact.text(k, "") for k in CONTACT_KEYS if contact.has(k)},
        inventories=inventories,
        coverage=coverage,
        # "{year}" in the name: one file per year (inputs-{year}.yaml), checked when ranked.
        inputs=(None if not inputs else _path(base, inputs) if YEAR in inputs
                else _existing(node, "inputs", _path(base, inputs))),
    )


def _check_tree(root: Node, units: list[Unit]) -> None:
    """Ids unique, parents known, no cycle: errors name units[i].<key>."""

    index: dict[str, int] = {}
    for i, u in enumerate(units):
        if u.id in index:
            raise root.error(f"units[{i}].id", T("duplicate unit {unit} (first at units[{first}])",
                                                 unit=repr(u.id), first=index[u.id]))
        index[u.id] = i
    parents = {u.id: u.parent for u in units}
    for i, u in enumerate(units):
        if u.parent is not None and u.parent not in index:
            raise root.error(f"units[{i}].parent", T("no unit {unit} in this file",
                                                     unit=repr(u.parent)))
        seen = {u.id}
        up = u.parent
        while up is not None:  # bounded: each step visits a new id or stops
            if up in seen:
                raise root.error(f"units[{i}].parent",
                                 T("the parents of {unit} form a cycle", unit=repr(u.id)))
            seen.add(up)
            up = parents[up]


def load_organisation(path: str) -> Organisation:
    """Read and validate an organisation file."""

    root = Node(load_file(path), path)
    root.allow("organisation", "criteria", "units")
    base = os.path.dirname(os.path.abspath(path))
    org = root.mapping("organisation")
    org.allow(*ORG_KEYS)
    regime = org.text("regime", "nd85-tt12")
    if regime not in REGIMES:
        raise org.error("regime", T("expected one of {choices}, got {value}",
                                    choices=REGIMES, value=repr(regime)))
    criteria = root.text("criteria", "")
    units = [_unit(u, base) for u in root.items("units")]
    if not units:
        raise root.error("units", T("required"))
    _check_tree(root, units)
    return Organisation(
        path=os.path.abspath(path),
        name=org.text("name"),
        regime=regime,
        owner=_party(org, "owner"),
        security_unit=_party(org, "security_unit"),
        criteria_path=_existing(root, "criteria", _path(base, criteria)) if criteria else None,
        units=tuple(units),
    )


def children(org: Organisation, unit_id: str | None) -> tuple[Unit, ...]:
    """The units directly under ``unit_id`` (None: directly under the organisation)."""

    return tuple(u for u in org.units if u.parent == unit_id)


def descendants(org: Organisation, unit_id: str | None) -> tuple[Unit, ...]:
    """Every unit below ``unit_id``, depth first, in file order (not the unit itself)."""

    def walk(uid: str | None) -> Iterator[Unit]:
        for child in children(org, uid):
            yield child
            yield from walk(child.id)

    return tuple(walk(unit_id))


def select_units(org: Organisation, ids: tuple[str, ...]) -> tuple[Unit, ...]:
    """The units named by ``--unit`` (all when none), refusing an unknown id."""

    if not ids:
        return org.units
    known = {u.id for u in org.units}
    for uid in ids:
        if uid not in known:
            raise InputError("--unit", uid, T("no unit {unit} in {path}", unit=repr(uid),
                                              path=org.path))
    return tuple(u for u in org.units if u.id in ids)
