"""LAN rules evaluation: first matching rule wins, else the system's default (deny)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..model import LanRule
from .services import matches


def rule_to_json(rule: LanRule) -> dict[str, Any]:
    """A LAN rule as the scan fact stores it."""

    return {"from": rule.source, "to": rule.target, "action": rule.action,
            "services": list(rule.services), "reason": rule.reason}


def decide(
    rules: Sequence[Mapping[str, Any]], default: str, source: str, target: str, proto: str,
    port: int,
) -> tuple[str, int | None]:
    """(allow | deny, index of the deciding rule or None for the default)."""

    for i, r in enumerate(rules):
        if r["from"] not in ("*", source) or r["to"] not in ("*", target):
            continue
        if matches(tuple(r["services"]), proto, port):
            return str(r["action"]), i
    return default, None


def label(o: Mapping[str, Any]) -> str:
    """``web01 (198.51.100.10)``: the inventory host (or DNS name) and the address."""

    name = o.get("host") or o.get("name")
    return f"{name} ({o['address']})" if name else str(o["address"])


def violations(scan: Mapping[str, Any]) -> tuple[list[dict[str, Any]], int]:
    """Flows the rules forbid that reach a host, seen from the vantage zone; and how many
    open services were allowed.

    A closed port (the target answered with a reset) is judged like an open one: the flow
    crosses the firewall, only the service is down, and stopping it must not hide the leak.
    Services in the vantage zone itself and public services outside every zone are not
    inter-zone flows and are left to the other checks.
    """

    out: list[dict[str, Any]] = []
    allowed = 0
    src = str(scan["vantage"])
    seen = [(o, "open") for o in scan.get("open", [])] + [
        (o, "closed") for o in scan.get("closed", [])]
    for o, state in seen:
        zone = str(o.get("zone", ""))
        if zone in (src, "public", ""):
            continue
        action, idx = decide(scan.get("rules", []), str(scan.get("default", "deny")), src, zone,
                             str(o["proto"]), int(o["port"]))
        if action == "allow":
            allowed += state == "open"
            continue
        rule = scan["rules"][idx] if idx is not None else None
        why = f"default {scan.get('default', 'deny')}"
        if rule is not None and idx is not None:
            why = f"rule {idx + 1}: deny {rule['from']} -> {rule['to']}" + (
                f" ({rule['reason']})" if rule.get("reason") else "")
        out.append({
            "source_zone": src,
            "target": o.get("host") or o.get("name") or o["address"],
            "label": label(o),
            "state": state,
            "address": o["address"],
            "zone": zone,
            "port": o["port"],
            "proto": o["proto"],
            "service": o.get("service", ""),
            "banner": o.get("banner", ""),
            "rule": why,
        })
    return out, allowed
