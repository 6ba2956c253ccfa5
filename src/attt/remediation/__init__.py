"""``attt remediate``: automatic fixes for failing findings, as an Ansible playbook or a POSIX
shell script, and the list of what a person must decide (see catalog.py)."""

from __future__ import annotations

from collections.abc import Callable

from .plan import Plan, build_plan
from .render_ansible import render_playbook
from .render_sh import render_script

# One renderer per output format (no if-chain over formats): plan, apply_live -> text.
FORMATS: dict[str, Callable[[Plan, bool], str]] = {
    "ansible": render_playbook,
    "sh": render_script,
}

__all__ = ["FORMATS", "Plan", "build_plan"]
