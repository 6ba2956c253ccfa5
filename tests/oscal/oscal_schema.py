"""Validation against NIST's OSCAL 1.1.3 JSON Schemas (vendored in tests/fixtures/oscal/).

The schemas' token pattern uses Unicode property classes (``\\p{L}``, ``\\p{N}``) that
Python's ``re`` rejects; the validator here is jsonschema's Draft 7 validator with its
``pattern`` keyword evaluated by the ``regex`` package, which supports them.  The schema
files stay byte for byte as NIST published them (their SHA-256 is pinned below).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import regex
from jsonschema import Draft7Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "oscal"
SHA256 = {
    "oscal_assessment-results_schema.json":
        "d9e34757f0c12aff61f52b821f0b8f83ba0ba75b3a149a202b08ba82f82bc4c3",
    "oscal_catalog_schema.json":
        "5e120afbd14c480a9498ab6388857ef32b3b880e458525e966ff7c7f59333d90",
    "oscal_profile_schema.json":
        "d14c99b4bc48cb1ef370cd27a78c23e04bab847e737e11f478b37714db30851b",
}


def _pattern(validator: Any, pattern: str, instance: Any,
             schema: Any) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not regex.search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


OscalValidator = validators.extend(Draft7Validator, {"pattern": _pattern})
# The metaschema's check that each pattern is a regular expression, with the same engine.
REGEX_FORMAT = FormatChecker()


@REGEX_FORMAT.checks("regex", raises=regex.error)
def _is_regex(instance: object) -> bool:
    return not isinstance(instance, str) or regex.compile(instance) is not None


@cache
def validator(model: str) -> Any:
    """The validator of one OSCAL model: assessment-results, catalog or profile."""

    schema = json.loads((FIXTURES / f"oscal_{model}_schema.json").read_text("utf-8"))
    Draft7Validator.check_schema(schema, format_checker=REGEX_FORMAT)
    return OscalValidator(schema)


def errors(model: str, doc: Any) -> list[str]:
    """Every schema error of ``doc`` (empty: valid)."""

    return [f"{e.json_path}: {e.message[:300]}" for e in validator(model).iter_errors(doc)]
