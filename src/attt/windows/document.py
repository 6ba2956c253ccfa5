"""Read and verify one Windows collector document (docs/windows-collector.md).

A document is untrusted input from a share or a remote shell.  It is read only as a regular
file within ``MAX_DOCUMENT_BYTES``, parsed as strict JSON, its envelope checked (schema name,
host name, collection time, body, SHA-256), the SHA-256 compared byte for byte with the UTF-8
bytes of ``body``, and only then ``body`` is parsed.  Every problem is a ``DocumentError``
naming the file (or the remote host): the host becomes an error, the scan goes on.

What the rest of attt receives is the envelope as a mapping without ``body``, plus
``sections``: the parsed sections object (the shape ``sections_from_document`` reads).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from .. import safe_io
from ..artefacts import parse_json
from ..collect import Collected
from ..errors import InputError, TransportError
from ..messages import Msg, T
from ..registry import Probe, Section

SCHEMA = "attt.windows-collector/1"
MAX_DOCUMENT_BYTES = 32 * safe_io.MiB
DEFAULT_MAX_AGE_DAYS = 30.0
# A clock a little ahead on the desktop is normal; a day ahead is a wrong clock or an edit.
FUTURE_SLACK = timedelta(hours=24)
_SHA256 = re.compile(r"[0-9a-f]{64}")
# A Windows computer name (NetBIOS: 15 characters; DNS host label: 63) as a host name here.
_COMPUTER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,62}")
_WHAT = T("collector document")


class DocumentError(TransportError):
    """A collector document that cannot be trusted: unreadable, not JSON, wrong schema,
    SHA-256 mismatch.  Its host is an error; the scan goes on."""


class StaleDocument(TransportError):
    """A collector document older than the allowed age (or dated in the future)."""


def _damaged(source: str, problem: str | Msg) -> DocumentError:
    return DocumentError(T("collector document {file} is damaged: {problem}", file=source,
                           problem=problem))


def valid_computer_name(name: str) -> bool:
    """Whether ``name`` can name a host here (a Windows computer name, ASCII)."""

    return bool(_COMPUTER_NAME.fullmatch(name))


def parse_collected_at(value: str) -> datetime | None:
    """``(Get-Date).ToString('o')`` as an aware datetime (7 fraction digits allowed)."""

    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)", value)
    if m is None:
        return None
    frac = (m.group(2) or "")[:6].ljust(6, "0")
    zone = "+00:00" if m.group(3) == "Z" else m.group(3)
    try:
        return datetime.fromisoformat(f"{m.group(1)}.{frac}{zone}")
    except ValueError:
        return None


def parse_document(data: bytes, source: str) -> dict[str, Any]:
    """The verified document: envelope fields (no ``body``) plus parsed ``sections``."""

    if data.startswith(b"\xef\xbb\xbf"):  # a UTF-8 BOM (Out-File / [Console] UTF8 encoding)
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _damaged(source, safe_io.not_utf8(exc)) from None
    if not text.strip():
        raise _damaged(source, T("empty"))
    try:
        env = parse_json(text, source)
    except InputError as exc:
        raise _damaged(source, exc.problem) from None
    if not isinstance(env, dict):
        raise _damaged(source, T("not a JSON object"))
    if env.get("schema") != SCHEMA:
        raise _damaged(source, T("schema is {found}, expected {expected}",
                                 found=repr(env.get("schema")), expected=SCHEMA))
    host = env.get("host")
    if not isinstance(host, dict) or not isinstance(host.get("name"), str):
        raise _damaged(source, T("host.name is missing"))
    stamp = env.get("collected_at")
    if not isinstance(stamp, str) or parse_collected_at(stamp) is None:
        raise _damaged(source, T("collected_at is not an ISO date with a time zone: {value}",
                                 value=repr(stamp)[:80]))
    body, digest = env.get("body"), env.get("sha256")
    if not isinstance(body, str):
        raise _damaged(source, T("body is missing or not a string"))
    if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
        raise _damaged(source, T("sha256 is missing or not 64 lower-case hex digits"))
    actual = hashlib.sha256(body.encode("utf-8", errors="surrogatepass")).hexdigest()
    if actual != digest:
        raise _damaged(source, T("SHA-256 of body is {actual}, the document says {expected}",
                                 actual=actual, expected=digest))
    try:
        sections = parse_json(body, source, "body")
    except InputError as exc:
        raise _damaged(source, T("body: {problem}", problem=exc.problem)) from None
    if not isinstance(sections, dict):
        raise _damaged(source, T("body is not a JSON object of sections"))
    doc = {k: v for k, v in env.items() if k != "body"}
    doc["sections"] = sections
    return doc


def read_document(path: str) -> dict[str, Any]:
    """Read ``path`` (a regular file within the size limit) and verify it."""

    try:
        data = safe_io.read_bytes(path, MAX_DOCUMENT_BYTES, _WHAT)
    except InputError as exc:
        raise DocumentError(T("cannot read collector document {file}: {problem}", file=path,
                              problem=exc.problem)) from None
    return parse_document(data, path)


def peek_host(path: str) -> tuple[str | None, int | None]:
    """The envelope's ``host.name`` and ``host.product_type`` of ``path`` if the file reads
    as JSON, else None (the transport then reports why, naming the file).  Nothing is
    verified here."""

    try:
        data = safe_io.read_bytes(path, MAX_DOCUMENT_BYTES, _WHAT)
        env = json.loads(data[3:] if data.startswith(b"\xef\xbb\xbf") else data)
    except (InputError, ValueError, RecursionError):
        return None, None
    host = env.get("host") if isinstance(env, dict) else None
    if not isinstance(host, dict):
        return None, None
    name, kind = host.get("name"), host.get("product_type")
    return (name if isinstance(name, str) else None,
            kind if isinstance(kind, int) and not isinstance(kind, bool) else None)


def _days(delta: timedelta) -> float:
    return round(delta.total_seconds() / 86400, 1)  # a float: "45,1" in Vietnamese


def check_age(doc: Mapping[str, Any], source: str, max_age_days: float,
              now: datetime | None = None) -> None:
    """Raise ``StaleDocument`` if the document is older than ``max_age_days`` or dated more
    than a day in the future."""

    stamp = str(doc.get("collected_at", ""))
    when = parse_collected_at(stamp)
    if when is None:  # parse_document refuses it already
        raise _damaged(source, T("collected_at is not an ISO date with a time zone: {value}",
                                 value=repr(stamp)[:80]))
    age = (now or datetime.now(UTC)) - when
    if age < -FUTURE_SLACK:
        raise StaleDocument(T(
            "collector document {file} is dated {collected_at}, {days} days in the future: "
            "the host's clock or the file is wrong; no check of this host is graded",
            file=source, collected_at=stamp, days=_days(-age)))
    if age > timedelta(days=max_age_days):
        raise StaleDocument(T(
            "collector document {file} was collected {days} days ago ({collected_at}), older "
            "than the {limit}-day limit; no check of this host is graded until a fresh "
            "document arrives", file=source, days=_days(age), collected_at=stamp,
            limit=int(max_age_days) if max_age_days == int(max_age_days) else max_age_days))


def check_host(doc: Mapping[str, Any], source: str, expected: str) -> None:
    """Refuse a document of another computer than the inventory host it is graded for."""

    name = str(doc["host"]["name"])
    if name.casefold() != expected.casefold():
        raise DocumentError(T("collector document {file} is of computer {found}, not {expected}",
                              file=source, found=repr(name), expected=repr(expected)))


def collected_from_document(doc: Mapping[str, Any], probes: Sequence[Probe]) -> Collected:
    """The planned probes' sections from a verified document; a probe the document does not
    carry (a Linux probe on a Windows host) is ``unavailable``, never empty and ok."""

    from ..probes.windows import sections_from_document  # the win_* probes register there

    have = sections_from_document(doc)
    sections = {
        p.name: have.get(p.name) or Section(
            p.name, state="unavailable",
            reason=T("not in the Windows collector document"))
        for p in probes
    }
    return Collected(sections, complete=True, uid=None)
