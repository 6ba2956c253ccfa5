"""attt.messages: templates with parameters rendered per language (issue 10)."""

from __future__ import annotations

import pytest

from attt.messages import T, both, pick, placeholders, render, untranslated


def test_known_template_is_translated_with_its_parameters() -> None:
    msg = T("Compliant with level {level}", level=3)
    assert msg.render("en") == "Compliant with level 3"
    vi = msg.render("vi")
    assert "3" in vi and vi != "Compliant with level 3"
    assert untranslated(msg) == []
    assert both(msg) == {"vi": vi, "en": "Compliant with level 3"}


def test_nested_messages_and_lists_are_rendered_in_the_same_language() -> None:
    inner = T("Compliant with level {level}", level=2)
    outer = T("No such template in the catalog: {what} / {items}", what=inner,
              items=["a", 1, None])
    assert outer.render("en") == ("No such template in the catalog: Compliant with level 2"
                                  " / a, 1, -")
    assert inner.render("vi") in outer.render("vi")
    # The outer template is not in the catalog, the inner one is.
    assert untranslated(outer) == ["No such template in the catalog: {what} / {items}"]


def test_plain_strings_count_as_untranslated_and_pass_through() -> None:
    assert render("as is", "vi") == "as is"
    assert untranslated("as is") == ["as is"]


def test_pick_prefers_the_language_field_and_falls_back_to_english() -> None:
    assert pick({"message": "en", "message_vi": "vi"}, "message", "vi") == "vi"
    assert pick({"message": "en", "message_vi": "vi"}, "message", "en") == "en"
    assert pick({"message": "en"}, "message", "vi") == "en"
    assert pick({}, "message", "vi") == ""


def test_placeholders() -> None:
    assert placeholders("{a} and {b:>3} but not {{c}}") == {"a", "b"}


def test_equality_is_by_template_and_parameters() -> None:
    assert T("x {a}", a=1) == T("x {a}", a=1)
    assert T("x {a}", a=1) != T("x {a}", a=2)


def test_dates_are_written_the_way_each_language_writes_them() -> None:
    import datetime as dt

    msg = T("Attested by '{label}' ({date}).", label="QĐ 12", date=dt.date(2025, 3, 10))
    assert msg.render("en") == "Attested by 'QĐ 12' (2025-03-10)."
    assert "10/03/2025" in msg.render("vi")


def test_a_template_without_words_is_not_untranslated() -> None:
    msg = T("{where}: {problem}", where="inv.yaml: level",
            problem=T("Compliant with level {level}", level=2))
    assert untranslated(msg) == []
    assert untranslated(T("{a} zzz-not-in-catalog", a=1)) == ["{a} zzz-not-in-catalog"]


def test_plain_replaces_messages_anywhere_in_json_data() -> None:
    import json

    from attt.messages import plain

    data = {"a": [T("Compliant with level {level}", level=1), 2], "b": {"c": T("x {n}", n=3)}}
    assert json.loads(json.dumps(plain(data))) == {"a": ["Compliant with level 1", 2],
                                                   "b": {"c": "x 3"}}


def test_decimal_numbers_use_the_decimal_comma_in_vietnamese() -> None:
    msg = T("{n} zzz", n=0.9)
    assert msg.render("en") == "0.9 zzz"
    assert msg.render("vi") == "0,9 zzz"


def test_joined_renders_each_part_in_the_language_then_joins() -> None:
    from attt.messages import Joined

    msg = Joined([T("Compliant with level {level}", level=2), "tcp/22"], ": ")
    assert msg.render("en") == "Compliant with level 2: tcp/22"
    assert msg.render("vi").endswith(": tcp/22") and "Compliant" not in msg.render("vi")
    # The separator is no text of its own: only the inner template is a msgid.
    assert msg.ids() == ["Compliant with level {level}"]
    assert untranslated(msg) == []


def test_a_translation_that_breaks_a_placeholder_falls_back_to_english(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import gettext

    import attt.messages

    class Broken(gettext.NullTranslations):
        def gettext(self, message: str) -> str:
            return "Tuân thủ cấp độ {muc}"  # a translator renamed the placeholder

    monkeypatch.setattr(attt.messages, "translations", lambda lang: Broken())
    assert T("Compliant with level {level}", level=3).render("vi") == "Compliant with level 3"
