"""Text helpers shared by parsers of configuration files (glob patterns of include
directives, continued lines, shlex's complaints as messages).
"""

from __future__ import annotations

import re

from attt.messages import Msg, T


def split_error(exc: ValueError, where: str) -> Msg:
    """Why ``shlex.split`` refused the line at ``where``, as a message: its only two
    complaints are translated (a parse error is read in Vietnamese too), their English text
    kept as ``{where}: {exc}`` was."""

    said = str(exc)
    if said == "No closing quotation":
        return T("{where}: No closing quotation", where=where)
    if said == "No escaped character":
        return T("{where}: No escaped character", where=where)
    return T("{where}: cannot split the line into words ({error})", where=where, error=said)


def glob_regex(pattern: str) -> re.Pattern[str]:
    """glob(3) semantics: '*' and '?' do not cross '/'; bracket expressions kept."""

    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[" and (end := pattern.find("]", i + 2)) > 0:
            body = pattern[i + 1 : end]
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
            i = end
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out))


def logical_lines(text: str) -> list[tuple[int, str]]:
    """Lines joined across trailing backslashes, each with the number of its first line
    (PAM and sudoers both continue lines this way)."""

    out: list[tuple[int, str]] = []
    buf, start = "", 0
    for lineno, raw in enumerate(text.splitlines(), 1):
        if not buf:
            start = lineno
        if raw.endswith("\\"):
            buf += raw[:-1] + " "
            continue
        out.append((start, buf + raw))
        buf = ""
    if buf:
        out.append((start, buf))
    return out
