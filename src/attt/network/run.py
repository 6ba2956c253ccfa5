"""Execute the network checks of each system and produce findings like a host does.

Per system one unit named ``net:<vantage zone>`` (or ``net:plan`` when no scan runs: the zone
plan is still judged from the inventory).  Its findings and a closing host-style record go to
findings.jsonl through the same FindingsLog, so ``--resume`` skips a finished unit.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from ..errors import AtttError, InputError
from ..messages import Msg, T
from ..model import Finding, Host, Profile, Result, Status, System
from ..registry import CheckSpec, Facts, Section
from ..runner import Binding, HostOutcome, HostState, bind, evaluate_bindings
from . import facts as F
from .ipv6 import build_fact, score
from .nmap_runner import Port, RunResult, nmap_path
from .nmap_runner import run as run_nmap
from .plan import ScanPlan, build, vantage_for
from .rules import rule_to_json
from .targets import addresses_in
from .tls import chain_status, ciphers_summary, parse_certificate

log = logging.getLogger(__name__)

MAX_TLS_HANDSHAKES = 256
SCAN_FACTS = (F.SCAN, F.TLS, F.IPV6)


def unit_name(zone: str) -> str:
    """The findings' host name of a network unit: ``net:<zone>`` or ``net:plan``."""

    return f"net:{zone}" if zone else "net:plan"


def bindings(profile: Profile) -> list[Binding]:
    """The network-scope (requirement, check) pairs of ``profile``."""

    return bind(profile, "network")


def local_addresses() -> list[str]:
    """Addresses of this machine (``ip -j addr``); [] when iproute2 is missing."""

    try:
        proc = subprocess.run(["ip", "-j", "addr", "show"], capture_output=True, text=True,
                              timeout=5, check=False)
        data = json.loads(proc.stdout or "[]")
    except (OSError, subprocess.TimeoutExpired, json.JSONDecodeError):
        return []
    return [str(a.get("local")) for link in data for a in link.get("addr_info", [])
            if a.get("local")]


def check_vantage(system: System, zone: str, addresses: Sequence[str]) -> None:
    """A local scan is only meaningful from inside the zone: refuse it otherwise."""

    nets = next(z.networks for z in system.zones if z.name == zone)
    if nets and not any(addresses_in(a, nets) for a in addresses):
        raise InputError(
            "--from-zone", zone,
            T("this machine has no address in zone {zone} ({networks}); run attt on a machine "
              "inside that zone", zone=repr(zone), networks=nets),
        )


@dataclass
class NetworkJob:
    """The network checks of one system, from one vantage zone or from the plan only."""

    system: System
    profile: Profile
    zone: str  # vantage zone; "" = no scan
    why_not: Msg | None = None  # when zone is "": why no scan runs
    _plan: ScanPlan | None = None

    @property
    def plan(self) -> ScanPlan | None:
        """Built on first use: it resolves names, which a resumed or finished unit skips."""

        if self.zone and self._plan is None:
            self._plan = build(self.system, self.zone)
        return self._plan

    @property
    def name(self) -> str:
        """The unit's name in findings and progress lines."""

        return unit_name(self.zone)

    def host(self) -> Host:
        """A pseudo-host standing for the vantage zone in findings."""

        nets = next((z.networks for z in self.system.zones if z.name == self.zone), ())
        return Host(name=self.name, system=self.system.name, transport="nmap",
                    address=", ".join(nets), roles=("network",), zone=self.zone)


def prepare(
    pairs: Sequence[tuple[System, Profile]], from_zone: str, check_local: bool = True,
) -> list[NetworkJob]:
    """One job per system; plans (and resolves names) now, so input errors stop the run
    before anything is scanned."""

    jobs = []
    if from_zone and not any(from_zone in {z.name for z in s.zones} for s, _ in pairs):
        raise InputError("--from-zone", from_zone, T("no system in scope has this zone"))
    if from_zone:
        nmap_path()  # a missing binary is a clear error before any host is scanned
    addrs = local_addresses() if from_zone and check_local else []
    for system, profile in pairs:
        if not bindings(profile):
            continue
        if from_zone and from_zone in {z.name for z in system.zones}:
            vantage_for(system, from_zone)  # an undeclared vantage zone is an input error
            if check_local:
                check_vantage(system, from_zone, addrs)
            jobs.append(NetworkJob(system, profile, from_zone))
        elif not system.zones and not system.public_services and not system.vantage_points:
            # Nothing network-related declared (a host-only inventory such as the bundled
            # localhost one): no network unit; its requirements show "no host in scope".
            continue
        else:
            jobs.append(NetworkJob(system, profile, "", _why_not(system, from_zone)))
    return jobs


