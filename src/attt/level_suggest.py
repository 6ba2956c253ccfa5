"""Propose a security level (cấp độ 1-5) from a few facts about a system.

Pure and table-driven: ``RULES`` lists the criteria of Decree 85/2016 Art. 7-11 (regime
``nd85-tt12``) and of Decree 331/2026 Art. 11-15 (regime ``law116-nd331``, as reported), each
with the predicate over ``Answers`` that triggers it.  The proposed level is the highest level
whose criterion matches (Decree 331 Art. 8.2 says so explicitly; Decree 85 is read the same
way).  Every matched criterion is returned with its article, our paraphrase and the
confidence of that paraphrase, so the reasoning can be printed and put in a dossier.

Confidence (see tools/regulation/tt12-2022-catalogue.yaml ``nd85_condition_refs`` and
tools/regulation/dossier.md §4.1): ``research-note`` = confirmed by our research note;
``unconfirmed`` = the article number is known but its wording was not re-read from the decree;
``reported`` = the Decree 331 text comes from one public toolkit, clause numbers inside the
article not traced.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .messages import Msg, T
from .yamlio import Node

SYSTEM_TYPES = ("internal", "citizen_business", "infrastructure", "industrial_control")
INFORMATION_TYPES = ("public", "internal", "personal", "state_secret")
SCOPES = ("unit", "sector_or_province", "nationwide", "international")
HARM = ("none", "serious", "especially_serious")
ICS_GRADES = ("none", "IV", "III", "II", "I", "special")
# Decree 42/2022/NĐ-CP replaced the levels 1-4 of online public services (Decree 43/2011)
# by "một phần" (partial: level 3's criterion) and "toàn trình" (full: level 4's); levels 1
# and 2 (information and forms only) are no longer online public services.
PUBLIC_SERVICE = {"none": 0, "partial": 3, "full": 4}
ANSWER_KEYS = (
    "system_type",
    "information",
    "users",
    "personal_data_subjects",
    "sensitive_data_subjects",
    "state_secret",
    "operation_24x7",
    "scope",
    "public_service",
    "public_service_level",
    "conditional_business",
    "admin_procedures",
    "national_egov",
    "national_data",
    "harm",
    "ics_grade",
)
# Decree 85 Art. 8.2 / 9.2.c and Decree 331 Art. 12-13 (reported) thresholds.
ND85_PERSONAL_THRESHOLD = 10_000
ND331_BASIC_THRESHOLD = 100_000
ND331_SENSITIVE_THRESHOLD = 10_000


@dataclass(frozen=True)
class Answers:
    """What ``attt level suggest`` asks about a system."""

    system_type: str = "internal"
    information: tuple[str, ...] = ("public",)
    users: int = 0
    personal_data_subjects: int | None = None  # None: ``users`` when personal data is processed
    sensitive_data_subjects: int = 0
    state_secret: bool = False
    operation_24x7: bool = False
    scope: str = "unit"
    public_service_level: int = 0  # 0: no online public service; 1-4 (old scale)
    conditional_business: bool = False
    admin_procedures: bool | None = None  # None: public_service_level >= 3
    national_egov: bool = False
    national_data: bool = False
    harm: str = "none"  # harm to national defence and security if the system is compromised
    ics_grade: str = "none"

    @property
    def secret(self) -> bool:
        """Whether the system processes state secrets."""

        return self.state_secret or "state_secret" in self.information

    @property
    def personal(self) -> bool:
        """Whether the system processes personal data."""

        return "personal" in self.information or self.sensitive_data_subjects > 0

    @property
    def private(self) -> bool:
        """Whether the system processes non-public (personal or internal) data."""

        return self.personal or "internal" in self.information

    @property
    def subjects(self) -> int:
        """How many people's personal data the system holds."""

        if self.personal_data_subjects is not None:
            return self.personal_data_subjects
        return self.users if self.personal else 0

    @property
    def handles_procedures(self) -> bool:
        """Whether the system handles administrative procedures online."""

        if self.admin_procedures is not None:
            return self.admin_procedures
        return self.public_service_level >= 3

    @property
    def serves_public(self) -> bool:
        """Whether citizens or businesses use the system."""

        return self.system_type == "citizen_business" or self.public_service_level > 0


