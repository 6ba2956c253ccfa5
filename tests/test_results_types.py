"""attt.results_types says what schemas/attt.results-2.schema.json says.

For each TypedDict in ``SCHEMA_OBJECTS``: its keys are the properties of its schema object,
its required keys are the schema's ``required``, and where the schema has an enum (or a
``$ref`` to one) the annotation is a ``Literal`` of exactly those values.
"""

from __future__ import annotations

import json
import types
import typing
from pathlib import Path
from typing import Any

import pytest

from attt import results_types as rt

SCHEMA = json.loads((Path(__file__).parents[1] / "schemas" / "attt.results-2.schema.json")
                    .read_text(encoding="utf-8"))
# Keys the types name although the schema leaves them open (no additionalProperties: false).
EXTRA: dict[Any, set[str]] = {rt.Param: {"value"}}


def _at(pointer: str) -> dict[str, Any]:
    node: Any = SCHEMA
    for part in [p for p in pointer.split("/") if p]:
        node = node[part]
    return _object(node)


def _deref(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = _at(node["$ref"].removeprefix("#"))
    return node


def _object(node: dict[str, Any]) -> dict[str, Any]:
    """The object branch of a node (``oneOf: [null, {object}]`` included)."""

    node = _deref(node)
    for key in ("oneOf", "anyOf"):
        for branch in node.get(key, ()):
            if _deref(branch).get("properties"):
                return _deref(branch)
    return node


def _enum(node: dict[str, Any]) -> set[Any] | None:
    node = _deref(node)
    if "enum" in node:
        return set(node["enum"])
    if "const" in node:
        return {node["const"]}
    values: set[Any] = set()
    for key in ("oneOf", "anyOf"):
        for branch in node.get(key, ()):
            sub = _enum(branch)
            if sub is None:
                if _deref(branch).get("type") != "null":
                    return None
                continue
            values |= sub
    return values or None


def _literals(annotation: Any) -> set[Any] | None:
    """The values of the Literals in an annotation (through unions and NotRequired)."""

    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return set(typing.get_args(annotation))
    if origin in (typing.Union, types.UnionType, typing.NotRequired, typing.Required):
        found = [_literals(a) for a in typing.get_args(annotation) if a is not type(None)]
        if found and all(f is not None for f in found):
            return set().union(*[f for f in found if f is not None])
    return None


CASES = sorted(rt.SCHEMA_OBJECTS.items(), key=lambda kv: kv[1])


@pytest.mark.parametrize(("typed", "pointer"), CASES, ids=[t.__name__ for t, _ in CASES])
def test_keys_and_required_match_the_schema(typed: Any, pointer: str) -> None:
    obj = _at(pointer)
    props = set(obj.get("properties", {}))
    assert props, f"{pointer}: no properties in the schema"
    assert set(typed.__annotations__) == props | EXTRA.get(typed, set())
    assert set(typed.__required_keys__) == set(obj.get("required", ()))


@pytest.mark.parametrize(("typed", "pointer"), CASES, ids=[t.__name__ for t, _ in CASES])
def test_enums_are_literals(typed: Any, pointer: str) -> None:
    obj = _at(pointer)
    hints = typing.get_type_hints(typed, include_extras=True)
    for key, node in obj.get("properties", {}).items():
        enum = _enum(node)
        items = _deref(node).get("items")
        if enum is None and isinstance(items, dict):
            enum = _enum(items)
            hint = typing.get_args(hints[key])[0] if typing.get_args(hints[key]) else None
            if typing.get_origin(hints[key]) is typing.NotRequired:
                hint = typing.get_args(typing.get_args(hints[key])[0])[0]
        else:
            hint = hints[key]
        if enum is None:
            continue
        assert _literals(hint) == enum, f"{typed.__name__}.{key}"


def test_every_schema_object_with_properties_has_a_type() -> None:
    """A new object in the schema needs a TypedDict (or a place in ``open_objects``)."""

    # Left as dict[str, Any]: evidence values are any JSON; a host row names only "name".
    open_objects = {"/properties/evidence_values/items",
                    "/$defs/result/properties/evidence/oneOf/1",
                    "/$defs/system/properties/hosts/items"}
    seen = set(rt.SCHEMA_OBJECTS.values()) | open_objects
    missing = []

    def walk(node: Any, pointer: str) -> None:
        if isinstance(node, dict):
            if node.get("properties") and pointer not in seen:
                missing.append(pointer)
            for key, value in node.items():
                walk(value, f"{pointer}/{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{pointer}/{i}")

    walk(SCHEMA, "")
    # The "previous" run of a trend is the object branch of a oneOf.
    missing = [m for m in missing if m != "/$defs/trend/properties/previous/oneOf/1"]
    assert not missing
