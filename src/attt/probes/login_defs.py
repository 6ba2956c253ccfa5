"""/etc/login.defs (shadow-utils defaults: password aging, UID ranges)."""

from __future__ import annotations

import re

from attt.messages import T
from attt.registry import FactParseError, Section, probe


@probe("login_defs", files=("/etc/login.defs",), description="shadow-utils defaults")
def parse_login_defs(section: Section) -> dict[str, str] | None:
    """The ``login_defs`` probe's output parsed: shadow-utils defaults."""

    text = section.files.get("/etc/login.defs")
    if text is None:
        return None
    out: dict[str, str] = {}
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 1)
        if not re.fullmatch(r"[A-Z][A-Z0-9_]*", parts[0]):
            raise FactParseError(T("/etc/login.defs:{lineno}: not a setting: {line}",
                                   lineno=lineno, line=repr(line[:60])))
        out[parts[0]] = parts[1].strip().strip('"') if len(parts) > 1 else ""
    return out