@dataclass(frozen=True)
class Criterion:
    """One legal criterion for a level, with the predicate that triggers it."""

    regime: str
    level: int
    citation: Msg  # "Article 9(2)(c) of Decree 85/2016/ND-CP" / "điểm c khoản 2 Điều 9 ..."
    short: str  # "nd85:9.2.c"
    meaning_vi: str
    meaning_en: str
    confidence: str  # research-note | unconfirmed | reported | toolkit
    applies: Callable[[Answers], bool] = field(repr=False, compare=False)

    @property
    def ref(self) -> str:
        """The citation in Vietnamese, as the legal basis is written in a dossier."""

        return self.citation.render("vi")

    def reference(self, lang: str) -> str:
        """The citation in ``lang``."""

        return self.citation.render(lang)

    def meaning(self, lang: str) -> str:
        """Our paraphrase of the criterion in ``lang``."""

        return self.meaning_vi if lang == "vi" else self.meaning_en


@dataclass(frozen=True)
class RegimeSuggestion:
    """The level proposed under one regime and the criteria matched."""

    regime: str
    level: int
    matched: tuple[Criterion, ...]  # every matching criterion, highest level first

    @property
    def basis(self) -> tuple[Criterion, ...]:
        """The criteria that set the level (those at the proposed level)."""

        return tuple(c for c in self.matched if c.level == self.level)


@dataclass(frozen=True)
class Suggestion:
    """The proposals under both regimes for one set of answers."""

    answers: Answers
    nd85: RegimeSuggestion
    nd331: RegimeSuggestion

    def for_regime(self, regime: str) -> RegimeSuggestion:
        """The proposal under ``regime``."""

        return self.nd85 if regime == "nd85-tt12" else self.nd331


ND85 = T("Decree 85/2016/ND-CP")
ND331 = T("Decree 331/2026/ND-CP")


def citation(decree: Msg, article: str, clause: str = "", point: str = "") -> Msg:
    """"Article 9(2)(c) of Decree 85/2016/ND-CP", in Vietnamese "điểm c khoản 2 Điều 9 Nghị
    định 85/2016/NĐ-CP": the order of the parts differs between the languages."""

    if point:
        return T("Article {article}({clause})({point}) of {decree}", article=article,
                 clause=clause, point=point, decree=decree)
    if clause:
        return T("Article {article}({clause}) of {decree}", article=article, clause=clause,
                 decree=decree)
    return T("Article {article} of {decree}", article=article, decree=decree)


def _c85(level: int, ref: str, vi: str, en: str, conf: str,
         applies: Callable[[Answers], bool]) -> Criterion:
    """A Decree 85 criterion; ``ref`` is "article[.clause[.point]]", e.g. "9.2.c"."""

    return Criterion("nd85-tt12", level, citation(ND85, *ref.split(".")), f"nd85:{ref}", vi,
                     en, conf, applies)


def _c331(level: int, ref: str, vi: str, en: str,
          applies: Callable[[Answers], bool]) -> Criterion:
    """A Decree 331 criterion; ``ref`` is "article[.name]" (clauses not traced, so the
    name after the dot only tells criteria of one article apart)."""

    article = ref.split(".")[0]
    return Criterion("law116-nd331", level, citation(ND331, article), f"nd331:{ref}", vi, en,
                     "reported", applies)


def _ics(*grades: str) -> Callable[[Answers], bool]:
    return lambda a: a.system_type == "industrial_control" and a.ics_grade in grades


