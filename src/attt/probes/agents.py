"""Software agents declared by the agency or known to a family: a named product's
processes, packages and units, read from profile parameters (:func:`agents_param`), and
whether it is active on a host (:func:`agent_state`: running on a live host, enabled at
boot offline).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from attt.registry import ScopedFacts

from .packages import Packages
from .processes import ProcessTable
from .systemd import EnabledUnits

# ------------------------------------------------- agents and products declared by the agency


@dataclass(frozen=True)
class Agent:
    """A product known by name: the processes, packages and units that show it."""

    name: str
    processes: tuple[str, ...] = ()
    packages: tuple[str, ...] = ()
    services: tuple[str, ...] = ()


def names_param(value: Any, where: str) -> tuple[str, ...]:
    """A parameter that must be a list of non-empty names."""

    if value is None:
        return ()
    if not isinstance(value, Sequence) or isinstance(value, str) or not all(
            isinstance(v, str) and v for v in value):
        raise ValueError(f"{where} must be a list of names")
    return tuple(value)


def agents_param(value: Any, param: str) -> tuple[Agent, ...]:
    """A list of {name, processes, packages, services} from a profile or tailoring."""

    if value is None:
        return ()
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise ValueError(f"{param} must be a list")
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
            raise ValueError(f"{param}[{i}] needs a 'name'")
        agent = Agent(item["name"], names_param(item.get("processes"), f"{param}[{i}].processes"),
                      names_param(item.get("packages"), f"{param}[{i}].packages"),
                      names_param(item.get("services"), f"{param}[{i}].services"))
        if not (agent.processes or agent.packages or agent.services):
            raise ValueError(f"{param}[{i}] names no process, package or service")
        out.append(agent)
    return tuple(out)


# ---------------------------------------------------------------------------- management


def agent_state(facts: ScopedFacts, agent: Agent, pkgs: Packages | None) -> tuple[str, str]:
    """('active'|'inactive'|'absent', description)."""

    units: EnabledUnits = facts.get("systemd_enabled")
    installed = [p for p in agent.packages if pkgs is not None and pkgs.version(p) is not None]
    enabled = [u for u in agent.services if units.enabled(u)]
    if facts.mode == "live":
        procs: ProcessTable = facts.get("processes")
        running = procs.find(agent.processes)
        if running:
            return "active", f"{agent.name} ({', '.join(running)} running)"
        if installed or enabled:
            what = ", ".join([*(f"package {p}" for p in installed),
                              *(f"{u} enabled" for u in enabled)])
            return "inactive", f"{agent.name} ({what}; none of {', '.join(agent.processes)} " \
                               "running)"
        return "absent", agent.name
    if enabled:
        pkg = f", package {', '.join(installed)}" if installed else ""
        return "active", f"{agent.name} ({', '.join(enabled)} enabled at boot{pkg})"
    if installed:
        return "inactive", f"{agent.name} (package {', '.join(installed)}, not enabled at boot)"
    return "absent", agent.name
