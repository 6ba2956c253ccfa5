"""The plan as an Ansible playbook: one task (or a block) per fix and host group, tagged with
the requirement ids and the check id, named in Vietnamese then English.

Hosts are attt's host names (``inventory_hostname``): run it with an inventory that names the
hosts the same way.  sshd drop-ins are checked with ``sshd -t`` (each file, then the whole
configuration) before a running sshd is reloaded; handlers that change the running kernel,
audit rules or firewall are notified only with ``--apply-live``.
"""

from __future__ import annotations

from typing import Any

import yaml

from .catalog import HANDLERS, SSHD_INCLUDE_CHECK
from .header import header_lines
from .plan import Plan, Task


class _Dumper(yaml.SafeDumper):
    """No anchors and aliases: each task reads whole, as a person would write it."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _handler_name(key: str) -> str:
    h = HANDLERS[key]
    return f"{h.name_vi} / {h.name_en}"


def _notified(task: Task, apply_live: bool) -> list[str]:
    return [_handler_name(k) for k in task.fix.handlers
            if apply_live or not HANDLERS[k].live_only]


def _task(task: Task, apply_live: bool) -> dict[str, Any]:
    fix = task.fix
    name = f"{fix.title_vi} / {fix.title_en}"
    notify = _notified(task, apply_live)
    bodies = []
    for i, action in enumerate(task.actions, start=1):
        body: dict[str, Any] = {}
        if len(task.actions) > 1:
            body["name"] = f"{name} ({i}/{len(task.actions)}: {action.path})"
        body.update(action.ansible())
        if notify:
            body["notify"] = notify
        bodies.append(body)
    # Host names are data: a task variable, never spliced into the Jinja expression.
    head: dict[str, Any] = {"name": name, "tags": [*task.requirements, fix.check],
                            "vars": {"attt_hosts": task.hosts},
                            "when": "inventory_hostname in attt_hosts"}
    if len(bodies) == 1:
        single = {k: v for k, v in bodies[0].items() if k != "name"}
        return {**head, **single}
    return {**head, "block": bodies}


def render_playbook(plan: Plan, apply_live: bool = False) -> str:
    """The playbook text: the header comment, then one play over all hosts."""

    tasks: list[dict[str, Any]] = [_task(t, apply_live) for t in plan.tasks]
    sshd_hosts = sorted({h for t in plan.tasks if "sshd" in t.fix.handlers for h in t.hosts})
    if sshd_hosts:
        # sshd -t (the drop-in's validate and the final check) wants the privilege separation
        # folder, which only a running sshd's unit creates: runtime state, not a change.
        tasks.insert(0, {"name": "Bảo đảm có thư mục /run/sshd cho sshd -t / Make sure /run/sshd "
                                 "exists for sshd -t",
                         "tags": ["always"],
                         "vars": {"attt_hosts": sshd_hosts},
                         "when": "inventory_hostname in attt_hosts",
                         "ansible.builtin.file": {"path": "/run/sshd", "state": "directory",
                                                  "mode": "0755"},
                         "changed_when": False})
        # A drop-in that sshd never reads would change nothing: stop before writing it.
        tasks.insert(1, {"name": "sshd_config phải đọc thư mục sshd_config.d / sshd_config must "
                                 "include sshd_config.d",
                         "tags": ["always"],
                         "vars": {"attt_hosts": sshd_hosts},
                         "when": "inventory_hostname in attt_hosts",
                         "ansible.builtin.command": SSHD_INCLUDE_CHECK,
                         "changed_when": False})
        tasks.append({"name": "Kiểm tra toàn bộ cấu hình sshd / Check the whole sshd "
                              "configuration",
                      "tags": ["always"],
                      "vars": {"attt_hosts": sshd_hosts},
                      "when": "inventory_hostname in attt_hosts",
                      "ansible.builtin.command": "/usr/sbin/sshd -t",
                      "changed_when": False})
    used = sorted({k for t in plan.tasks for k in t.fix.handlers
                   if apply_live or not HANDLERS[k].live_only})
    play: dict[str, Any] = {
        "name": "Khắc phục theo kết quả attt / Remediation from attt findings",
        "hosts": "all",
        "gather_facts": False,
        "tasks": tasks,
    }
    if used:
        play["handlers"] = [{"name": _handler_name(k),
                             "ansible.builtin.shell": HANDLERS[k].command} for k in used]
    head = "".join(f"# {line}\n" for line in header_lines(plan, apply_live))
    body = yaml.dump([play], Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return head + "---\n" + body


__all__ = ["render_playbook"]
