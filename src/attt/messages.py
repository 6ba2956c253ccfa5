"""Messages built from gettext templates with parameters, rendered in every report language.

A check, the grader or a loader says what it found as ``T(template, **params)``: the template
is an English msgid with ``{name}`` placeholders, translated through the ``attt`` catalog
(``reports/attt-vi.po``) when rendered.  Parameters are data (numbers, paths, names, lists)
or other messages, never English phrases glued on: a phrase that varies is a message of its
own, passed as a parameter and translated with it::

    T("Minimum password length is {value} ({where}); the level requires at least {minimum}.",
      value=6, where=T("{key} not set in {file}", key="PASS_MIN_LEN", file=LOGIN_DEFS),
      minimum=8)

Results documents keep the English text in ``message`` (as before) and the Vietnamese one
in ``message_vi``; readers choose with :func:`pick`.  ``tools/i18n.py`` extracts ``T`` and
checks that every translation keeps the template's placeholders.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Mapping, Sequence
from typing import Any, Union

from .i18n import LANGUAGES, translations

Arg = Union[str, int, float, None, dt.date, "Msg", Sequence[Any]]
# Dates as each language writes them in administrative documents (Decree 30/2020: dd/mm/yyyy).
DATE_FORMATS = {"vi": "%d/%m/%Y", "en": "%Y-%m-%d"}


class Msg:
    """One message: a template (the msgid) and its parameters."""

    __slots__ = ("args", "id")

    def __init__(self, msgid: str, /, **args: Arg) -> None:
        self.id = msgid
        self.args: Mapping[str, Arg] = args

    def render(self, lang: str) -> str:
        """The message in ``lang``; English if the translation lacks or breaks a placeholder."""

        values = {k: render_arg(v, lang) for k, v in self.args.items()}
        translated = translations(lang).gettext(self.id)
        try:
            return translated.format(**values)
        except (KeyError, IndexError, ValueError):
            return self.id.format(**values)

    def ids(self) -> list[str]:
        """This message's msgid and those of the messages among its parameters."""

        found = [self.id]
        for value in self.args.values():
            for item in value if isinstance(value, (list, tuple)) else (value,):
                if isinstance(item, Msg):
                    found += item.ids()
        return found

    def __str__(self) -> str:
        return self.render("en")

    def __repr__(self) -> str:
        return f"T({self.id!r}, **{dict(self.args)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Msg) and (self.id, dict(self.args)) == (other.id,
                                                                           dict(other.args))

    def __hash__(self) -> int:
        return hash(self.id)


class Joined(Msg):
    """Messages (or data) one after another, separated by ``sep``: each rendered in the
    reader's language, then joined, so a list of phrases never mixes languages."""

    def __init__(self, items: Sequence[Arg], sep: str = "; ") -> None:
        super().__init__("{items}", items=list(items))
        self.sep = sep

    def render(self, lang: str) -> str:
        """The items in ``lang``, separated."""

        items = self.args["items"]
        assert isinstance(items, list)
        return self.sep.join(render_arg(v, lang) for v in items)

    def ids(self) -> list[str]:
        """The msgids of the items that are messages (the separator is no text)."""

        items = self.args["items"]
        assert isinstance(items, list)
        return [i for v in items if isinstance(v, Msg) for i in v.ids()]


def T(msgid: str, /, **args: Arg) -> Msg:
    """A message from the template ``msgid`` and its parameters."""

    return Msg(msgid, **args)


def render_arg(value: Arg, lang: str) -> str:
    """A parameter as text: messages translated, lists joined with commas."""

    if isinstance(value, Msg):
        return value.render(lang)
    if isinstance(value, (list, tuple)):
        return ", ".join(render_arg(v, lang) for v in value)
    if value is None:
        return "-"
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.strftime(DATE_FORMATS.get(lang, "%Y-%m-%d"))
    if isinstance(value, float) and lang == "vi":
        return str(value).replace(".", ",")  # Vietnamese writes a decimal comma: 0,9 tháng
    return str(value)


def render(value: str | Msg, lang: str) -> str:
    """A message or an already rendered (or untranslatable) text in ``lang``."""

    return value.render(lang) if isinstance(value, Msg) else value


def both(value: str | Msg) -> dict[str, str]:
    """The text in every report language, e.g. ``{"en": ..., "vi": ...}``."""

    return {lang: render(value, lang) for lang in LANGUAGES}


def untranslated(value: str | Msg, lang: str = "vi") -> list[str]:
    """msgids of ``value`` that the ``lang`` catalog does not translate (a plain string is
    one untranslated text)."""

    if not isinstance(value, Msg):
        return [value]
    catalog = translations(lang)
    return [i for i in value.ids() if catalog.gettext(i) == i and has_words(i)]


def has_words(template: str) -> bool:
    """Whether a template has text of its own to translate: "{where}: {problem}" has none,
    its translation is the same string, and that is not a missing translation."""

    return any(ch.isalpha() for ch in _PLACEHOLDER.sub("", template))


_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def pick(record: Mapping[str, Any], key: str, lang: str) -> str:
    """``record[key]`` in ``lang``: ``key_vi`` for Vietnamese when the document has it (results
    written before messages were translated do not), else ``key``."""

    if lang != "en":
        localised = record.get(f"{key}_{lang}")
        if isinstance(localised, str) and localised:
            return localised
    value = record.get(key)
    return "" if value is None else str(value)


def plain(value: Any) -> Any:
    """``value`` with every message in it replaced by its English text: observed data and
    other JSON written by attt stay serialisable if a message slips into them."""

    if isinstance(value, Msg):
        return value.render("en")
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def placeholders(template: str) -> set[str]:
    """The ``{name}`` placeholders of a template (for the catalog check)."""

    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


__all__ = ["Arg", "Joined", "Msg", "T", "both", "has_words", "pick", "placeholders", "plain",
           "render", "render_arg", "untranslated"]
