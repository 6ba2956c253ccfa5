"""Issue 10: every message template of the ssh, sudo, services, shell, kernel and files checks
(and of the probes that build their phrases) has a Vietnamese translation keeping its
placeholders, including the error paths no scenario reaches."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file

from attt.i18n import translations
from attt.messages import placeholders

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("checks/ssh.py", "checks/sudo.py", "checks/services.py", "checks/shell.py",
           "checks/kernel.py", "checks/files.py", "src/attt/probes/sshd.py",
           "src/attt/probes/daemons.py", "src/attt/probes/ftp.py", "src/attt/probes/sudo.py")


def _templates() -> list[tuple[str, str]]:
    found = []
    for rel in SOURCES:
        for _, msgid, _, _ in extract_from_file("python", str(ROOT / rel),
                                                keywords={**DEFAULT_KEYWORDS, "T": None}):
            found.append((rel, msgid if isinstance(msgid, str) else msgid[0]))
    return found


TEMPLATES = _templates()


def test_the_modules_have_templates() -> None:
    # A broken extraction (wrong keyword, moved file) must not pass as "nothing to translate".
    assert len({rel for rel, _ in TEMPLATES}) == len(SOURCES)
    assert len(TEMPLATES) > 150


@pytest.mark.parametrize("rel, msgid", TEMPLATES, ids=[m[:60] for _, m in TEMPLATES])
def test_template_is_translated_with_the_same_placeholders(rel: str, msgid: str) -> None:
    vi = translations("vi").gettext(msgid)
    assert vi != msgid, f"{rel}: no Vietnamese for {msgid!r}"
    assert placeholders(vi) == placeholders(msgid), f"{rel}: {msgid!r} -> {vi!r}"
    assert vi.endswith(".") == msgid.endswith("."), f"{rel}: {msgid!r} -> {vi!r}"
