"""Patching: no security update waits, and packages were updated recently.

How the facts are read (sources, order, offline limits): :mod:`attt.probes.updates`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attt.messages import Msg, T
from attt.model import Result, Status
from attt.probes.agents import ParamError
from attt.probes.time import DAY, iso
from attt.probes.updates import Pending, UpdateEvent
from attt.registry import ScopedFacts, check


def _int_param(params: Mapping[str, Any], name: str) -> int:
    value = params.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ParamError(T("{name} must be a non-negative integer", name=name))
    return value


@check(
    "updates.security_pending",
    title_vi="Không còn bản cập nhật bảo mật chưa cài đặt",
    title_en="No security updates are pending",
    severity="high",
    probes=("pending_updates", "clock_now"),
    params={"max_pending": 0, "max_index_age_days": 7},
    stricter={"max_pending": "lower", "max_index_age_days": "lower"},
    remediation_vi=(
        "Cập nhật chỉ mục và cài các bản vá bảo mật: 'apt-get update && apt-get upgrade' (hoặc "
        "'unattended-upgrade' với unattended-upgrades bật cho nguồn -security) trên Debian/"
        "Ubuntu; 'dnf upgrade --security' (hoặc dnf-automatic với upgrade_type = security) trên "
        "RHEL. Nếu máy chủ không ra Internet, trỏ apt/dnf về kho cập nhật nội bộ của đơn vị. "
        "Khởi động lại khi nhân (kernel) hoặc thư viện hệ thống được cập nhật."
    ),
    remediation_en=(
        "Refresh the index and install the security updates: 'apt-get update && apt-get "
        "upgrade' (or unattended-upgrades enabled for the -security origin) on Debian/Ubuntu; "
        "'dnf upgrade --security' (or dnf-automatic with upgrade_type = security) on RHEL. Hosts "
        "without Internet access should use the agency's internal update mirror. Reboot when "
        "the kernel or core libraries were updated."
    ),
)
def security_pending(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Published security fixes are the vulnerabilities attackers exploit first; a host with
    pending security updates runs code with known, documented weaknesses. The count is read from
    the host's own package index, so a stale index hides updates and fails as well."""

    try:
        max_pending = _int_param(params, "max_pending")
        max_age = _int_param(params, "max_index_age_days")
    except ParamError as exc:
        return Result(Status.ERROR, T("Invalid parameter: {reason}.", reason=exc.message),
                      observed=None, expected=None, source="params")
    if facts.mode != "live":
        return Result(Status.NOT_APPLICABLE, T("Pending updates need the host's package manager "
                                               "and index; an offline tree cannot be simulated "
                                               "(see updates.last_update_age)."),
                      observed=None, expected=f"at most {max_pending} pending security updates",
                      source="pending_updates")
    pending: Pending = facts.get("pending_updates")
    now: int = facts.get("clock_now")
    age = (now - pending.index_time) / DAY if pending.index_time is not None else None
    index = T("index age unknown")
    if pending.index_time is not None and age is not None:
        days = f"{age:.0f}"
        index = T("index refreshed {when}, {days} days ago", when=iso(pending.index_time),
                  days=days)
    observed = {"manager": pending.manager, "security_pending": list(pending.security[:50]),
                "security_count": len(pending.security), "other_pending": pending.other,
                "index": str(index)}
    expected = (f"at most {max_pending} pending security updates, index at most {max_age} "
                "days old")
    source = ("apt-get -s dist-upgrade" if pending.manager == "apt"
              else f"{pending.manager} -C updateinfo list --security")
    n = len(pending.security)
    if n > max_pending:
        shown: list[str | Msg] = list(pending.security[:5])
        if n > 5:
            shown.append(T("and {count} more update(s)", count=n - 5))
        return Result(Status.FAIL, T("{count} security update(s) pending via {manager} (allowed "
                                     "{allowed}; {index}): {updates}.", count=n,
                                     manager=pending.manager, allowed=max_pending, index=index,
                                     updates=shown),
                      observed=observed, expected=expected, source=source)
    if age is None:
        return Result(Status.FAIL, T("{count} security update(s) pending via {manager}, but no "
                                     "package index timestamp was found, so the count cannot be "
                                     "trusted.", count=n, manager=pending.manager),
                      observed=observed, expected=expected, source=source)
    if age > max_age:
        return Result(Status.FAIL, T("The {manager} package index is stale ({index}, limit "
                                     "{limit}): the {count} pending security update(s) it shows "
                                     "may understate what is published.",
                                     manager=pending.manager, index=index, limit=max_age,
                                     count=n),
                      observed=observed, expected=expected, source=source)
    return Result(Status.PASS, T("{count} security update(s) pending via {manager} (allowed "
                                 "{allowed}; {index}).", count=n, manager=pending.manager,
                                 allowed=max_pending, index=index),
                  observed=observed, expected=expected, source=source)