def _why_not(system: System, from_zone: str) -> Msg:
    """Why a system's network is not scanned in this run."""

    if from_zone:
        return T("zone '{zone}' is not a zone of this system", zone=from_zone)
    if system.vantage_points:
        return T("run `attt scan --from-zone ZONE` on a machine inside one of the vantage zones "
                 "({zones})", zones=[v.zone for v in system.vantage_points])
    return T("the system declares no vantage_points")


def _obs(p: Port, plan: ScanPlan) -> dict[str, Any]:
    return {
        "address": p.address, "zone": plan.zone_of(p.address), "name": plan.name_of(p.address),
        "host": plan.host_of(p.address),
        "port": p.port, "proto": p.proto, "state": p.state, "service": p.service,
        "product": p.product, "version": p.version, "tunnel": p.tunnel, "banner": p.banner,
        "scripts": {k: v[:2000] for k, v in p.scripts.items()},
    }


def _is_open(p: Port) -> bool:
    if p.state == "open":
        return True
    # UDP without a reply is open|filtered; an NSE answer (SNMP) proves it is open.
    return p.state == "open|filtered" and any(v.strip() for v in p.scripts.values())


def _tls(ports: list[Port], plan: ScanPlan) -> list[dict[str, Any]]:
    cafiles = sorted({s.ca_file for s in plan.system.public_services if s.ca_file})
    out: list[dict[str, Any]] = []
    for p in ports:
        if p.proto != "tcp" or not _is_open(p):
            continue
        if p.tunnel != "ssl" and "ssl-cert" not in p.data and p.service != "https":
            continue
        if len(out) >= MAX_TLS_HANDSHAKES:
            break
        name = plan.name_of(p.address)
        entry: dict[str, Any] = {"address": p.address, "port": p.port, "name": name,
                                 "host": plan.host_of(p.address),
                                 "zone": plan.zone_of(p.address), "cert": None}
        cert = p.data.get("ssl-cert")
        pem = cert.get("pem") if isinstance(cert, dict) else None
        if isinstance(pem, str):
            try:
                entry["cert"] = parse_certificate(pem, name)
            except ValueError as exc:
                entry["cert_error"] = f"unparsable certificate: {exc}"[:200]
        else:
            entry["cert_error"] = "nmap ssl-cert returned no certificate"
        protocols, weak, least = ciphers_summary(p.data.get("ssl-enum-ciphers"))
        entry.update(protocols=protocols, weak_ciphers=weak, least_strength=least)
        entry["chain"], entry["chain_detail"] = chain_status(p.address, p.port, name, cafiles)
        out.append(entry)
    return out


def scan_facts(plan: ScanPlan, results: Sequence[RunResult]) -> dict[str, Any]:
    """The ``net.scan`` fact from the nmap results of a plan."""

    # A target named twice (a host inside a swept network) is reported once.
    ports = list({(p.address, p.proto, p.port): p for r in results for p in r.ports}.values())
    open_ports = [p for p in ports if _is_open(p)]
    # A TCP reset from the target: nothing listens, but the flow crosses the firewall.
    closed_ports = [p for p in ports if p.proto == "tcp" and p.state == "closed"]
    system = plan.system
    roles = {z.name: z.role for z in system.zones}
    scan = {
        "vantage": plan.vantage.zone,
        "vantage_role": roles[plan.vantage.zone],
        "zones": roles,
        "rules": [rule_to_json(r) for r in system.rules],
        "default": system.rules_default,
        "udp": plan.udp,
        "targets": len(plan.targets),
        "open": [_obs(p, plan) for p in open_ports],
        "closed": [{k: v for k, v in _obs(p, plan).items()
                    if k in ("address", "zone", "name", "host", "port", "proto", "state",
                             "service")} for p in closed_ports],
        "notes": [str(n) for n in plan.notes],  # observed data: English
        "commands": [r.command for r in results],
    }
    tls = _tls(open_ports, plan)
    by_addr: dict[str, set[int]] = {}
    for p in open_ports:
        if p.proto == "tcp":
            by_addr.setdefault(p.address, set()).add(p.port)
    scanned = {t.address for t in plan.targets}
    answered = {p.address for p in open_ports + closed_ports}
    ipv6 = build_fact(system, plan.vantage.zone, plan.resolver, by_addr, scanned, tls,
                      local_addresses(), tcp_ports=plan.tcp_ports, answered=answered)
    return {F.SCAN: scan, F.TLS: {"services": tls}, F.IPV6: ipv6}


