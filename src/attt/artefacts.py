"""Validated readers of the files attt wrote earlier and reads back: results.json, run.json,
findings.jsonl, manifest.json.

They come back from disk, e-mail or a USB stick and may have been edited: nothing in them is
trusted before it has been checked.  results.json is checked against the published schema
(``attt.results-1.schema.json``, shipped with attt) by a small interpreter of the JSON Schema
keywords that schema uses, so every error names the path of the bad value
(``systems[0].requirements[3].status: expected one of ...``).  ``jsonschema`` is only a test
dependency: its Rust-built ``rpds`` dependency chain is a lot to carry onto the offline
machines attt runs on, for ~100 lines of checks.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from typing import Any

from . import safe_io
from .errors import InputError
from .messages import Msg, T

RESULTS_SCHEMA = "attt.results-2.schema.json"
RESULTS_SCHEMA_V1 = "attt.results-1.schema.json"
MAX_RESULTS_BYTES = 256 * 1024 * 1024
MAX_RUN_BYTES = 1024 * 1024
MAX_FINDINGS_BYTES = 1024 * 1024 * 1024
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
MAX_JSON_DEPTH = 64

Schema = Mapping[str, Any]


class _BadNumber(ValueError):
    """A number json would take but attt refuses; carries its message to parse_json."""

    def __init__(self, message: Msg) -> None:
        super().__init__(str(message))
        self.message = message


def _no_constant(name: str) -> Any:
    raise _BadNumber(T("{name} is not a JSON number", name=name))


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _BadNumber(T("{number} is out of range", number=text[:20]))
    return value


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(r"[\[\]{}]")


def _depth_ok(text: str) -> bool:
    """Cheap bound before json recursion: brackets outside strings (strings are cut out by
    one regular expression, then only the brackets are walked)."""

    depth = 0
    for ch in _BRACKET.findall(_STRING.sub("", text)):
        if ch in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return False
        else:
            depth -= 1
    return True


def parse_json(text: str, source: str, where: str = "") -> Any:
    """Strict JSON: no NaN/Infinity (Python's json takes them), bounded nesting."""

    if not _depth_ok(text):
        raise InputError(source, where, T("JSON nested deeper than {depth} levels",
                                          depth=MAX_JSON_DEPTH))
    try:
        return json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        # exc.msg is the decoder's own English wording ("Expecting value"): kept as data.
        raise InputError(source, where, T(
            "not valid JSON at line {line}, column {column}: {problem}",
            line=exc.lineno, column=exc.colno, problem=exc.msg)) from None
    except _BadNumber as exc:
        raise InputError(source, where, T("not valid JSON: {problem}",
                                          problem=exc.message)) from None
    except (ValueError, RecursionError) as exc:
        raise InputError(source, where, T("not valid JSON: {problem}",
                                          problem=str(exc))) from None


def read_json(path: str, limit: int, what: str | Msg) -> Any:
    """A JSON file read within ``limit`` bytes; ``what`` names it in errors."""

    return parse_json(safe_io.read_text(path, limit, what), path)


# --------------------------------------------------------------------------- schema checks


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _shown(value: Any) -> str | Msg:
    if isinstance(value, Mapping):
        return T("a mapping")
    if isinstance(value, list):
        return T("a list")
    return json.dumps(value, ensure_ascii=True)[:60]


def _either(names: list[str]) -> str | Msg:
    """JSON type names (technical tokens) joined with a translated "or"."""

    shown: str | Msg = names[-1]
    for name in reversed(names[:-1]):
        shown = T("{first} or {second}", first=name, second=shown)
    return shown


def _expected(wanted: str | Msg, value: Any) -> Msg:
    return T("expected {expected}, got {value}", expected=wanted, value=_shown(value))


_TYPES: dict[str, Callable[[Any], bool]] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
}


