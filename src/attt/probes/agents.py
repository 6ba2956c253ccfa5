"""Software agents declared by the agency or known to a family: a named product's
processes, packages and units, read from profile parameters (:func:`agents_param`), and
whether it is active on a host (:func:`agent_state`: running on a live host, enabled at
boot offline).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from attt.messages import Msg, T
from attt.registry import FactParseError, ScopedFacts

from .packages import Packages
from .processes import ProcessTable
from .systemd import EnabledUnits

# ------------------------------------------------- agents and products declared by the agency


class ParamError(FactParseError):
    """A profile parameter that is not valid; ``message`` says why in every report language
    (the finding that reports it is read in Vietnamese)."""

    def __init__(self, message: Msg) -> None:
        super().__init__(message)
        self.message = message  # the name the checks read


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
        raise ParamError(T("{where} must be a list of names", where=where))
    return tuple(value)


def agents_param(value: Any, param: str) -> tuple[Agent, ...]:
    """A list of {name, processes, packages, services} from a profile or tailoring."""

    if value is None:
        return ()
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise ParamError(T("{param} must be a list", param=param))
    out = []
    for i, item in enumerate(value):
        where = f"{param}[{i}]"
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
            raise ParamError(T("{item} needs a 'name'", item=where))
        agent = Agent(item["name"], names_param(item.get("processes"), f"{where}.processes"),
                      names_param(item.get("packages"), f"{where}.packages"),
                      names_param(item.get("services"), f"{where}.services"))
        if not (agent.processes or agent.packages or agent.services):
            raise ParamError(T("{item} names no process, package or service", item=where))
        out.append(agent)
    return tuple(out)


# ---------------------------------------------------------------------------- management


def agent_state(facts: ScopedFacts, agent: Agent, pkgs: Packages | None) -> tuple[str, Msg]:
    """('active'|'inactive'|'absent', description)."""

    units: EnabledUnits = facts.get("systemd_enabled")
    installed = [p for p in agent.packages if pkgs is not None and pkgs.version(p) is not None]
    enabled = [u for u in agent.services if units.enabled(u)]
    if facts.mode == "live":
        procs: ProcessTable = facts.get("processes")
        running = procs.find(agent.processes)
        if running:
            return "active", T("{name} ({processes} running)", name=agent.name,
                               processes=running)
        if installed or enabled:
            what = [*(T("package {package}", package=p) for p in installed),
                    *(T("{unit} enabled", unit=u) for u in enabled)]
            return "inactive", T("{name} ({what}; none of {processes} running)",
                                 name=agent.name, what=what, processes=list(agent.processes))
        return "absent", T("{name} not found", name=agent.name)
    if enabled:
        if installed:
            return "active", T("{name} ({units} enabled at boot, package {packages})",
                               name=agent.name, units=enabled, packages=installed)
        return "active", T("{name} ({units} enabled at boot)", name=agent.name, units=enabled)
    if installed:
        return "inactive", T("{name} (package {packages}, not enabled at boot)",
                             name=agent.name, packages=installed)
    return "absent", T("{name} not found", name=agent.name)