def _evaluate(job: NetworkJob, values: Mapping[str, Any], missing: Mapping[str, str | Msg],
              ) -> list[Finding]:
    sections = {n: Section(n, state="unavailable", reason=why) for n, why in missing.items()}
    facts = Facts(sections, "live", values=values)

    def unscanned(spec: CheckSpec) -> Result | None:
        if not job.zone and any(p in SCAN_FACTS for p in spec.probes):
            # No scan ran: an error, since a missing fact is never a pass and not
            # scanning must not look compliant.
            return Result(Status.ERROR,
                          T("Not scanned: {reason}.", reason=job.why_not or T("no scan ran")),
                          source="attt network")
        return None

    return evaluate_bindings(bindings(job.profile), facts, job.system.name, job.name,
                             logger=log, where=job.system.name, decide=unscanned)


def run_job(job: NetworkJob) -> HostOutcome:
    """Scan, build the network facts and evaluate the network checks of one unit."""

    from .zones import zone_plan

    started = time.monotonic()
    values: dict[str, Any] = {F.ZONE_PLAN: zone_plan(job.system)}
    missing: dict[str, str | Msg] = {}
    state: HostState = "ok"
    message: str | Msg = T("not scanned: {reason}", reason=job.why_not) if job.why_not else ""
    if job.zone:
        try:
            plan = job.plan
            if plan is None:  # pragma: no cover - job.zone set means a plan is built
                raise InputError("--from-zone", job.zone, T("no scan plan"))

            # IPv4/IPv6 and TCP/UDP are separate nmap runs that mostly wait on timeouts, so
            # they run side by side.
            with ThreadPoolExecutor(max_workers=4, thread_name_prefix="attt-nmap") as pool:
                results = list(pool.map(
                    lambda c: run_nmap(list(c.targets), list(c.arguments), c.timeout),
                    plan.commands))
            values.update(scan_facts(plan, results))
            met, total, pct = score(values[F.IPV6])
            n_open = len(values[F.SCAN]["open"])
            message = (T("scanned {targets} targets from zone {zone}: {open} open services",
                         targets=len(plan.targets), zone=job.zone, open=n_open)
                       if pct is None else
                       T("scanned {targets} targets from zone {zone}: {open} open services; "
                         "IPv6 readiness {percent}% ({met}/{total})", targets=len(plan.targets),
                         zone=job.zone, open=n_open, percent=round(pct), met=met, total=total))
        except AtttError as exc:
            log.warning("%s: %s", job.name, exc)
            said = getattr(exc, "message", None)
            # The error's own message (a T from attt's code), else its text as data.
            problem: str | Msg = said if isinstance(said, Msg) else str(exc)
            state, message = "error", problem
            missing = dict.fromkeys(SCAN_FACTS, problem)
    findings = _evaluate(job, values, missing)
    return HostOutcome(job.host(), findings, state, message, 0, time.monotonic() - started)


def dry_run_lines(jobs: Sequence[NetworkJob]) -> list[str | Msg]:
    """What ``--dry-run`` prints for the network units: comment lines (messages, in the
    command's language) and the nmap commands (as they are)."""

    lines: list[str | Msg] = []
    for job in jobs:
        plan = job.plan
        if plan is None:
            lines.append(T("# {system}: not scanned: {reason}", system=job.system.name,
                           reason=job.why_not))
            continue
        lines.append(T("# {system}: from zone {zone} ({count} targets)",
                       system=job.system.name, zone=job.zone, count=len(plan.targets)))
        lines.extend(T("# note: {note}", note=n) for n in plan.notes)
        lines.extend(c.shell(os.path.basename(nmap_path())) for c in plan.commands)
    return lines
