"""``attt level suggest``: a table of cases from the Decree 85 criteria (Art. 7-11) and the
Decree 331 variant (Art. 11-15, as reported), with the boundary cases."""

from __future__ import annotations

import pytest

from attt.level_suggest import Answers, suggest

# (case, answers, ND85 level, ND85 criterion that sets it, ND331 level)
CASES = [
    ("internal, public info only", Answers(), 1, "nd85:7", 1),
    ("internal with private info", Answers(information=("public", "internal")), 2, "nd85:8.1", 2),
    ("internal HR with personal data", Answers(information=("personal",), users=300), 2,
     "nd85:8.1", 2),
    ("online public service level 2", Answers(system_type="citizen_business",
                                              public_service_level=2), 2, "nd85:8.2", 2),
    ("online public service level 3", Answers(system_type="citizen_business",
                                              public_service_level=3), 3, "nd85:9.2.a", 3),
    ("personal data of 9,999 users (just below)", Answers(
        system_type="citizen_business", information=("personal",), users=9_999), 2,
     "nd85:8.2", 2),
    ("personal data of 10,000 users (boundary)", Answers(
        system_type="citizen_business", information=("personal",), users=10_000), 3,
     "nd85:9.2.c", 2),
    ("personal data of 100,000 subjects (ND331 boundary)", Answers(
        system_type="citizen_business", information=("personal",), users=100_000), 3,
     "nd85:9.2.c", 3),
    ("10,000 sensitive-data subjects (ND331)", Answers(
        system_type="citizen_business", information=("personal",), users=500,
        sensitive_data_subjects=10_000), 2, "nd85:8.2", 3),
    ("state secret", Answers(information=("internal", "state_secret")), 3, "nd85:9.1", 3),
    ("state secret flag", Answers(state_secret=True), 3, "nd85:9.1", 3),
    ("conditional business line", Answers(system_type="citizen_business",
                                          conditional_business=True), 3, "nd85:9.2.b", 3),
    ("infrastructure for one unit", Answers(system_type="infrastructure"), 2, "nd85:8.3", 2),
    ("provincial shared infrastructure", Answers(system_type="infrastructure",
                                                 scope="sector_or_province"), 3, "nd85:9.3", 3),
    ("nationwide infrastructure without 24/7", Answers(system_type="infrastructure",
                                                       scope="nationwide"), 3, "nd85:9.3", 3),
    ("nationwide infrastructure 24/7", Answers(system_type="infrastructure", scope="nationwide",
                                               operation_24x7=True), 4, "nd85:10.3", 4),
    ("national e-Gov 24/7", Answers(system_type="citizen_business", national_egov=True,
                                    operation_24x7=True), 4, "nd85:10.2", 4),
    ("national e-Gov not 24/7", Answers(system_type="citizen_business", national_egov=True),
     2, "nd85:8.2", 2),
    ("24/7 alone does not raise the level", Answers(operation_24x7=True), 1, "nd85:7", 1),
    ("serious harm to national security", Answers(harm="serious"), 4, "nd85:10.1", 4),
    ("especially serious harm", Answers(harm="especially_serious"), 5, "nd85:11.1", 5),
    ("centralised national data", Answers(national_data=True), 5, "nd85:11.2", 5),
    ("international connection infrastructure", Answers(system_type="infrastructure",
                                                        scope="international"), 5,
     "nd85:11.3", 5),
    ("ICS grade III works", Answers(system_type="industrial_control", ics_grade="III"), 3,
     "nd85:9.4", 3),
    ("ICS grade I works", Answers(system_type="industrial_control", ics_grade="I"), 4,
     "nd85:10.4", 4),
    ("ICS special-grade works", Answers(system_type="industrial_control", ics_grade="special"),
     5, "nd85:11.4", 5),
    ("ND331: administrative procedures", Answers(system_type="citizen_business",
                                                 admin_procedures=True), 2, "nd85:8.2", 3),
]


@pytest.mark.parametrize(("answers", "nd85", "basis", "nd331"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_level_suggest_cases(answers: Answers, nd85: int, basis: str, nd331: int) -> None:
    result = suggest(answers)
    assert result.nd85.level == nd85
    assert basis in {c.short for c in result.nd85.basis}
    assert result.nd331.level == nd331
    # Every matched criterion is at or below the proposed level, highest first.
    levels = [c.level for c in result.nd85.matched]
    assert levels == sorted(levels, reverse=True) and levels[0] == nd85


def test_only_level_8_2_is_confirmed_others_are_marked() -> None:
    result = suggest(Answers(system_type="citizen_business", public_service_level=3,
                             information=("personal",), users=20_000))
    confidences = {c.short: c.confidence for c in result.nd85.matched}
    assert confidences["nd85:8.2"] == "research-note"
    assert confidences["nd85:9.2.c"] == "unconfirmed"
    assert all(c.confidence == "reported" for c in result.nd331.matched)


@pytest.mark.parametrize(("value", "level"), [("none", 0), ("partial", 3), ("full", 4)])
def test_public_service_in_decree_42_terms(value: str, level: int) -> None:
    from attt.level_suggest import parse_answers
    from attt.yamlio import Node

    answers = parse_answers(Node({"public_service": value}, "a.yaml"))
    assert answers.public_service_level == level
    # Given both ways, they must agree.
    same = parse_answers(Node({"public_service": value, "public_service_level": level},
                              "a.yaml"))
    assert same.public_service_level == level


def test_public_service_disagreeing_with_the_old_scale_names_file_and_key() -> None:
    from attt.errors import InputError
    from attt.level_suggest import parse_answers
    from attt.yamlio import Node

    with pytest.raises(InputError) as exc:
        parse_answers(Node({"public_service": "full", "public_service_level": 2}, "a.yaml"))
    assert "a.yaml: public_service" in str(exc.value)
    assert "old scale" in str(exc.value)
    assert "thang cũ" in exc.value.render("vi")


def test_full_online_public_service_suggests_the_level_of_old_level_4() -> None:
    from attt.level_suggest import parse_answers
    from attt.yamlio import Node

    new = suggest(parse_answers(Node({"system_type": "citizen_business",
                                      "public_service": "full"}, "a.yaml")))
    old = suggest(Answers(system_type="citizen_business", public_service_level=4))
    assert new.nd85.level == old.nd85.level >= 2
