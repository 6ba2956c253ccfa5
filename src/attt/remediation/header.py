"""The part both formats share: the comment that opens the playbook or the script (what it
fixes, what it leaves to a person), each line Vietnamese first, English after."""

from __future__ import annotations

import re

from .plan import Listed, Plan

# Host and check names come from the results file: a line break in one must not end the
# comment and turn the rest into playbook or script text.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _listed(items: list[Listed]) -> list[str]:
    lines: list[str] = []
    for item in items:
        hosts = ", ".join(item.hosts)
        reqs = ", ".join(item.requirements)
        lines.append(f"  - {item.check} [{reqs}] ({hosts})")
        lines.append(f"      {item.reason_vi}")
        lines.append(f"      {item.reason_en}")
    return lines or ["  (không có / none)"]


def header_lines(plan: Plan, apply_live: bool) -> list[str]:
    """The header, without comment marks."""

    lines = [
        "Tạo bởi attt remediate từ / Written by attt remediate from: " + plan.run,
        f"Số bản sửa tự động / Automatic fixes: {len(plan.tasks)}",
    ]
    if apply_live:
        lines.append("Áp dụng ngay vào hệ thống đang chạy (--apply-live) / Applied to the "
                     "running system too (--apply-live)")
    else:
        lines.append("Tham số nhân, quy tắc kiểm toán và tường lửa có hiệu lực sau khi khởi "
                     "động lại (hoặc tạo lại với --apply-live)")
        lines.append("Kernel parameters, audit rules and the firewall take effect at the next "
                     "boot (or write this again with --apply-live)")
    cautions = dict.fromkeys(t.fix.caution for t in plan.tasks if t.fix.caution)
    if cautions:
        lines.append("LƯU Ý TRƯỚC KHI CHẠY / READ BEFORE RUNNING:")
        for vi, en in cautions:
            lines += [f"  - {vi}", f"    {en}"]
    lines += ["Cần người phụ trách quyết định / Needs a decision by a person:",
              *_listed(plan.human),
              "Chưa có bản sửa tự động / No automatic fix known:",
              *_listed(plan.unsupported)]
    return [_CONTROL.sub("?", line) for line in lines]


__all__ = ["header_lines"]
