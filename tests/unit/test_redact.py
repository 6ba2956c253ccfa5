"""attt.redact: every written form of a known secret is replaced; short values are not."""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Iterator

import pytest

from attt import redact
from attt.termsafe import EscapingFormatter, escape


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    redact.clear()
    yield
    redact.clear()


SECRET = 'p<a>"ss\\wö\'rd'


@pytest.mark.parametrize(
    "form",
    [SECRET, json.dumps(SECRET)[1:-1], json.dumps(SECRET, ensure_ascii=False)[1:-1],
     html.escape(SECRET), html.escape(SECRET, quote=False),
     html.escape(SECRET).replace("&#x27;", "&apos;"), SECRET.replace('"', '""')],
)
def test_every_written_form_is_redacted(form: str) -> None:
    redact.register(SECRET, "$X")
    assert redact.text(f"before {form} after") == "before [REDACTED] after"


def test_data_redacts_keys_and_nested_values() -> None:
    redact.register("hunter22", "$X")
    doc = {"a": ["x hunter22", {"hunter22": ("hunter22",)}], "n": 3}
    assert redact.data(doc) == {"a": ["x [REDACTED]", {"[REDACTED]": ("[REDACTED]",)}], "n": 3}


def test_short_secret_is_not_redacted_and_warned(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        redact.register("no", "$SHORT")
    assert redact.text("PermitRootLogin no") == "PermitRootLogin no"
    assert "$SHORT" in caplog.text and "too short" in caplog.text


def test_env_names_from_host_options(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUDO_PW", "sudo-secret-1")
    names = redact.secrets_of_hosts([{"sudo_password_env": "SUDO_PW", "sudo": True}, {}])
    assert names == ["SUDO_PW"]
    redact.register_env(names)
    assert redact.text("sudo-secret-1") == "[REDACTED]"


def test_printed_and_logged_lines_are_redacted() -> None:
    redact.register("hunter22", "$X")
    assert escape("\x1b hunter22") == "\\x1b [REDACTED]"
    record = logging.LogRecord("attt", logging.WARNING, __file__, 1, "%s", ("hunter22",), None)
    assert EscapingFormatter("%(message)s").format(record) == "[REDACTED]"
