"""Translation, gap collection and date formatting shared by the parts of the dossier."""

from __future__ import annotations

import datetime as dt

from ..i18n import VN_TZ, gettext_for
from .model import MISSING, Gap


class Ctx:
    """Translation, gap collection and the ``MISSING`` marker while building.

    ``final``: the document filed with the authority, without the working notes (inventory
    names, unverified-paraphrase marks, file hashes, the form of compliance) that only the
    officer preparing it needs (``attt dossier --check`` keeps them).
    """

    def __init__(self, lang: str, final: bool = True) -> None:
        self._ = gettext_for(lang)
        self.lang = lang
        self.vi = lang == "vi"
        self.final = final
        self.gaps: list[Gap] = []

    def need(self, value: str, section: str, what: str, where: str) -> str:
        """The value, or the MISSING mark with a gap recorded for it."""

        if value:
            return value
        self.gaps.append(Gap(section, self._(what), where))
        return MISSING

    def gap(self, section: str, what: str, where: str) -> None:
        """Record something the dossier lacks, already translated."""

        self.gaps.append(Gap(section, what, where))


def fmt_date(value: dt.date | None) -> str:
    """A date as dd/mm/yyyy, "" when unknown."""

    return value.strftime("%d/%m/%Y") if value else ""


def local_moment(text: str) -> dt.datetime | None:
    """An ISO timestamp of a results document in Vietnam time (naive ones are taken as UTC),
    None when it is not one."""

    try:
        moment = dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(VN_TZ)


def vn_today() -> dt.date:
    """Today in Vietnam (a dossier written at 23:00 UTC is dated the next day there)."""

    return dt.datetime.now(VN_TZ).date()


def vn_date_line(place: str, when: dt.date | None) -> str:
    """The place-and-date line of a Vietnamese administrative document."""

    where = place or "……"
    if when is None:
        return f"{where}, ngày …… tháng …… năm 20……"
    return f"{where}, ngày {when.day:02d} tháng {when.month:02d} năm {when.year}"
