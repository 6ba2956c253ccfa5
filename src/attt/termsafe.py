"""Terminal hygiene: what attt prints never carries a raw control character.

Host and system names, ``--target`` values, file paths and messages come from inventories,
hosts and the command line.  Printed raw, an ESC sequence could retitle the terminal, clear
it, hide a line or fake a verdict; a bidi override could reorder what the officer reads.  Every
line attt prints goes through ``escape``, which shows such characters as visible escapes
(``\\x1b``, ``\\u202e``) and keeps newline and tab.
"""

from __future__ import annotations

import logging
import re
from typing import IO, Any

from . import redact

# C0 except TAB and LF, DEL, C1, and the Unicode bidi embeddings, overrides and isolates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _visible(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(text: str) -> str:
    """``text`` with every control character shown as an escape; newline and tab kept; and
    every secret attt knows replaced (attt.redact): this is the last step before a
    terminal or a log."""

    return _UNSAFE.sub(_visible, redact.text(text))


def json_escape(text: str) -> str:
    """JSON text (from ``json.dumps``) with unsafe characters as ``\\uXXXX`` escapes: still
    the same JSON value, and safe on a terminal.  json.dumps already escapes C0 itself."""

    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", redact.text(text))


# The log line of every attt process (the command, and the worker processes it starts).
LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"


class EscapingFormatter(logging.Formatter):
    """Log records are formatted first, then escaped: the message and its arguments (a host
    name, a path, a probe's output) alike."""

    def format(self, record: logging.LogRecord) -> str:
        """The log line with control characters escaped."""

        return escape(super().format(record))


class EscapingWriter:
    """A text stream whose writes are escaped (for click's own usage and error messages,
    which repeat what was typed)."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        """Write the text with control characters escaped."""

        return self._stream.write(escape(text))

    def flush(self) -> None:
        """Flush the underlying stream."""

        self._stream.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


__all__ = ["LOG_FORMAT", "EscapingFormatter", "EscapingWriter", "escape", "json_escape"]
