"""Clause references of a requirement in words, per report language.

Profiles keep the regulation's references compactly (``clause: {tt12: "PL-III II.2/1.2.1",
tcvn_11930: "7.2.2.1", product_rule: "conditional"}``) because that is how the catalogues
cite them.  People read them as a citation: "Thông tư 12/2022/TT-BTTTT: Phụ lục III, mục
II.2/1.2.1" in Vietnamese, "Circular 12/2022: Annex III, point II.2/1.2.1" in English.
Vietnamese cites article, clause and point in the reverse order of the compact form ("điểm a
khoản 5 Điều 9" for "Art. 9.5.a"), which is why each shape is a template of its own rather
than a translated prefix.  A value this module cannot parse is shown after its instrument's
name as written, never dropped and never with the profile's key.

    clause_labels({"tt12": "Art. 9.5.a"}, "vi")
    -> ["Thông tư 12/2022/TT-BTTTT: điểm a khoản 5 Điều 9"]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from .messages import Msg, T, render

# The catalogues write ranges with an en dash ("13\u201314").
_DASH = "\u2013"
_NUM = r"(\d+)"
_POINT = r"([a-zđ])"
# "9", "9.5", "9.5.a" (article, clause, point) as the catalogues write them after "Art." / "Đ".
_ARTICLE = re.compile(rf"{_NUM}(?:\.{_NUM}(?:\.{_POINT})?)?")
_ARTICLE_RANGE = re.compile(rf"{_NUM}{_DASH}{_NUM}")
_CLAUSE_RANGE = re.compile(rf"{_NUM}\.{_NUM}{_DASH}{_NUM}\.{_NUM}")
_ANNEX = re.compile(r"PL-([IVX]+) (\S+)")
_STANDARD = re.compile(rf"(\d+(?:\.\d+)*)(?: ([a-z](?:{_DASH}[a-z])?))?")


def _article(text: str) -> Msg | None:
    """One compact article reference ("9", "9.5", "9.5.a", "13-14", "10.2-10.6" with en dashes)."""

    if m := _ARTICLE_RANGE.fullmatch(text):
        return T("Articles {first} to {last}", first=m[1], last=m[2])
    if (m := _CLAUSE_RANGE.fullmatch(text)) and m[1] == m[3]:
        return T("Article {article}({first}) to ({last})", article=m[1], first=m[2], last=m[4])
    m = _ARTICLE.fullmatch(text)
    if m is None:
        return None
    if m[3]:
        return T("Article {article}({clause})({point})", article=m[1], clause=m[2], point=m[3])
    if m[2]:
        return T("Article {article}({clause})", article=m[1], clause=m[2])
    return T("Article {article}", article=m[1])


def _articles(text: str) -> list[Msg] | None:
    """A list of article references ("11.1, 11.3, 12"); None if any part is not one."""

    parts = [_article(p.strip().removeprefix("Đ")) for p in re.split(r"[;,]", text)]
    return None if any(p is None for p in parts) else [p for p in parts if p is not None]


def _tt12(value: str) -> list[Msg]:
    ref: Msg | list[Msg] | str = value
    if m := _ANNEX.fullmatch(value):
        ref = T("Annex {annex}, point {point}", annex=m[1], point=m[2])
    elif value.startswith("Art.") and (refs := _articles(value.removeprefix("Art.").strip())):
        ref = refs
    return [T("Circular 12/2022: {ref}", ref=ref)]


def _nd331(value: str) -> list[Msg]:
    decree, _, law = value.partition("Law 116")
    out: list[Msg] = []
    refs = _articles(decree.strip().strip(";").strip())
    out.append(T("Decree 331/2026: {ref}", ref=refs if refs is not None else decree))
    if law:
        law_refs = _articles(law.strip())
        out.append(T("Law 116/2025 on Cybersecurity: {ref}",
                     ref=law_refs if law_refs is not None else law.strip()))
    return out


def _standard(value: str) -> list[Msg] | str:
    """Standard clauses "3.12.2.1 a; 3.12.2.4" -> one message per clause."""

    out: list[Msg] = []
    for part in value.split(";"):
        m = _STANDARD.fullmatch(part.strip())
        if m is None:
            return value
        out.append(T("clause {number}, point {point}", number=m[1], point=m[2]) if m[2]
                   else T("clause {number}", number=m[1]))
    return out


def _tcvn_11930(value: str) -> list[Msg]:
    return [T("TCVN 11930:2017: {ref}", ref=_standard(value))]


def _tcvn_14423(value: str) -> list[Msg]:
    return [T("TCVN 14423:2026: {ref}", ref=_standard(value))]


def _qd38(value: str) -> list[Msg]:
    # The mapping names the programme of Decision 38/QĐ-BTTTT the advisory follows.
    return [T("Decision 38/QĐ-BTTTT (2021): the {ref} programme", ref=value)]


# What a product rule of Circular 12/2022 (Appendices II to V, design solutions) asks for.
_PRODUCT_RULES: Mapping[str, Msg] = {
    "product": T("Form of compliance: a dedicated product"),
    "equivalent-ok": T("Form of compliance: a dedicated product or an equivalent solution"),
    "conditional": T("Form of compliance: a dedicated product where the conditions of the "
                     "Circular apply, otherwise a solution"),
    "plan": T("Form of compliance: a plan"),
}


def _product_rule(value: str) -> list[Msg]:
    rule = _PRODUCT_RULES.get(value)
    return [rule] if rule is not None else [T("Form of compliance: {rule}", rule=value)]


_LABELLERS: Mapping[str, Callable[[str], list[Msg]]] = {
    "tt12": _tt12,
    "tcvn_11930": _tcvn_11930,
    "nd331": _nd331,
    "tcvn_14423": _tcvn_14423,
    "qd38": _qd38,
    "product_rule": _product_rule,
}


def clause_messages(clause: Mapping[str, object]) -> list[Msg]:
    """A requirement's clause mapping as messages, in the mapping's order (the product rule,
    a note on the form of compliance rather than a citation, comes last)."""

    cites: list[Msg] = []
    notes: list[Msg] = []
    for key, raw in clause.items():
        value = " ".join(str(raw).split())
        labeller = _LABELLERS.get(str(key))
        if labeller is None:
            # A key attt does not know (a tailored profile): its name in capitals, no "_".
            name = str(key).replace("_", " ").upper()
            cites.append(T("{instrument}: {ref}", instrument=name, ref=value))
        elif key == "product_rule":
            notes += labeller(value)
        else:
            cites += labeller(value)
    return cites + notes


def clause_labels(clause: Mapping[str, object], lang: str) -> list[str]:
    """A requirement's clause mapping as human labels in ``lang`` (``vi`` or ``en``)."""

    return [render(m, lang) for m in clause_messages(clause)]


def clause_text(clause: Mapping[str, object], lang: str, sep: str = "; ") -> str:
    """The labels on one line, for table cells."""

    return sep.join(clause_labels(clause, lang))


__all__ = ["clause_labels", "clause_messages", "clause_text"]
