"""Local log retention: logrotate keeps the system and authentication logs long enough.

Retention of a log file = ``rotate`` count x rotation period, in months (monthly = 1,
yearly = 12, weekly = 7/30, daily = 1/30, hourly = 1/720), capped by ``maxage`` (days / 30)
when that is set.  ``rotate -1`` keeps rotated files for ever (unless maxage).  A block
without a period is rotated on every logrotate run (daily timer): counted as daily.  A
``size``/``maxsize`` limit can rotate sooner than the period; it is reported, not computed.
The configuration is read in logrotate's own order: /etc/logrotate.conf, with ``include``
pulling in /etc/logrotate.d at that point, global settings applying to the blocks that
follow them.  journald (MaxRetentionSec/SystemMaxUse) and auditd (max_log_file x num_logs,
space-based) are reported beside the result.
"""

from __future__ import annotations

import fnmatch
import posixpath
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from attt.model import Result, Status
from attt.registry import ScopedFacts, Section, check, probe

from .journald import JournaldConf

LOGROTATE_MAIN = "/etc/logrotate.conf"
_PERIOD_MONTHS = {"hourly": 1 / 720, "daily": 1 / 30, "weekly": 7 / 30, "monthly": 1.0,
                  "yearly": 12.0}
_SKIP_BLOCKS = ("postrotate", "prerotate", "firstaction", "lastaction", "preremove")


@dataclass(frozen=True)
class RotatePolicy:
    patterns: tuple[str, ...]
    where: str
    period: str  # hourly | daily | weekly | monthly | yearly | "" (every run)
    rotate: int
    maxage: int | None
    size: str | None

    @property
    def months(self) -> float:
        per = _PERIOD_MONTHS.get(self.period, 1 / 30)
        kept = float("inf") if self.rotate < 0 else self.rotate * per
        if self.maxage is not None and self.maxage > 0:
            kept = min(kept, self.maxage / 30)
        return kept

    def formula(self) -> str:
        period = self.period or "no period (every run, counted daily)"
        rotate = "rotate -1 (never removed)" if self.rotate < 0 else f"rotate {self.rotate}"
        text = f"{rotate} x {period}"
        if self.maxage:
            text += f", maxage {self.maxage} days"
        if self.size:
            text += f", size limit {self.size} may rotate sooner"
        months = "unlimited" if self.months == float("inf") else f"{self.months:.1f} months"
        return f"{text} = {months} ({self.where})"


class _Reader:
    """logrotate's configuration walk: globals, includes, blocks."""

    def __init__(self, files: Mapping[str, str]) -> None:
        self.files = files
        self.globals: dict[str, Any] = {"period": "", "rotate": 0, "maxage": None, "size": None}
        self.policies: list[RotatePolicy] = []
        self.seen: set[str] = set()

    def apply(self, state: dict[str, Any], words: list[str], where: str) -> None:
        key = words[0].lower()
        if key in _PERIOD_MONTHS:
            state["period"] = key
        elif key == "rotate" and len(words) > 1:
            try:
                state["rotate"] = int(words[1])
            except ValueError:
                raise ValueError(f"{where}: rotate needs a number") from None
        elif key == "maxage" and len(words) > 1:
            try:
                state["maxage"] = int(words[1])
            except ValueError:
                raise ValueError(f"{where}: maxage needs a number") from None
        elif key in ("size", "maxsize") and len(words) > 1:
            state["size"] = words[1]

    def read(self, path: str) -> None:
        if path in self.seen:
            return
        self.seen.add(path)
        lines = self.files[path].splitlines()
        block: dict[str, Any] | None = None
        patterns: list[str] = []
        pending: list[str] = []
        pending_start = start = 0
        skipping = False
        for lineno, raw in enumerate(lines, 1):
            line = raw.strip()
            if skipping:
                if line == "endscript":
                    skipping = False
                continue
            if not line or line.startswith("#"):
                continue
            where = f"{path}:{lineno}"
            try:
                words = shlex.split(line, comments=True)
            except ValueError as exc:
                raise ValueError(f"{where}: {exc}") from None
            if not words:
                continue
            if words[0].lower() in _SKIP_BLOCKS:
                skipping = True
                continue
            if block is None:
                if "{" in line:
                    names = [w.rstrip("{") for w in words if w != "{"]
                    patterns = pending + [n for n in names if n]
                    start = pending_start if pending else lineno
                    pending = []
                    block = dict(self.globals)
                    continue
                if words[0].startswith(("/", "~")) or "*" in words[0]:
                    if not pending:
                        pending_start = lineno
                    pending += words  # a path list whose '{' follows on a later line
                    continue
                if words[0].lower() == "include" and len(words) > 1:
                    self.include(words[1])
                    continue
                self.apply(self.globals, words, where)
                continue
            if words[0] == "}":
                self.policies.append(RotatePolicy(
                    tuple(patterns), f"{path}:{start}", block["period"], block["rotate"],
                    block["maxage"], block["size"]))
                block = None
                continue
            self.apply(block, words, where)
        if block is not None:
            raise ValueError(f"{path}:{start}: unterminated logrotate block")

    def include(self, target: str) -> None:
        inside = sorted(p for p in self.files if posixpath.dirname(p) == target.rstrip("/"))
        if inside:
            for path in inside:
                name = posixpath.basename(path)
                # logrotate skips backup and package-manager leftovers in included dirs.
                if name.endswith(("~", ".dpkg-old", ".dpkg-dist", ".dpkg-new", ".rpmsave",
                                  ".rpmnew", ".disabled", ".bak")):
                    continue
                self.read(path)
        elif target in self.files:
            self.read(target)


