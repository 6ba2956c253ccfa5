"""Plan the nmap scans of one system from one vantage zone.

Targets: every other zone's networks (swept when at most 256 addresses), its ``targets:`` and
its inventory hosts, plus the addresses of the public services.  Host names are resolved here
(through the vantage zone's resolver) so that nmap only ever receives validated IP addresses
and networks.  One nmap command per address family (nmap cannot mix IPv4 and IPv6 targets).
"""

from __future__ import annotations

import ipaddress
import os
import shlex
from dataclasses import dataclass, field
from importlib import resources

from ..errors import InputError
from ..messages import Msg, T
from ..model import System, VantagePoint
from ..targets import is_ip
from .dnsq import Resolver
from .services import DEFAULT_TCP, DEFAULT_UDP, ports_of
from .targets import MAX_TARGETS, addresses_in, check_target, network_of, sweepable

SCRIPTS = ("banner", "ssl-cert", "ssl-enum-ciphers", "smb-protocols", "http-title",
           "http-auth")


def communities_file() -> str:
    """Our own short list of default SNMP communities (not nmap's long brute-force list)."""

    return str(resources.files("attt.network").joinpath("snmp-communities.txt"))


@dataclass(frozen=True)
class Target:
    """One address or network to scan, with the zone and name it stands for."""

    address: str  # IP address or CIDR network, validated
    zone: str  # zone name, or "public" for a public service outside every zone
    name: str = ""  # the DNS name it came from (certificate name checks)
    service: str = ""  # public service name
    host: str = ""  # the inventory host at this address (messages name it)


@dataclass(frozen=True)
class NmapCommand:
    """One planned nmap run: address family, targets, arguments, timeout."""

    family: int
    targets: tuple[str, ...]
    arguments: tuple[str, ...]
    timeout: float

    def argv(self, nmap: str = "nmap") -> list[str]:
        """The command line as a list, in python-nmap's order."""

        # The same order python-nmap uses: nmap -oX - <targets> <arguments>.
        return [nmap, "-oX", "-", *self.targets, *self.arguments]

    def shell(self, nmap: str = "nmap") -> str:
        """The command line quoted for a shell (``--dry-run`` prints it)."""

        return shlex.join(self.argv(nmap))


@dataclass
class ScanPlan:
    """Everything one vantage zone scans for a system, and how."""

    system: System
    vantage: VantagePoint
    targets: list[Target]
    commands: list[NmapCommand]
    tcp_ports: list[int]
    udp_ports: list[int]
    udp: bool
    resolver: Resolver
    notes: list[Msg] = field(default_factory=list)

    def zone_of(self, address: str) -> str:
        """The zone an address belongs to (``public`` outside every zone)."""

        for t in self.targets:
            if t.address == address:
                return t.zone
        for z in self.system.zones:
            if addresses_in(address, z.networks):
                return z.name
        return "public"

    def name_of(self, address: str) -> str:
        """The DNS name an address was resolved from, or ""."""

        return next((t.name for t in self.targets if t.address == address and t.name), "")

    def host_of(self, address: str) -> str:
        """The inventory host at ``address`` ("" when none): a target's, or any host given
        by that address (inside a swept network, whatever its transport)."""

        return next((t.host for t in self.targets if t.address == address and t.host),
                    next((h.name for h in self.system.hosts if h.address == address), ""))


def vantage_for(system: System, zone: str) -> VantagePoint:
    """The system's vantage point in ``zone``; InputError naming the choices otherwise."""

    names = {z.name for z in system.zones}
    if zone not in names:
        raise InputError("--from-zone", zone,
                         T("system {system} has no zone {zone} (zones: {zones})",
                           system=repr(system.name), zone=repr(zone),
                           zones=sorted(names) or T("none")))
    for vp in system.vantage_points:
        if vp.zone == zone:
            return vp
    declared = [v.zone for v in system.vantage_points]
    raise InputError("--from-zone", zone,
                     T("zone {zone} of system {system} is not a declared vantage point "
                       "(vantage_points: {declared})", zone=repr(zone),
                       system=repr(system.name), declared=declared or T("none")))


def _port_list(system: System, vp: VantagePoint) -> tuple[list[int], list[int]]:
    ports = {("tcp", p) for p in DEFAULT_TCP} | {("udp", p) for p in DEFAULT_UDP}
    for rule in system.rules:
        ports |= ports_of(rule.services)
    ports |= ports_of(vp.ports)
    for svc in system.public_services:
        ports |= {("tcp", p) for p in svc.ports}
    tcp = sorted(p for proto, p in ports if proto == "tcp")
    udp = sorted(p for proto, p in ports if proto == "udp")
    return tcp, udp


