"""Reading results.json back as a ``Document``: version 2 streamed, version 1 converted.

A version-2 file written by attt has its findings last, one host per line
(``render.json_format``): the part before them is read and checked against the schema, and
the findings are read again, one host at a time and each checked, on every pass a renderer
makes, so ``attt report`` on a 10,000-host run does not hold every finding at once.  A
version-2 file reformatted by another tool, and every version-1 file, is read whole (within
``MAX_RESULTS_BYTES``) and converted: the same ``Document`` comes out either way.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from . import safe_io
from .artefacts import (
    MAX_RESULTS_BYTES,
    check_part,
    check_results,
    parse_json,
    read_json,
    results_schema,
)
from .errors import InputError
from .messages import T
from .render.document import SCHEMA, Document, attach_samples, from_v1, inflate
from .render.json_format import FINDINGS_KEY

_HEADER_END = " " + FINDINGS_KEY + "\n"
_PREFIX_BYTES = 4096  # enough to see the schema key at the top of a file attt wrote


def read_results(path: str) -> Document:
    """results.json (either version) as a Document, checked against its schema; requirement
    samples rebuilt for the report."""

    safe_io.check_regular(path, MAX_RESULTS_BYTES, "results.json")
    doc = _streamed(path)
    if doc is None:
        doc = _whole(path)
    attach_samples(doc)
    return doc


def _streamed(path: str) -> Document | None:
    """A version-2 file in attt's own layout, its findings left on disk; None otherwise."""

    with safe_io.open_regular(path, MAX_RESULTS_BYTES, "results.json") as fh:
        if b'"schema": "attt.results/2"' not in fh.read(_PREFIX_BYTES):
            return None
        fh.seek(0)
        head: list[bytes] = []
        offset = 0
        for raw in fh:
            offset += len(raw)
            if raw.decode("utf-8", "replace") == _HEADER_END:
                break
            head.append(raw)
        else:
            return None
    text = b"".join(head).decode("utf-8", "replace").rstrip().rstrip(",") + "\n}"
    data = parse_json(text, path)
    check_part(data, path, "", "", _header_schema())
    texts: list[list[str]] = data.pop("texts")
    values: list[dict[str, Any]] = data.pop("evidence_values")

    def entries() -> Iterator[dict[str, Any]]:
        closed = False
        with safe_io.open_regular(path, MAX_RESULTS_BYTES, "results.json") as fh:
            fh.seek(offset)
            for number, raw in enumerate(fh, 1):
                where = f"findings[{number - 1}]"
                try:
                    line = raw.decode("utf-8").strip()
                except UnicodeDecodeError as exc:
                    raise InputError(path, where, safe_io.not_utf8(exc)) from None
                if closed or line in ("]", "}", ""):
                    closed = closed or line == "]"
                    continue
                entry = check_part(parse_json(line.rstrip(","), path, where), path, where,
                                   "entry")
                yield _inflate(entry, texts, values, path, where)
        if not closed:
            # Cut at a line boundary (a copy stopped by a full disk): hosts would be missing
            # without a word, so the file is refused instead.
            raise InputError(path, "findings", T("cut short: the list of findings does not "
                                                 "end"))

    return Document(data, entries)


def _header_schema() -> dict[str, Any]:
    root = results_schema()
    props = {k: v for k, v in root["properties"].items() if k != "findings"}
    return {"type": "object", "required": [k for k in root["required"] if k != "findings"],
            "properties": props}


def _inflate(entry: Mapping[str, Any], texts: list[list[str]], values: list[dict[str, Any]],
             path: str, where: str) -> dict[str, Any]:
    """An entry with its texts and evidence looked up (indexes checked)."""

    def bad(key: str, index: int) -> Exception:
        return InputError(path, f"{where}.{key}", T("index {index} past the end of its table",
                                                    index=index))

    return inflate(entry, texts, values, bad)


def _whole(path: str) -> Document:
    doc = check_results(read_json(path, MAX_RESULTS_BYTES, "results.json"), path)
    if doc.get("schema") == SCHEMA:
        texts, values = doc.pop("texts"), doc.pop("evidence_values")
        found = [_inflate(e, texts, values, path, f"findings[{i}]")
                 for i, e in enumerate(doc.pop("findings"))]
        return Document(doc, lambda: found)
    return from_v1(doc)


def read_for_dossier(path: str) -> dict[str, Any]:
    """results.json as the dossier reads it: a version-2 file checked in full, each
    requirement's ``findings`` its sample (findings needing attention, with their check's
    remediation) beside its ``counts``; a version-1 file as before (a hand-trimmed one
    accepted)."""

    from .artefacts import read_results_for_dossier

    with safe_io.open_regular(path, MAX_RESULTS_BYTES, "results.json") as fh:
        if b'"attt.results/2"' not in fh.read(_PREFIX_BYTES):
            return read_results_for_dossier(path)
    doc = read_results(path)
    out = dict(doc)
    out["systems"] = [
        {**s, "requirements": [{**{k: v for k, v in r.items() if k != "sample"},
                                "findings": r.get("sample") or []}
                               for r in s.get("requirements") or []]}
        for s in doc.get("systems") or []
    ]
    return out


__all__ = ["read_for_dossier", "read_results"]