class _Checker:
    def __init__(self, root: Schema, source: str) -> None:
        self.root = root
        self.source = source

    def fail(self, path: str, problem: str | Msg) -> InputError:
        return InputError(self.source, path or T("(top level)"), problem)

    def ref(self, schema: Schema) -> Schema:
        target: Any = self.root
        for part in str(schema["$ref"]).removeprefix("#/").split("/"):
            target = target[part]
        return dict(target)

    def problem(self, schema: Schema, value: Any, path: str) -> InputError | None:
        try:
            self.check(schema, value, path)
        except InputError as exc:
            return exc
        return None

    def check(self, schema: Schema, value: Any, path: str) -> None:
        if "$ref" in schema:
            self.check(self.ref(schema), value, path)
        self._scalar(schema, value, path)
        for key in ("oneOf", "anyOf"):
            if key in schema:
                errors = [self.problem(s, value, path) for s in schema[key]]
                if all(errors):
                    raise next(e for e in errors if e is not None)
        if isinstance(value, dict):
            self._object(schema, value, path)
        elif isinstance(value, list):
            if len(value) < schema.get("minItems", 0):
                raise self.fail(path, T("expected at least {count} items",
                                        count=schema["minItems"]))
            if "maxItems" in schema and len(value) > schema["maxItems"]:
                raise self.fail(path, T("expected at most {count} items",
                                        count=schema["maxItems"]))
            for i, item in enumerate(value if "items" in schema else ()):
                self.check(schema["items"], item, _join(path, i))

    def _scalar(self, schema: Schema, value: Any, path: str) -> None:
        kinds = schema.get("type")
        if kinds is not None:
            names = [kinds] if isinstance(kinds, str) else list(kinds)
            if not any(_TYPES[k](value) for k in names):
                raise self.fail(path, _expected(_either(names), value))
        if "const" in schema and value != schema["const"]:
            raise self.fail(path, _expected(_shown(schema["const"]), value))
        if "enum" in schema and not any(
            value == e and type(value) is type(e) for e in schema["enum"]
        ):
            choices = [_shown(e) for e in schema["enum"]]
            raise self.fail(path, T("expected one of {choices}, got {value}", choices=choices,
                                    value=_shown(value)))
        if _TYPES["number"](value):
            self._bounds(schema, value, path)
        if isinstance(value, str) and len(value) < schema.get("minLength", 0):
            raise self.fail(path, T("expected at least {count} characters",
                                    count=schema["minLength"]))

    def _bounds(self, schema: Schema, value: float, path: str) -> None:
        if "minimum" in schema and value < schema["minimum"]:
            raise self.fail(path, T("expected at least {minimum}, got {value}",
                                    minimum=schema["minimum"], value=value))
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            raise self.fail(path, T("expected more than {minimum}, got {value}",
                                    minimum=schema["exclusiveMinimum"], value=value))
        if "maximum" in schema and value > schema["maximum"]:
            raise self.fail(path, T("expected at most {maximum}, got {value}",
                                    maximum=schema["maximum"], value=value))

    def _object(self, schema: Schema, value: dict[str, Any], path: str) -> None:
        for key in schema.get("required", ()):
            if key not in value:
                raise self.fail(_join(path, key), T("required key missing"))
        props: Mapping[str, Any] = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        names = schema.get("propertyNames")
        for key, item in value.items():
            if names is not None:
                bad = self.problem(names, key, _join(path, "(key)"))
                if bad is not None:
                    raise self.fail(path, T("key {key} not allowed: {problem}", key=_shown(key),
                                            problem=bad.problem))
            if key in props:
                self.check(props[key], item, _join(path, key))
            elif extra is False:
                raise self.fail(path, T("unknown key {key}", key=_shown(key)))
            elif isinstance(extra, Mapping):
                self.check(extra, item, _join(path, key))


@cache
def results_schema(name: str = RESULTS_SCHEMA) -> Schema:
    """A JSON Schema of results.json shipped in ``attt.reports`` (default: version 2)."""

    text = resources.files("attt.reports").joinpath(name).read_text(encoding="utf-8")
    schema: Schema = json.loads(text)
    return schema


def check_schema(schema: Schema, doc: Any, source: str) -> None:
    """``doc`` matches ``schema`` (one attt ships), or an InputError naming the path."""

    _Checker(schema, source).check(schema, doc, "")


def check_results(doc: Any, source: str) -> dict[str, Any]:
    """A whole results document (version 1 or 2) that matches its published schema, or an
    InputError at the path."""

    if not isinstance(doc, dict) or not str(doc.get("schema", "")).startswith("attt.results/"):
        raise InputError(source, "schema", T("not an attt results document"))
    name = RESULTS_SCHEMA_V1 if doc.get("schema") == "attt.results/1" else RESULTS_SCHEMA
    _Checker(results_schema(name), source).check(results_schema(name), doc, "")
    return doc


def check_part(value: Any, source: str, where: str, definition: str,
               schema: Schema | None = None) -> Any:
    """One part of a results document checked against ``#/$defs/<definition>`` (or the
    ``schema`` given, in the version-2 schema's context): a streamed file is checked a
    host at a time."""

    root = results_schema()
    part = schema if schema is not None else root["$defs"][definition]
    try:
        _Checker(root, source).check(part, value, "")
    except InputError as exc:
        key = f"{where}.{exc.key}" if exc.key and where else (where or exc.key)
        raise InputError(source, key, exc.problem) from None
    return value


_STATUS: Schema = {"$ref": "#/$defs/status"}
# What the dossier reads of a results document, typed: it accepts a hand-trimmed file (one
# system, no scores), so the full schema would refuse documents it has always taken.
_DOSSIER_VIEW: Schema = {
    "type": "object",
    "properties": {
        "run": {"type": "object", "properties": {
            k: {"type": ["string", "null"]} for k in ("id", "started", "finished")}},
        "systems": {"type": "array", "items": {
            "type": "object",
            "required": ["name"],
            "properties": {
                "name": {"type": "string"},
                "requirements": {"type": "array", "items": {
                    "type": "object",
                    "required": ["id", "status"],
                    "properties": {
                        "id": {"type": "string"},
                        "status": _STATUS,
                        "reason": {"type": "string"},
                        "findings": {"type": "array", "items": {
                            "type": "object",
                            "properties": {"host": {"type": "string"}, "status": _STATUS,
                                           "message": {"type": "string"}},
                        }},
                    },
                }},
            },
        }},
    },
}