def _add(out: list[Target], seen: set[str], t: Target) -> None:
    check_target(t.address, "inventory", t.zone)  # defence in depth: validated twice
    if t.address not in seen:
        seen.add(t.address)
        out.append(t)
        return
    # Scanned once, but what the later mention knows is kept: a public service on a zone
    # target's address keeps its published name (the certificate must match it), and an
    # inventory host its name.
    i = next(i for i, x in enumerate(out) if x.address == t.address)
    old = out[i]
    out[i] = Target(old.address, old.zone,
                    t.name if t.service and t.name else old.name or t.name,
                    old.service or t.service, old.host or t.host)


def build(system: System, zone: str, root: bool | None = None) -> ScanPlan:
    """Plan the scans of a system from one vantage zone (names resolved here)."""

    vp = vantage_for(system, zone)
    resolver = Resolver(vp.resolver)
    targets: list[Target] = []
    seen: set[str] = set()
    notes: list[Msg] = []

    def resolve(name: str, zone_name: str, service: str = "", host: str = "") -> None:
        if is_ip(name):
            _add(targets, seen, Target(name, zone_name, "", service, host))
            return
        a, aaaa = resolver.addresses(name)
        if not a and not aaaa:
            notes.append(T("{name}: no A or AAAA record; not scanned", name=name))
        for addr in a + aaaa:
            z = next((zz.name for zz in system.zones if addresses_in(addr, zz.networks)),
                     zone_name)
            _add(targets, seen, Target(addr, z, name, service, host))

    for z in system.zones:
        if z.name == zone:
            continue  # the rules are about flows between zones
        for net in z.networks:
            if sweepable(net):
                _add(targets, seen, Target(str(network_of(net)), z.name))
            else:
                notes.append(T("zone {zone}: network {network} has more than 256 addresses; "
                               "only its targets and hosts are scanned", zone=z.name,
                               network=str(net)))
        for t in z.targets:
            resolve(t, z.name)
        for h in system.hosts:
            if h.zone == z.name and h.transport in ("ssh", "winrm") and h.address:
                resolve(h.address, z.name, host=h.name)
    for svc in system.public_services:
        for name in svc.all_hosts:
            resolve(name, "public", svc.name)
    if len(targets) > MAX_TARGETS:
        raise InputError("inventory", system.name,
                         T("more than {count} scan targets", count=MAX_TARGETS))

    tcp, udp = _port_list(system, vp)
    is_root = os.geteuid() == 0 if root is None else root
    if not is_root:
        notes.append(T("not root: TCP connect scan and no UDP scan (tftp, SNMP not verified)"))
        udp = []
    commands = []
    nets = [network_of(t.address) for t in targets if "/" in t.address]
    # An address inside a swept network is scanned once (nmap would scan it twice); its
    # Target stays in the plan for its name and zone.
    unique = [t.address for t in targets if "/" in t.address or not any(
        ipaddress.ip_address(t.address) in n for n in nets
        if n.version == ipaddress.ip_address(t.address).version)]
    for fam in (4, 6):
        fam_targets = tuple(
            a for a in unique
            if (network_of(a).version if "/" in a else ipaddress.ip_address(a).version) == fam
        )
        if not fam_targets:
            continue
        # -Pn: zones behind a firewall drop pings, and a host that hides from discovery but
        # exposes a forbidden port is exactly what this scan looks for.
        common = ["-n", "-Pn", "-T4", "--max-retries", "1",
                  "--host-timeout", f"{vp.host_timeout}s", "--max-rate", str(vp.max_rate)]
        if fam == 6:
            common.insert(0, "-6")
        groups = max(1, len(fam_targets) // 64 + 1)
        timeout = vp.host_timeout * groups + 60
        tcp_args = [*common, "-sV", "--version-light", "--script", ",".join(SCRIPTS),
                    "--script-args", "banner.timeout=2s", "-sS" if is_root else "-sT",
                    "-p", "T:" + ",".join(map(str, tcp))]
        commands.append(NmapCommand(fam, fam_targets, tuple(tcp_args), timeout))
        if udp:
            # UDP apart and without -sV: version probes on every silent (open|filtered)
            # port of every address would outlast the host timeout, and nmap drops the
            # results of a host that times out.  nmap's protocol payloads and snmp-brute
            # (our short list of default communities) prove what answers.
            udp_args = [*common, "-sU", "--script", "snmp-brute", "--script-args",
                        f"snmp-brute.communitiesdb={communities_file()}",
                        "-p", "U:" + ",".join(map(str, udp))]
            commands.append(NmapCommand(fam, fam_targets, tuple(udp_args), timeout))
    return ScanPlan(system, vp, targets, commands, tcp, udp, bool(udp), resolver, notes)
