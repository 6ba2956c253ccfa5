"""Run one planned nmap command through python-nmap and read its XML.

python-nmap runs ``nmap -oX - <targets> <arguments>`` and parses the XML into a dict, but
drops what the checks need (the service ``tunnel``, NSE structured output), so the XML it
keeps (``get_nmap_last_output``) is read here as well.  Library errors are translated into
``NmapError`` at this boundary; a missing binary names nmap and how to install it.
"""

from __future__ import annotations

import logging
import shlex
import shutil
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

from ..errors import AtttError, ExitStatus
from ..messages import T

log = logging.getLogger(__name__)

NMAP = "nmap"


class NmapMissing(AtttError):
    """The nmap binary is not installed: nothing can be scanned."""

    exit_status = ExitStatus.USAGE


class NmapError(AtttError):
    """nmap ran but failed (bad output, timeout); the scan's checks become errors."""

    exit_status = ExitStatus.INCOMPLETE


def nmap_path() -> str:
    """The nmap binary on PATH; NmapMissing says how to install it."""

    path = shutil.which(NMAP)
    if path is None:
        raise NmapMissing(
            "the nmap binary was not found on PATH: network checks need nmap "
            "(Debian/Ubuntu: apt-get install nmap; RHEL: dnf install nmap); "
            "or run with --no-network"
        )
    return path


@dataclass(frozen=True)
class Port:
    """One port of one address as nmap reported it, with script output."""

    address: str
    proto: str
    port: int
    state: str
    service: str = ""
    product: str = ""
    version: str = ""
    extrainfo: str = ""
    tunnel: str = ""
    scripts: dict[str, str] = field(default_factory=dict)  # id -> text output
    data: dict[str, Any] = field(default_factory=dict)  # id -> NSE structured output

    @property
    def banner(self) -> str:
        """The service banner, or product and version, cut to 300 characters."""

        text = self.scripts.get("banner", "")
        if text:
            return text.strip()[:300]
        return " ".join(x for x in (self.product, self.version, self.extrainfo) if x)[:300]


@dataclass(frozen=True)
class RunResult:
    """The outcome of one nmap run: ports, hosts up, time, command line."""

    ports: list[Port]
    hosts_up: list[str]
    seconds: float
    command: str
    warnings: list[str] = field(default_factory=list)


def _nse(el: ET.Element) -> Any:
    """NSE structured output: <elem key=..> and <table key=..>; keyless children -> list."""

    children = list(el)
    if not children:
        return el.text or ""
    if all(c.get("key") is None for c in children):
        return [_nse(c) for c in children]
    out: dict[str, Any] = {}
    for i, c in enumerate(children):
        out[c.get("key") or str(i)] = _nse(c)
    return out


def _port_numbers(spec: str) -> list[int]:
    out: list[int] = []
    for part in spec.split(","):
        lo, _, hi = part.strip().partition("-")
        if lo.isdigit() and (not hi or hi.isdigit()):
            out.extend(range(int(lo), int(hi or lo) + 1))
    return out


def _collapsed_closed(host: ET.Element, address: str) -> list[Port]:
    """Closed ports nmap folded into ``<extraports>`` (more than 25 in one state): a reset
    proves the flow reaches the host, so each one counts (nmap >= 7.80 lists them in
    ``extrareasons ports=``; older versions only count them)."""

    out: list[Port] = []
    for extra in host.iter("extraports"):
        if extra.get("state") != "closed":
            continue
        for why in extra.findall("extrareasons"):
            proto = why.get("proto") or "tcp"
            out.extend(Port(address, proto, n, "closed")
                       for n in _port_numbers(why.get("ports") or ""))
    return out


def parse_xml(xml: str) -> tuple[list[Port], list[str]]:
    """Ports and hosts up from nmap's XML output."""

    root = ET.fromstring(xml)
    ports: list[Port] = []
    up: list[str] = []
    for host in root.iter("host"):
        address = ""
        for a in host.findall("address"):
            if a.get("addrtype") in ("ipv4", "ipv6"):
                address = a.get("addr") or ""
        status = host.find("status")
        if status is not None and status.get("state") == "up":
            up.append(address)
        ports.extend(_collapsed_closed(host, address))
        for p in host.iter("port"):
            state_el = p.find("state")
            svc = p.find("service")
            scripts = {s.get("id") or "": (s.get("output") or "") for s in p.findall("script")}
            data = {s.get("id") or "": _nse(s) for s in p.findall("script")}
            ports.append(
                Port(
                    address=address,
                    proto=p.get("protocol") or "tcp",
                    port=int(p.get("portid") or 0),
                    state=state_el.get("state", "") if state_el is not None else "",
                    service=svc.get("name", "") if svc is not None else "",
                    product=svc.get("product", "") if svc is not None else "",
                    version=svc.get("version", "") if svc is not None else "",
                    extrainfo=svc.get("extrainfo", "") if svc is not None else "",
                    tunnel=svc.get("tunnel", "") if svc is not None else "",
                    scripts=scripts,
                    data=data,
                )
            )
    return ports, up


def run(targets: list[str], arguments: list[str], timeout: float) -> RunResult:
    """Scan ``targets`` (already validated IPs/networks) with ``arguments`` (built by
    attt.network.plan, never from a file)."""

    import nmap  # python-nmap; imported here so --no-network never needs it

    path = nmap_path()
    started = time.monotonic()
    command = shlex.join([path, "-oX", "-", *targets, *arguments])
    try:
        scanner = nmap.PortScanner(nmap_search_path=(path,))
        result = scanner.scan(
            hosts=" ".join(targets), ports=None, arguments=shlex.join(arguments),
            timeout=max(1, int(timeout)),
        )
        xml = scanner.get_nmap_last_output()
    except nmap.PortScannerTimeout:
        raise NmapError(T("nmap did not finish within {seconds} s: {command}",
                          seconds=int(timeout), command=command)) from None
    except nmap.PortScannerError as exc:
        raise NmapError(T("nmap failed: {error}", error=str(exc).strip()[:500])) from None
    if isinstance(xml, bytes):
        xml = xml.decode("utf-8", errors="replace")
    try:
        ports, up = parse_xml(xml)
    except ET.ParseError as exc:
        raise NmapError(T("unreadable nmap XML output: {error}", error=str(exc))) from None
    info = result.get("nmap", {}).get("scaninfo", {})
    warnings = [str(w).strip() for w in info.get("warning", [])] if isinstance(info, dict) else []
    if isinstance(info, dict) and info.get("error"):
        # nmap also writes per-target trouble to stderr and keeps scanning; the XML holds
        # what it did scan, so this is a warning, not a failure of the whole scan.
        for line in info["error"]:
            warnings.append(str(line).strip()[:300])
            log.warning("nmap: %s", str(line).strip()[:300])
    seconds = time.monotonic() - started
    log.info("nmap: %d open/filtered ports on %d hosts up in %.1f s", len(ports), len(up), seconds)
    return RunResult(ports, up, seconds, command, warnings)
