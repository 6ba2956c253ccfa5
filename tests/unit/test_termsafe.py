"""attt.termsafe: every control character shown as a visible escape, newline and tab kept."""

from __future__ import annotations

import json
import logging

import pytest

from attt.termsafe import EscapingFormatter, escape, json_escape


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain Tiếng Việt", "plain Tiếng Việt"),
        ("a\tb\nc", "a\tb\nc"),
        ("\x1b]0;owned\x07", "\\x1b]0;owned\\x07"),
        ("\x1b[2J", "\\x1b[2J"),
        ("x\ry", "x\\x0dy"),
        ("\x00\x7f", "\\x00\\x7f"),
        ("\x9b31m", "\\x9b31m"),  # 8-bit CSI
        ("abc\u202edcba", "abc\\u202edcba"),  # right-to-left override
        ("\u2066iso\u2069", "\\u2066iso\\u2069"),
    ],
)
def test_escape(raw: str, shown: str) -> None:
    assert escape(raw) == shown


def test_json_escape_keeps_the_same_json_value() -> None:
    value = {"name": "h\x9b\u202e\x1b", "vi": "Sở"}
    text = json_escape(json.dumps(value, ensure_ascii=False))
    assert json.loads(text) == value
    assert escape(text) == text  # nothing unsafe left


def test_log_lines_are_escaped() -> None:
    record = logging.LogRecord("attt", logging.WARNING, __file__, 1, "%s: %s", ("h\x1b[31m", "x"),
                               None)
    assert EscapingFormatter("%(message)s").format(record) == "h\\x1b[31m: x"