RULES: tuple[Criterion, ...] = (
    # ------------------------------------------------------------------ Decree 85/2016
    _c85(1, "7",
         "Hệ thống phục vụ hoạt động nội bộ, chỉ xử lý thông tin công cộng",
         "Internal system processing public information only", "unconfirmed",
         lambda a: True),
    _c85(2, "8.1",
         "Hệ thống phục vụ hoạt động nội bộ, có xử lý thông tin riêng, thông tin cá nhân, "
         "không xử lý thông tin bí mật nhà nước",
         "Internal system processing private or personal information, no state secrets",
         "unconfirmed", lambda a: a.private and not a.serves_public),
    _c85(2, "8.2",
         "Hệ thống phục vụ người dân, doanh nghiệp: dịch vụ công trực tuyến mức độ 2 trở xuống, "
         "hoặc dịch vụ trực tuyến xử lý thông tin cá nhân của dưới 10.000 người sử dụng",
         "Serves citizens or businesses: online public services up to level 2, or other online "
         f"services with personal data of fewer than {ND85_PERSONAL_THRESHOLD:,} users",
         "research-note", lambda a: a.serves_public),
    _c85(2, "8.3",
         "Hệ thống cơ sở hạ tầng thông tin phục vụ hoạt động của một cơ quan, tổ chức",
         "Information infrastructure serving one organisation", "unconfirmed",
         lambda a: a.system_type == "infrastructure"),
    _c85(3, "9.1",
         "Hệ thống xử lý thông tin bí mật nhà nước",
         "Processes state-secret information", "unconfirmed", lambda a: a.secret),
    _c85(3, "9.2.a",
         "Hệ thống cung cấp dịch vụ công trực tuyến mức độ 3, 4",
         "Provides online public services at level 3 or 4", "unconfirmed",
         lambda a: a.public_service_level >= 3),
    _c85(3, "9.2.b",
         "Hệ thống cung cấp dịch vụ trực tuyến thuộc danh mục ngành, nghề kinh doanh có điều kiện",
         "Online service in a conditional business line", "unconfirmed",
         lambda a: a.conditional_business),
    _c85(3, "9.2.c",
         "Hệ thống cung cấp dịch vụ trực tuyến khác có xử lý thông tin riêng, thông tin cá nhân "
         "của từ 10.000 người sử dụng trở lên",
         f"Other online service processing personal data of {ND85_PERSONAL_THRESHOLD:,} users "
         "or more", "unconfirmed",
         lambda a: a.subjects >= ND85_PERSONAL_THRESHOLD),
    _c85(3, "9.3",
         "Hệ thống cơ sở hạ tầng thông tin dùng chung phục vụ các cơ quan, tổ chức trong phạm vi "
         "một ngành, một tỉnh hoặc một số tỉnh",
         "Shared information infrastructure for one sector, one province or several provinces",
         "unconfirmed",
         lambda a: a.system_type == "infrastructure" and a.scope != "unit"),
    _c85(3, "9.4",
         "Hệ thống điều khiển công nghiệp của công trình cấp II, III, IV",
         "Industrial control system of a grade II-IV works", "unconfirmed",
         _ics("II", "III", "IV")),
    _c85(4, "10.1",
         "Hệ thống khi bị phá hoại gây tổn hại nghiêm trọng tới quốc phòng, an ninh quốc gia",
         "Compromise would seriously harm national defence and security", "unconfirmed",
         lambda a: a.harm == "serious"),
    _c85(4, "10.2",
         "Hệ thống thông tin quốc gia phục vụ phát triển Chính phủ điện tử, yêu cầu vận hành 24/7 "
         "và không chấp nhận ngừng vận hành mà không có kế hoạch trước",
         "National e-Government system that must run 24/7 without unplanned downtime",
         "unconfirmed", lambda a: a.national_egov and a.operation_24x7),
    _c85(4, "10.3",
         "Hệ thống cơ sở hạ tầng thông tin dùng chung phục vụ các cơ quan, tổ chức trên phạm vi "
         "toàn quốc, yêu cầu vận hành 24/7",
         "Shared information infrastructure serving organisations nationwide, 24/7",
         "unconfirmed",
         lambda a: a.system_type == "infrastructure" and a.scope in ("nationwide", "international")
         and a.operation_24x7),
    _c85(4, "10.4",
         "Hệ thống điều khiển công nghiệp của công trình cấp I",
         "Industrial control system of a grade I works", "unconfirmed", _ics("I")),
    _c85(5, "11.1",
         "Hệ thống khi bị phá hoại gây tổn hại đặc biệt nghiêm trọng tới quốc phòng, "
         "an ninh quốc gia",
         "Compromise would especially seriously harm national defence and security",
         "unconfirmed", lambda a: a.harm == "especially_serious"),
    _c85(5, "11.2",
         "Hệ thống thông tin quốc gia / lưu trữ tập trung dữ liệu đặc biệt quan trọng của quốc gia",
         "National system with centralised storage of especially important national data",
         "unconfirmed", lambda a: a.national_data),
    _c85(5, "11.3",
         "Hệ thống cơ sở hạ tầng thông tin quốc gia kết nối liên thông Việt Nam với quốc tế",
         "National information infrastructure connecting Vietnam with international networks",
         "unconfirmed",
         lambda a: a.system_type == "infrastructure" and a.scope == "international"),
    _c85(5, "11.4",
         "Hệ thống điều khiển công nghiệp của công trình cấp đặc biệt",
         "Industrial control system of a special-grade works", "unconfirmed", _ics("special")),
    # ------------------------------------------------------------ Decree 331/2026 (reported)
    _c331(1, "11",
          "Hệ thống phục vụ hoạt động nội bộ, chỉ xử lý thông tin công cộng",
          "Internal system processing public information only", lambda a: True),
    _c331(2, "12.private",
          "Hệ thống có xử lý thông tin riêng hoặc thông tin cá nhân dưới ngưỡng cấp độ 3 "
          "(dưới 100.000 chủ thể dữ liệu cơ bản và dưới 10.000 chủ thể dữ liệu nhạy cảm)",
          "Processes private or personal data below the level-3 thresholds (fewer than 100,000 "
          "basic and fewer than 10,000 sensitive data subjects)",
          lambda a: a.private or a.serves_public),
    _c331(2, "12.infra",
          "Hạ tầng thông tin phục vụ hoạt động của một cơ quan, tổ chức",
          "Infrastructure serving one organisation",
          lambda a: a.system_type == "infrastructure"),
    _c331(3, "13.secret",
          "Hệ thống xử lý thông tin bí mật nhà nước", "Processes state-secret information",
          lambda a: a.secret),
    _c331(3, "13.conditional",
          "Hệ thống phục vụ ngành, nghề kinh doanh có điều kiện",
          "Serves a conditional business line", lambda a: a.conditional_business),
    _c331(3, "13.procedures",
          "Hệ thống giải quyết thủ tục hành chính",
          "Handles administrative procedures", lambda a: a.handles_procedures),
    _c331(3, "13.subjects",
          "Xử lý dữ liệu cá nhân của từ 100.000 chủ thể (cơ bản) hoặc 10.000 chủ thể "
          "(nhạy cảm) trở lên",
          "Personal data of 100,000+ basic or 10,000+ sensitive data subjects",
          lambda a: a.subjects >= ND331_BASIC_THRESHOLD
          or a.sensitive_data_subjects >= ND331_SENSITIVE_THRESHOLD),
    _c331(3, "13.infra",
          "Hạ tầng thông tin dùng chung của một ngành, một tỉnh hoặc một số tỉnh",
          "Shared infrastructure of one sector, one province or several provinces",
          lambda a: a.system_type == "infrastructure" and a.scope != "unit"),
    _c331(3, "13.ics",
          "Hệ thống điều khiển công nghiệp của công trình cấp II, III, IV",
          "Industrial control system of a grade II-IV works", _ics("II", "III", "IV")),
    _c331(4, "14.harm",
          "Khi bị tấn công gây tổn hại nghiêm trọng tới an ninh quốc gia",
          "An attack would seriously harm national security", lambda a: a.harm == "serious"),
    _c331(4, "14.24x7",
          "Hệ thống Chính phủ điện tử quốc gia hoặc hạ tầng dùng chung toàn quốc, "
          "yêu cầu vận hành 24/7",
          "National e-Government system or nationwide shared infrastructure needing 24/7",
          lambda a: a.operation_24x7 and (a.national_egov or (
              a.system_type == "infrastructure" and a.scope in ("nationwide", "international")))),
    _c331(4, "14.ics",
          "Hệ thống điều khiển công nghiệp của công trình cấp I",
          "Industrial control system of a grade I works", _ics("I")),
    _c331(5, "15.harm",
          "Khi bị tấn công gây tổn hại đặc biệt nghiêm trọng tới an ninh quốc gia",
          "An attack would especially seriously harm national security",
          lambda a: a.harm == "especially_serious"),
    _c331(5, "15.data",
          "Lưu trữ tập trung dữ liệu đặc biệt quan trọng của quốc gia",
          "Centralised storage of especially important national data",
          lambda a: a.national_data),
    _c331(5, "15.international",
          "Hạ tầng kết nối liên thông Việt Nam với quốc tế",
          "Infrastructure connecting Vietnam with international networks",
          lambda a: a.system_type == "infrastructure" and a.scope == "international"),
    _c331(5, "15.ics",
          "Hệ thống điều khiển công nghiệp của công trình cấp đặc biệt",
          "Industrial control system of a special-grade works", _ics("special")),
)


