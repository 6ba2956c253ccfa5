"""Shell idle timeout: TMOUT set, bounded and read-only in the system-wide shell start-up files.

How the facts are read (sources, order, offline limits): :mod:`attt.probes.shell`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attt.messages import T
from attt.model import Result, Status
from attt.probes.shell import TmoutEvent, effective_tmout
from attt.registry import ScopedFacts, check

ORDER = ("/etc/profile", "/etc/bash.bashrc", "/etc/profile.d/*.sh", "/etc/bashrc")


@check(
    "shell.session_timeout",
    title_vi="Phiên shell không hoạt động tự động đóng (TMOUT)",
    title_en="Idle shell sessions are closed automatically (TMOUT)",
    severity="medium",
    probes=("shell_profiles",),
    params={"max_seconds": 900},
    stricter={"max_seconds": "lower"},
    remediation_vi=(
        "Tạo /etc/profile.d/99-tmout.sh với nội dung: 'TMOUT=900', 'readonly TMOUT', "
        "'export TMOUT' (mỗi lệnh một dòng; 900 giây hoặc giá trị theo quy chế) và xóa các "
        "dòng TMOUT khác trong /etc/profile, /etc/bash.bashrc, /etc/bashrc."
    ),
    remediation_en=(
        "Create /etc/profile.d/99-tmout.sh containing 'TMOUT=900', 'readonly TMOUT', 'export "
        "TMOUT' (one per line; 900 seconds or the policy's value) and remove other TMOUT lines "
        "from /etc/profile, /etc/bash.bashrc and /etc/bashrc."
    ),
)
def session_timeout(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """A logged-in shell left open on a console or over SSH can be used by anyone who reaches
    the keyboard or the session. bash and ksh exit after TMOUT seconds without input; the value
    must be at most the policy's idle limit and read-only, or a user simply unsets it."""

    want = int(params["max_seconds"])
    events: list[TmoutEvent] = facts.get("shell_profiles")
    value, readonly, where = effective_tmout(events)
    observed = {"TMOUT": value, "readonly": readonly, "from": where or None,
                "assignments": [f"{e.where}: {'readonly ' if e.readonly else ''}"
                                f"{e.value if e.value is not None else 'TMOUT'}"
                                f"{'' if e.sourced else ' (not sourced by /etc/profile)'}"
                                for e in events]}
    expected = {"TMOUT": f"1..{want}", "readonly": True}
    source = ", ".join(p for p in ORDER)
    if value is None:
        idle = sorted({e.where.rsplit(":", 1)[0] for e in events if not e.sourced})
        msg = (T("TMOUT is not set in the system-wide shell start-up files ({files} set it but "
                 "are not sourced: /etc/profile has no loop over /etc/profile.d/*.sh).",
                 files=idle) if idle
               else T("TMOUT is not set in the system-wide shell start-up files."))
        return Result(Status.FAIL, msg, observed=observed, expected=expected, source=source)
    if not value.isdigit():
        return Result(Status.FAIL, T("TMOUT is '{value}' ({where}), not a number of seconds.",
                                     value=value, where=where),
                      observed=observed, expected=expected, source=source)
    seconds = int(value)
    if not 0 < seconds <= want:
        msg = (T("TMOUT is {value} ({where}), which disables the timeout.", value=seconds,
                 where=where) if seconds == 0
               else T("TMOUT is {value} ({where}).", value=seconds, where=where))
        return Result(Status.FAIL, msg,
                      observed=observed, expected=expected, source=source)
    if not readonly:
        return Result(Status.FAIL, T("TMOUT is {value} ({where}) but not read-only, so users "
                                     "can unset it.", value=seconds, where=where),
                      observed=observed, expected=expected, source=source)
    return Result(Status.PASS, T("TMOUT is {value} seconds and read-only ({where}).",
                                 value=seconds, where=where),
                  observed=observed, expected=expected, source=source)
