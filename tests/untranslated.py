"""Recording msgids the Vietnamese catalog lacks: a fallback added to the shared catalog,
called only for those."""

from __future__ import annotations

import gettext
from collections.abc import Iterator
from contextlib import contextmanager

from attt.i18n import translations


class Recorder(gettext.NullTranslations):
    """The fallback of the Vietnamese catalog: called only for msgids it lacks."""

    def __init__(self) -> None:
        super().__init__()
        self.missing: set[str] = set()

    def gettext(self, message: str) -> str:
        if message.strip():
            self.missing.add(message)
        return message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        self.missing.add(msgid1)
        return msgid1 if n == 1 else msgid2


@contextmanager
def recording() -> Iterator[Recorder]:
    """The msgids looked up without a Vietnamese translation while the block runs."""

    catalog = translations("vi")
    rec = Recorder()
    catalog.add_fallback(rec)
    try:
        yield rec
    finally:
        catalog._fallback = None  # restore: the catalog object is shared (functools.cache)