def _regime(regime: str, answers: Answers) -> RegimeSuggestion:
    matched = [c for c in RULES if c.regime == regime and c.applies(answers)]
    # Level 1 applies only when nothing above it does (it is the "only public info" case).
    if any(c.level > 1 for c in matched):
        matched = [c for c in matched if c.level > 1]
    matched.sort(key=lambda c: -c.level)
    return RegimeSuggestion(regime, matched[0].level, tuple(matched))


def suggest(answers: Answers) -> Suggestion:
    """Propose a level under each regime from the answers."""

    return Suggestion(answers, _regime("nd85-tt12", answers), _regime("law116-nd331", answers))


def _choice(node: Node, key: str, choices: tuple[str, ...], default: str) -> str:
    value = node.text(key, default)
    if value not in choices:
        raise node.error(key, T("expected one of {choices}, got {value}", choices=list(choices),
                                value=repr(value)))
    return value


def _public_service_level(node: Node) -> int:
    """The old-scale level (0-4) from ``public_service`` (Decree 42/2022 terms) or
    ``public_service_level``; both given must agree."""

    old = node.integer("public_service_level", 0, lo=0, hi=4)
    if not node.has("public_service"):
        return old
    new = PUBLIC_SERVICE[_choice(node, "public_service", tuple(PUBLIC_SERVICE), "none")]
    if node.has("public_service_level") and old != new:
        raise node.error("public_service", T(
            "{value} means level {new} of the old scale, but public_service_level is {old}",
            value=node.text("public_service", ""), new=new, old=old))
    return new