@dataclass(frozen=True)
class Logrotate:
    present: bool
    policies: tuple[RotatePolicy, ...]

    def policy_for(self, log: str) -> RotatePolicy | None:
        hit = None
        for p in self.policies:
            if any(fnmatch.fnmatchcase(log, pat) for pat in p.patterns):
                hit = p  # logrotate rejects duplicates; the last definition is the useful one
        return hit


@probe(
    "logrotate_conf",
    files=(LOGROTATE_MAIN, "/etc/logrotate.d/*"),
    description="logrotate rotation policies",
)
def parse_logrotate_conf(section: Section) -> Logrotate:
    if LOGROTATE_MAIN not in section.files:
        return Logrotate(False, ())
    reader = _Reader(section.files)
    reader.read(LOGROTATE_MAIN)
    return Logrotate(True, tuple(reader.policies))


_DEFAULT_LOGS = ("/var/log/auth.log", "/var/log/secure", "/var/log/syslog", "/var/log/messages")


@check(
    "logging.retention_months",
    title_vi="Nhật ký hệ thống và xác thực được lưu giữ đủ số tháng quy định",
    title_en="System and authentication logs are kept for the required number of months",
    severity="medium",
    probes=("logrotate_conf", "journald_conf", "auditd_conf"),
    params={"min_months": 3, "log_files": list(_DEFAULT_LOGS)},
    stricter={"min_months": "higher"},
    remediation_vi=(
        "Trong khối của các tệp nhật ký (Debian: /etc/logrotate.d/rsyslog; RHEL: "
        "/etc/logrotate.d/rsyslog hoặc syslog) đặt chu kỳ và số bản giữ lại đủ thời gian, ví dụ "
        "'weekly' với 'rotate 13' (3 tháng), 'rotate 26' (6 tháng) hoặc 'monthly' với "
        "'rotate 12' (12 tháng), bỏ 'maxage' ngắn hơn; kiểm tra bằng 'logrotate -d "
        "/etc/logrotate.conf'. Nếu nhật ký được lưu tập trung, bảo đảm máy chủ thu thập giữ đủ "
        "thời hạn."
    ),
    remediation_en=(
        "In the block of the log files (Debian: /etc/logrotate.d/rsyslog; RHEL: "
        "/etc/logrotate.d/rsyslog or syslog) set a period and count that cover the requirement, "
        "for example 'weekly' with 'rotate 13' (3 months) or 'rotate 26' (6 months), or "
        "'monthly' with 'rotate 12' (12 months), and drop a shorter 'maxage'; check with "
        "'logrotate -d /etc/logrotate.conf'. Where logs are kept centrally, make sure the "
        "collector keeps them that long."
    ),
)
def retention_months(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Incidents are often discovered months after they start; the logs of that period must
    still exist. The national standard sets the minimum retention per level (1, 3, 6 or 12
    months)."""

    min_months = params.get("min_months")
    logs = params.get("log_files")
    if isinstance(min_months, bool) or not isinstance(min_months, int | float) or min_months < 0:
        return Result(Status.ERROR, "Invalid parameter: min_months must be a non-negative "
                      "number.", observed=None, expected=None, source="params")
    if not isinstance(logs, Sequence) or isinstance(logs, str) or not all(
            isinstance(x, str) and x for x in logs):
        return Result(Status.ERROR, "Invalid parameter: log_files must be a list of paths.",
                      observed=None, expected=None, source="params")
    rot: Logrotate = facts.get("logrotate_conf")
    journald: JournaldConf = facts.get("journald_conf")
    auditd: dict[str, str] | None = facts.get("auditd_conf")
    notes = [f"journald: {journald.describe('MaxRetentionSec', '0, no time limit')}, "
             f"{journald.describe('SystemMaxUse', '10% of the file system')}"]
    if auditd is not None:
        size, num = auditd.get("max_log_file", "8"), auditd.get("num_logs", "5")
        action = auditd.get("max_log_file_action", "ROTATE")
        notes.append(f"auditd: max_log_file {size} MB x num_logs {num} ({action}), space-based: "
                     "retention depends on the event rate")
    rows: dict[str, str] = {}
    short: list[str] = []
    covered = 0
    for log in logs:
        policy = rot.policy_for(log)
        if policy is None:
            continue
        covered += 1
        rows[log] = policy.formula()
        if policy.months + 1e-9 < float(min_months):
            short.append(f"{log}: {policy.formula()}")
    observed = {"logs": rows, "notes": notes}
    expected = f"at least {min_months} months (rotate x period, capped by maxage)"
    source = "logrotate_conf, journald_conf, auditd_conf"
    if not rot.present:
        return Result(Status.FAIL, "No /etc/logrotate.conf: the retention of "
                      f"{', '.join(logs)} cannot be shown.", observed=observed,
                      expected=expected, source=source)
    if covered == 0:
        return Result(Status.FAIL, f"No logrotate policy names any of {', '.join(logs)}: their "
                      "retention cannot be shown.", observed=observed, expected=expected,
                      source=source)
    if short:
        return Result(Status.FAIL, f"Logs are kept less than {min_months} months: "
                      f"{'; '.join(short)}.", observed=observed, expected=expected,
                      source=source)
    first = next(iter(rows.items()))
    return Result(Status.PASS, f"Logs are kept at least {min_months} months: {first[0]}: "
                  f"{first[1]}" + (f" and {covered - 1} more" if covered > 1 else "") + ".",
                  observed=observed, expected=expected, source=source)
