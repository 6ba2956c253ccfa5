"""results.json (schema ``attt.results/2``): the results document, findings normalised.

Written as a stream, so its size in memory does not grow with the number of hosts:

* every key of the document but the findings, as JSON (requirement ``sample`` lists are a
  reader's convenience and are left out: ``attt report`` rebuilds them);
* ``checks``: each check's titles and remediation once (version 1 repeated them in every
  finding);
* ``texts``: the distinct (English, Vietnamese) message pairs, and ``evidence_values``: the
  distinct evidence objects; a result refers to them by index.  At most ``INTERN_LIMIT``
  of each are kept: past that a result carries its text or evidence inline;
* ``findings`` last, one host per line: ``{"system", "host", "results": [...]}`` with each
  result ``{"check", "params"?, "requirements", "status", "text", "evidence"?, "waiver"?}``.

The one-host-per-line layout is what lets ``artefacts.read_results`` read the findings back
one host at a time; a file reformatted by another tool is still read, whole.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from typing import Any

from ..messages import plain
from .base import RenderOptions, register
from .document import STREAMED, Document, as_document

INTERN_LIMIT = 50_000
FINDINGS_KEY = '"findings": ['


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=False)


class _Interner:
    """Distinct values and their index, up to ``INTERN_LIMIT``."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def add(self, key: str) -> None:
        if key not in self.index and len(self.index) < INTERN_LIMIT:
            self.index[key] = len(self.index)

    def ref(self, key: str, inline: Any) -> Any:
        return self.index.get(key, inline)


def _text_key(r: Mapping[str, Any]) -> str:
    en = str(r.get("message") or "")
    return _dump([en, str(r.get("message_vi") or en)])


def _tables(doc: Document) -> tuple[_Interner, _Interner]:
    texts, evidence = _Interner(), _Interner()
    for e in doc.entries():
        for r in e["results"]:
            texts.add(_text_key(r))
            if r.get("evidence"):
                evidence.add(_dump(r["evidence"]))
    return texts, evidence


def compact(r: Mapping[str, Any], texts: _Interner, evidence: _Interner) -> dict[str, Any]:
    """One result as results.json stores it: text and evidence by index where interned."""

    key = _text_key(r)
    out: dict[str, Any] = {"check": r["check"]}
    if r.get("params"):
        out["params"] = r["params"]
    out["requirements"] = list(r.get("requirements") or [])
    out["status"] = r["status"]
    out["text"] = texts.ref(key, json.loads(key))
    if r.get("evidence"):
        out["evidence"] = evidence.ref(_dump(r["evidence"]), r["evidence"])
    if r.get("waiver"):
        out["waiver"] = r["waiver"]
    return out


def header(doc: Document) -> dict[str, Any]:
    """The document without the in-memory samples (what results.json carries before its
    tables and findings)."""

    data: dict[str, Any] = {k: v for k, v in doc.items() if k not in STREAMED}
    data["systems"] = [
        {**s, "requirements": [{k: v for k, v in r.items() if k != "sample"}
                               for r in s.get("requirements") or []]}
        for s in doc.get("systems") or []
    ]
    return data


def _head(doc: Document) -> Iterator[str]:
    """The document before its tables and findings, without its closing brace.

    Each system's host rows are written one per line, between the pieces of the indented
    rest: dumped with ``indent`` in one piece, 10,000 host rows built a Python string per
    token at once (tens of MiB)."""

    data = header(doc)
    token = f"attt-hosts-{uuid.uuid4().hex}-"
    hosts: list[Any] = []
    for i, system in enumerate(data["systems"]):
        hosts.append(system.get("hosts") or [])
        data["systems"][i] = {**system, "hosts": f"{token}{i}"}
    head = json.dumps(plain(data), ensure_ascii=False, indent=1)[:-2]
    for i, rows in enumerate(hosts):
        before, head = head.split(_dump(f"{token}{i}"), 1)
        yield before + "["
        for n, row in enumerate(rows):
            yield ",\n  " if n else "\n  "
            yield _dump(plain(row))
        yield "\n ]" if rows else "]"
    yield head + ",\n"  # the closing "\n}" comes after the findings


def chunks(doc: Document) -> Iterator[str]:
    """results.json, piece by piece."""

    texts, evidence = _tables(doc)
    yield from _head(doc)
    yield ' "texts": ' + _dump([json.loads(k) for k in texts.index]) + ",\n"
    yield ' "evidence_values": ' + _dump([json.loads(k) for k in evidence.index]) + ",\n"
    yield " " + FINDINGS_KEY
    first = True
    for e in doc.entries():
        line = _dump({"system": e["system"], "host": e["host"],
                      "results": [compact(r, texts, evidence) for r in e["results"]]})
        yield ("\n  " if first else ",\n  ") + line
        first = False
    yield "\n ]\n}\n"


@register("json", "results.json")
def render_json(doc: Document, options: RenderOptions) -> Iterator[str]:
    """The results document as JSON (complete evidence, never truncated)."""

    doc = as_document(doc)  # a plain mapping (older file, tests) is converted once

    return chunks(doc)