def parse_answers(node: Node) -> Answers:
    """Answers from a YAML mapping (the ``--answers`` file or an inventory's
    ``classification:``); errors name the file and key."""

    node.allow(*ANSWER_KEYS)
    info = node.texts("information") or ("public",)
    for i, item in enumerate(info):
        if item not in INFORMATION_TYPES:
            raise node.error(f"information[{i}]", T("expected one of {choices}, got {value}",
                                                    choices=list(INFORMATION_TYPES),
                                                    value=repr(item)))
    subjects = node.integer("personal_data_subjects", -1, lo=0) if node.has(
        "personal_data_subjects") else None
    admin = node.boolean("admin_procedures", False) if node.has("admin_procedures") else None
    return Answers(
        system_type=_choice(node, "system_type", SYSTEM_TYPES, "internal"),
        information=info,
        users=node.integer("users", 0, lo=0),
        personal_data_subjects=subjects,
        sensitive_data_subjects=node.integer("sensitive_data_subjects", 0, lo=0),
        state_secret=node.boolean("state_secret", False),
        operation_24x7=node.boolean("operation_24x7", False),
        scope=_choice(node, "scope", SCOPES, "unit"),
        public_service_level=_public_service_level(node),
        conditional_business=node.boolean("conditional_business", False),
        admin_procedures=admin,
        national_egov=node.boolean("national_egov", False),
        national_data=node.boolean("national_data", False),
        harm=_choice(node, "harm", HARM, "none"),
        ics_grade=_choice(node, "ics_grade", ICS_GRADES, "none"),
    )


__all__ = [
    "ANSWER_KEYS",
    "PUBLIC_SERVICE",
    "RULES",
    "Answers",
    "Criterion",
    "RegimeSuggestion",
    "Suggestion",
    "parse_answers",
    "suggest",
]
