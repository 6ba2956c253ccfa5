"""What every OSCAL document attt writes shares: version, attt's property namespace,
deterministic UUIDs, properties and timestamps in the forms the OSCAL schema accepts.

Text: OSCAL has one ``title``/``description`` per object; attt writes the Vietnamese text
there and the English one in a ``title-en`` property (one line) or in ``remarks`` (prose), so
a Vietnamese reader sees Vietnamese and nothing is lost for an English one.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable
from typing import Any

OSCAL_VERSION = "1.1.3"
# attt's own property namespace (``ns`` of every attt property): a URI attt controls the
# meaning of, not a page to fetch (OSCAL: "a namespace qualifying the property's name").
NS = "https://attt.example/ns/oscal"
_UUID_NS = uuid.uuid5(uuid.NAMESPACE_URL, NS)
_TZ_VN = dt.timezone(dt.timedelta(hours=7))
# A timestamp the schema accepts when a run recorded none (interrupted before it began).
EPOCH = "1970-01-01T00:00:00+00:00"


def det_uuid(*key: object) -> str:
    """A UUID (version 5) fixed by ``key``: the same run and key give the same UUID on
    every render, so two renders of one run are the same document."""

    return str(uuid.uuid5(_UUID_NS, json.dumps([str(k) for k in key], ensure_ascii=False)))


def one_line(text: object) -> str:
    """``text`` on one line without surrounding blanks (OSCAL strings: ``^\\S(.*\\S)?$``)."""

    return " ".join(str(text if text is not None else "").split())


def prop(name: str, value: object, *, cls: str = "", group: str = "") -> dict[str, str] | None:
    """An attt property, or None for an empty value (the schema refuses empty strings)."""

    if value is None:
        return None
    if isinstance(value, str):
        text = one_line(value)
    else:  # numbers as written, booleans and lists as JSON
        text = one_line(json.dumps(value, ensure_ascii=False))
    if not text:
        return None
    out = {"name": name, "ns": NS, "value": text}
    if cls:
        out["class"] = cls
    if group:
        out["group"] = group
    return out


def props(items: Iterable[dict[str, str] | None]) -> list[dict[str, str]]:
    """The properties that have a value."""

    return [p for p in items if p is not None]


def put(target: dict[str, Any], key: str, value: Any) -> None:
    """Set ``key`` only when ``value`` is not empty (OSCAL arrays have ``minItems: 1`` and
    strings must not be empty)."""

    if value:
        target[key] = value


def timestamp(value: object, fallback: str = EPOCH) -> str:
    """An ISO date-time with its offset, to the second; a time without an offset is
    Vietnam time (attt writes +07:00); an unreadable one gives ``fallback``."""

    try:
        when = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return fallback
    if when.tzinfo is None:
        when = when.replace(tzinfo=_TZ_VN)
    return when.isoformat(timespec="seconds")


def param_value(value: object) -> str:
    """A parameter value as OSCAL carries it (a string): JSON text, so lists, numbers and
    strings read back unchanged (``8``, ``"yes"``, ``[]``)."""

    return json.dumps(value, ensure_ascii=False, sort_keys=True)
