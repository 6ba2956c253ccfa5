"""The reporting year: data period and deadlines (Circular 12 Art. 13, Decree 331 Art. 35).

Data: 15 December of the year before to 14 December of the reporting year (Vietnam time).
A unit (the specialised security unit, an operating unit) reports to the system owner before
20 December; the owner to the ministry before 25 December.  "Before the 20th" means the 19th
is the last day: attt warns from the 19th (the 24th) and says overdue from the 20th (25th).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..messages import Msg, T

# Who receives the owner's report, per regime (annual-report.md §2.1, §3.2).
MINISTRY: dict[str, str] = {
    "nd85-tt12": "Bộ Thông tin và Truyền thông (Cục An toàn thông tin)",
    "law116-nd331": "Bộ Công an (Cục An ninh mạng và phòng, chống tội phạm sử dụng công nghệ "
                    "cao)",
}
UNIT_DAY, OWNER_DAY = 20, 25


@dataclass(frozen=True)
class Period:
    """The data period and the deadline of one report."""

    year: int
    start: dt.date
    end: dt.date
    deadline: dt.date  # the report must be sent before this day
    level: str  # unit | owner

    @property
    def last_day(self) -> dt.date:
        """The last day the report is on time."""

        return self.deadline - dt.timedelta(days=1)

    def state(self, today: dt.date) -> str:
        """``open`` before the last day, ``due`` on it, ``overdue`` from the deadline on."""

        if today >= self.deadline:
            return "overdue"
        return "due" if today >= self.last_day else "open"

    def alert(self, today: dt.date) -> Msg | None:
        """The warning to print and to show in the HTML, None while there is time."""

        state = self.state(today)
        if state == "due":
            return T("The report must be sent today at the latest ({date}): the deadline is "
                     "before {deadline}.", date=self.last_day, deadline=self.deadline)
        if state == "overdue":
            return T("The report is overdue: it had to be sent before {deadline} ({days} days "
                     "late).", deadline=self.deadline, days=(today - self.last_day).days)
        return None


def period(year: int, level: str) -> Period:
    """The period and deadline of the ``year`` report of a unit or of the owner."""

    day = UNIT_DAY if level == "unit" else OWNER_DAY
    return Period(year, dt.date(year - 1, 12, 15), dt.date(year, 12, 14),
                  dt.date(year, 12, day), level)