def read_results_for_dossier(path: str) -> dict[str, Any]:
    """results.json checked only for what the dossier reads (hand-trimmed files accepted)."""

    doc = read_json(path, MAX_RESULTS_BYTES, "results.json")
    if not isinstance(doc, dict) or not str(doc.get("schema", "")).startswith("attt.results/"):
        raise InputError(path, "schema", T("not an attt results document"))
    _Checker({**results_schema(), **_DOSSIER_VIEW}, path).check(_DOSSIER_VIEW, doc, "")
    return doc


# --------------------------------------------------------------------------- run folder

_TEXT: Schema = {"type": "string"}
_TEXTS: Schema = {"type": "array", "items": _TEXT}
_FLAG: Schema = {"type": "boolean"}

# The saved ScanOptions: --resume runs with them, so they get the CLI's bounds again.
RUN_OPTIONS: Schema = {
    "type": "object",
    "properties": {
        **dict.fromkeys(("inventory", "target", "hosts", "profile", "tailoring", "waivers",
                         "evidence_root", "from_zone", "out", "db", "fail_on"), _TEXT),
        **dict.fromkeys(("systems", "formats", "evidence"), _TEXTS),
        **dict.fromkeys(("network", "network_only", "accept_new_host_keys", "history"), _FLAG),
        "sudo": {"type": ["boolean", "null"]},
        "lang": {"enum": ["vi", "en"]},
        "level": {"type": ["integer", "null"], "minimum": 1, "maximum": 5},
        "workers": {"type": "integer", "minimum": 1, "maximum": 256},
        "connect_timeout": {"type": "number", "exclusiveMinimum": 0, "maximum": 3600},
        "command_timeout": {"type": "number", "exclusiveMinimum": 0, "maximum": 86400},
        "fail_under": {"type": ["number", "null"], "minimum": 0, "maximum": 100},
        "max_errors": {"type": ["integer", "null"], "minimum": 0},
    },
}

RUN_SCHEMA: Schema = {
    "type": "object",
    "required": ["id", "started", "options"],
    "properties": {
        "id": {"type": "string", "minLength": 1},
        "started": {"type": "string", "minLength": 1},
        "options": RUN_OPTIONS,
    },
}

FINDING_RECORD: Schema = {
    "type": "object",
    "required": ["type", "system", "host", "requirement", "check", "status", "message"],
    "properties": {
        "type": {"const": "finding"},
        "system": {"type": "string"},
        "host": {"type": "string"},
        "requirement": {"type": "string"},
        "check": {"type": "string"},
        "params": {"type": "object"},
        "status": {"$ref": "#/$defs/status"},
        "message": {"type": "string"},
        "evidence": {"type": "object"},
    },
}

HOST_RECORD: Schema = {
    "type": "object",
    "required": ["type", "key", "state"],
    "properties": {
        "type": {"const": "host"},
        "key": {"type": "string", "minLength": 1},
        "state": {"type": "string", "minLength": 1},
        **{k: {"type": ["string", "null"]} for k in (
            "system", "name", "address", "transport", "zone", "message", "message_vi",
            "recorded_key")},
        "roles": {"type": "array", "items": {"type": "string"}},
        "channels": {"type": "integer", "minimum": 0},
        "duration": {"type": "number", "minimum": 0},
        "counts": {"type": "object", "propertyNames": {"$ref": "#/$defs/status"},
                   "additionalProperties": {"type": "integer", "minimum": 0}},
        "format": {"const": 2},
        # Format 2: the host's results, each evaluation once with the requirements it answers.
        "results": {"type": "array", "items": {
            "type": "object",
            "required": ["check", "requirements", "status", "message"],
            "properties": {
                "check": {"type": "string", "minLength": 1},
                "requirements": {"type": "array", "minItems": 1,
                                 "items": {"type": "string", "minLength": 1}},
                "status": {"$ref": "#/$defs/status"},
                "message": {"type": "string"},
                "message_vi": {"type": "string"},
                "params": {"type": "object"},
                "evidence": {"type": "object"},
                "waiver": {"type": ["object", "null"]},
            },
        }},
    },
}


def read_run_meta(path: str) -> dict[str, Any]:
    """run.json of a run folder, size-limited and checked."""

    doc = read_json(path, MAX_RUN_BYTES, "run.json")
    _Checker(RUN_SCHEMA, path).check(RUN_SCHEMA, doc, "")
    return dict(doc)


def check_record(rec: Any, source: str, line: int) -> dict[str, Any]:
    """One line of findings.jsonl, checked (its kind decides the shape)."""

    where = f"line {line}"
    kind = rec.get("type") if isinstance(rec, dict) else None
    schema = FINDING_RECORD if kind == "finding" else HOST_RECORD
    root = {**results_schema(), **schema}
    try:
        _Checker(root, source).check(schema, rec, "")
    except InputError as exc:
        raise InputError(source, f"{where}: {exc.key}", exc.problem) from None
    return dict(rec)


def read_manifest(path: str) -> Any:
    """manifest.json of a signed folder, size-limited (checked by signing)."""

    return read_json(path, MAX_MANIFEST_BYTES, "manifest.json")
