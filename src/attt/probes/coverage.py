"""The anti-malware coverage result (``attt coverage --json``) as a system fact.

Not collected from a host: ``attt scan --coverage FILE`` (or the inventory's ``coverage:``
key) gives it, and attt.coverage.scan hands its text to the system-scope check
``antimalware.coverage``.  The parser checks it against attt.coverage-1.schema.json.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from ..artefacts import Schema, check_schema, parse_json
from ..errors import InputError
from ..messages import T
from ..registry import PROBES, FactParseError, Probe, Section, register_probe

FACT = "coverage.result"
SCHEMA_FILE = "attt.coverage-1.schema.json"
SCHEMA_ID = "attt.coverage/1"


@cache
def schema() -> Schema:
    """The JSON Schema of coverage.json shipped in ``attt.reports``."""

    text = resources.files("attt.reports").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    loaded: Schema = json.loads(text)
    return loaded


def check_document(doc: Any, source: str) -> dict[str, Any]:
    """``doc`` if it is an attt coverage result, else an InputError naming the key."""

    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA_ID:
        raise InputError(source, "schema", T("not an attt coverage result (attt coverage "
                                             "--json or -o)"))
    check_schema(schema(), doc, source)
    return doc


def parse(section: Section) -> dict[str, Any]:
    """The coverage document of the section's text."""

    try:
        return check_document(parse_json(section.text, FACT), FACT)
    except InputError as exc:
        raise FactParseError(T("not a valid coverage result at {key}: {problem}",
                               key=exc.key or "-", problem=exc.problem)) from None


if FACT not in PROBES:
    register_probe(Probe(FACT, parse, description="attt coverage result given to the scan"))
