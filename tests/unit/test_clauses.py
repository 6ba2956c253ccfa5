"""attt.clauses: clause references of the bundled profiles as citations in words (issue 10)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from attt.clauses import clause_labels, clause_messages, clause_text
from attt.messages import untranslated

PROFILES = Path(__file__).resolve().parents[2] / "profiles"


def _bundled_clauses() -> list[tuple[str, str, str]]:
    """Every distinct (key, value) of every bundled profile, with one requirement naming it."""

    seen: dict[tuple[str, str], str] = {}
    for path in sorted(PROFILES.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for req in doc["requirements"]:
            for key, value in (req.get("clause") or {}).items():
                seen.setdefault((str(key), str(value)), f"{path.name}:{req['id']}")
    return [(k, v, where) for (k, v), where in sorted(seen.items())]


BUNDLED = _bundled_clauses()
# A profile key or a compact catalogue form leaking into what people read.
RAW = re.compile(r"\b(tt12|tcvn_\d+|nd331|nd85|qd38|product_rule)\b|_|\bArt\.|\bĐ\d|PL-"
                 r"|equivalent-ok|\bconditional\b|as cited")


def test_the_bundled_profiles_cite_every_known_instrument() -> None:
    keys = {k for k, _, _ in BUNDLED}
    assert keys == {"tt12", "tcvn_11930", "tcvn_14423", "nd331", "qd38", "product_rule"}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_bundled_clause_shows_a_raw_key_or_tag(lang: str) -> None:
    bad = []
    for key, value, where in BUNDLED:
        for text in clause_labels({key: value}, lang):
            if RAW.search(text) or not text.strip():
                bad.append(f"{where} {key}={value!r} -> {text!r}")
    assert bad == []


def test_every_bundled_clause_label_is_translated() -> None:
    missing = {i for key, value, _ in BUNDLED for m in clause_messages({key: value})
               for i in untranslated(m)}
    assert missing == set()


@pytest.mark.parametrize(("clause", "vi", "en"), [
    ({"tt12": "PL-III II.2/1.2.1"},
     ["Thông tư 12/2022/TT-BTTTT: Phụ lục III, mục II.2/1.2.1"],
     ["Circular 12/2022: Annex III, point II.2/1.2.1"]),
    ({"tt12": "Art. 9.5.a"},
     ["Thông tư 12/2022/TT-BTTTT: điểm a khoản 5 Điều 9"],
     ["Circular 12/2022: Article 9(5)(a)"]),
    ({"tt12": "Art. 11.1, 11.3, 12"},
     ["Thông tư 12/2022/TT-BTTTT: khoản 1 Điều 11, khoản 3 Điều 11, Điều 12"],
     ["Circular 12/2022: Article 11(1), Article 11(3), Article 12"]),
    ({"tt12": "Art. 13\u201314"},
     ["Thông tư 12/2022/TT-BTTTT: Điều 13 đến Điều 14"],
     ["Circular 12/2022: Articles 13 to 14"]),
    ({"tcvn_11930": "7.2.2.1"}, ["Tiêu chuẩn TCVN 11930:2017: mục 7.2.2.1"],
     ["TCVN 11930:2017: clause 7.2.2.1"]),
    ({"tcvn_14423": "3.12.2.1 c; 3.12.2.4"},
     ["Tiêu chuẩn TCVN 14423:2026: mục 3.12.2.1, điểm c, mục 3.12.2.4"],
     ["TCVN 14423:2026: clause 3.12.2.1, point c, clause 3.12.2.4"]),
    ({"nd331": "Đ10.2\u201310.6"}, ["Nghị định 331/2026/NĐ-CP: khoản 2 đến khoản 6 Điều 10"],
     ["Decree 331/2026: Article 10(2) to (6)"]),
    ({"nd331": "Đ33.5; Đ34.1.e; Law 116 Đ40.1.b"},
     ["Nghị định 331/2026/NĐ-CP: khoản 5 Điều 33, điểm e khoản 1 Điều 34",
      "Luật An ninh mạng 116/2025/QH15: điểm b khoản 1 Điều 40"],
     ["Decree 331/2026: Article 33(5), Article 34(1)(e)",
      "Law 116/2025 on Cybersecurity: Article 40(1)(b)"]),
    ({"qd38": "IPv6 for Gov"}, ["Quyết định số 38/QĐ-BTTTT năm 2021: Chương trình IPv6 for Gov"],
     ["Decision 38/QĐ-BTTTT (2021): the IPv6 for Gov programme"]),
])
def test_citations_in_words(clause: dict[str, str], vi: list[str], en: list[str]) -> None:
    assert clause_labels(clause, "vi") == vi
    assert clause_labels(clause, "en") == en


def test_product_rule_is_a_note_after_the_citations() -> None:
    clause = {"product_rule": "equivalent-ok", "tt12": "PL-III II.1/b.i"}
    assert clause_labels(clause, "vi") == [
        "Thông tư 12/2022/TT-BTTTT: Phụ lục III, mục II.1/b.i",
        "Hình thức đáp ứng: sản phẩm chuyên dụng hoặc giải pháp tương đương"]
    assert clause_text(clause, "en") == (
        "Circular 12/2022: Annex III, point II.1/b.i; "
        "Form of compliance: a dedicated product or an equivalent solution")


def test_unparsable_values_and_unknown_keys_are_kept_without_the_key() -> None:
    assert clause_labels({"tt12": "Art. nine"}, "vi") == ["Thông tư 12/2022/TT-BTTTT: Art. nine"]
    assert clause_labels({"agency_rule": "QC-07 §3"}, "vi") == ["AGENCY RULE: QC-07 §3"]