@check(
    "updates.last_update_age",
    title_vi="Hệ điều hành được cập nhật gói phần mềm gần đây",
    title_en="Packages were updated recently",
    severity="medium",
    probes=("package_history", "clock_now"),
    params={"max_days": 30},
    stricter={"max_days": "lower"},
    remediation_vi=(
        "Cập nhật hệ thống định kỳ theo kế hoạch vá lỗi của đơn vị: 'apt-get update && apt-get "
        "upgrade' hoặc 'dnf upgrade'; bật cập nhật tự động cho bản vá bảo mật (gói "
        "unattended-upgrades, hoặc dnf-automatic với 'systemctl enable --now "
        "dnf-automatic.timer')."
    ),
    remediation_en=(
        "Update the system on the agency's patch schedule: 'apt-get update && apt-get upgrade' "
        "or 'dnf upgrade'; enable automatic security updates (unattended-upgrades, or "
        "dnf-automatic with 'systemctl enable --now dnf-automatic.timer')."
    ),
)
def last_update_age(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """A host whose packages have not changed for months is not following a patch process,
    whatever its documents say; the age of the newest install or upgrade shows whether updates
    are actually applied."""

    try:
        max_days = _int_param(params, "max_days")
    except ParamError as exc:
        return Result(Status.ERROR, T("Invalid parameter: {reason}.", reason=exc.message),
                      observed=None, expected=None, source="params")
    events: list[UpdateEvent] = facts.get("package_history")
    newest = max(events, key=lambda e: e.when) if events else None
    expected = f"a package install or upgrade within {max_days} days"
    seen = (T("{when} ({event}, {source})", when=iso(newest.when), event=newest.text,
              source=newest.source) if newest else T("no install/upgrade event"))
    observed: dict[str, Any] = {"newest": str(seen)}
    if facts.mode != "live":
        return Result(Status.NOT_APPLICABLE, T("The newest package event in the tree is {event}; "
                                               "an offline tree has no clock to measure its age "
                                               "against.", event=seen),
                      observed=observed, expected=expected, source="package_history")
    now: int = facts.get("clock_now")
    if newest is None:
        return Result(Status.FAIL, T("No package install or upgrade is recorded in dpkg.log, "
                                     "dpkg.log.1, dnf.rpm.log or the rpm database."),
                      observed=observed, expected=expected, source="package_history")
    age = (now - newest.when) / DAY
    observed["age_days"] = round(age, 1)
    observed["now"] = iso(now)
    days = f"{max(age, 0):.0f}"
    if age > max_days:
        return Result(Status.FAIL, T("The last package update was {days} days ago: {event} "
                                     "(limit {limit} days).", days=days, event=seen,
                                     limit=max_days),
                      observed=observed, expected=expected, source="package_history, clock_now")
    return Result(Status.PASS, T("The last package update was {days} days ago: {event}.",
                                 days=days, event=seen),
                  observed=observed, expected=expected, source="package_history, clock_now")
