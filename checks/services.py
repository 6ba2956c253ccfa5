"""Insecure network services: telnet, r-services, plaintext FTP, TFTP, inetd, SNMP v1/v2c.

Live hosts are judged from what runs and listens (``ss -H -tulpn``, or ``netstat -tulpn``
where ss is missing), the process table, the package database and the units enabled at boot.
Offline trees are judged from the package database, the units enabled at boot and the
inetd/xinetd, FTP and SNMP configuration files.  A port alone only counts when the process
behind it is the service itself, a super-server (inetd, xinetd, systemd socket activation) or
unknown on a port that belongs to that service only: tcp/514 is also rsyslog's TCP input.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from attt.model import Result, Status
from attt.probes.packages import Packages
from attt.probes.processes import ProcessTable
from attt.probes.systemd import EnabledUnits
from attt.probes.text import glob_regex
from attt.registry import ScopedFacts, Section, check, probe

# ---------------------------------------------------------------------------- listening sockets


@dataclass(frozen=True)
class Listener:
    proto: str  # tcp | udp
    address: str
    port: int
    programs: tuple[str, ...]  # task names of the owning processes; empty when not shown

    def describe(self) -> str:
        who = ", ".join(self.programs) if self.programs else "process unknown"
        return f"{self.proto}/{self.port} on {self.address} ({who})"


@dataclass(frozen=True)
class Listeners:
    tool: str  # ss | netstat
    sockets: tuple[Listener, ...]
    owners_shown: bool  # at least one socket names its process (root sees them all)


def _split_addr(text: str) -> tuple[str, int]:
    addr, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"not an address:port: {text[:60]!r}")
    return addr.strip("[]").split("%")[0] or "*", int(port)


_SS_USERS = re.compile(r'\("([^"]+)",pid=\d+')


def _parse_ss(lines: list[str]) -> list[Listener]:
    out: list[Listener] = []
    for line in lines:
        if not line.strip() or line.startswith("Netid"):
            continue
        parts = line.split()
        if len(parts) < 6 or parts[0] not in ("tcp", "udp"):
            raise ValueError(f"not an ss line: {line[:60]!r}")
        if parts[0] == "tcp" and parts[1] != "LISTEN":
            continue
        addr, port = _split_addr(parts[4])
        programs = tuple(dict.fromkeys(_SS_USERS.findall(" ".join(parts[6:]))))
        out.append(Listener(parts[0], addr, port, programs))
    return out


def _parse_netstat(lines: list[str]) -> list[Listener]:
    out: list[Listener] = []
    for line in lines:
        parts = line.split()
        if not parts or parts[0] in ("Active", "Proto"):
            continue
        proto = parts[0].rstrip("6")
        if proto not in ("tcp", "udp") or len(parts) < 5:
            raise ValueError(f"not a netstat line: {line[:60]!r}")
        if proto == "tcp" and (len(parts) < 6 or parts[5] != "LISTEN"):
            continue
        addr, port = _split_addr(parts[3])
        owner = parts[-1] if "/" in parts[-1] else ""
        programs = (owner.split("/", 1)[1],) if owner else ()
        out.append(Listener(proto, addr, port, programs))
    return out


@probe(
    "listening_sockets",
    command=(
        "if command -v ss >/dev/null; then echo 'tool ss'; ss -H -tulpn 2>/dev/null || ss -tulpn; "
        "elif command -v netstat >/dev/null; then echo 'tool netstat'; netstat -tulpn; "
        "else exit 127; fi"
    ),
    description="listening TCP and UDP sockets with their processes (ss, or netstat)",
)
def parse_listening_sockets(section: Section) -> Listeners:
    lines = section.text.splitlines()
    if not lines or lines[0] not in ("tool ss", "tool netstat"):
        raise ValueError("socket listing without its 'tool' header")
    tool = lines[0].split()[1]
    sockets = _parse_ss(lines[1:]) if tool == "ss" else _parse_netstat(lines[1:])
    return Listeners(tool, tuple(sockets), any(s.programs for s in sockets))


# ---------------------------------------------------------------------------- inetd / xinetd

XINETD_MAIN = "/etc/xinetd.conf"
INETD_CONF = "/etc/inetd.conf"


@dataclass(frozen=True)
class InetdServices:
    files: tuple[str, ...]
    enabled: Mapping[str, str]  # service name -> where it is enabled
    disabled: tuple[str, ...]


def _xinetd_blocks(path: str, text: str) -> list[tuple[str, dict[str, str], int]]:
    blocks: list[tuple[str, dict[str, str], int]] = []
    name: str | None = None
    attrs: dict[str, str] = {}
    start = 0
    inside = False
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if not inside:
            if line.startswith(("service ", "defaults")):
                name = line.split(None, 1)[1].strip() if line.startswith("service ") else ""
                attrs, start = {}, lineno
            elif line == "{" and name is not None:
                inside = True
            elif line.startswith("includedir ") or line.startswith("include "):
                continue
            else:
                raise ValueError(f"{path}:{lineno}: not xinetd syntax: {line[:60]!r}")
            continue
        if line == "}":
            blocks.append((name or "", attrs, start))
            name, inside = None, False
            continue
        m = re.match(r"^(\w+)\s*([+-]?=)\s*(.*)$", line)
        if m is None:
            raise ValueError(f"{path}:{lineno}: not an xinetd attribute: {line[:60]!r}")
        attrs[m.group(1).lower()] = m.group(3).strip()
    if inside:
        raise ValueError(f"{path}: unterminated xinetd block")
    return blocks


@probe(
    "inetd_services",
    files=(XINETD_MAIN, "/etc/xinetd.d/*", INETD_CONF),
    description="services configured in xinetd and inetd",
)
def parse_inetd_services(section: Section) -> InetdServices:
    enabled: dict[str, str] = {}
    disabled: list[str] = []
    globally_disabled: set[str] = set()
    for path in sorted(section.files):
        text = section.files[path]
        if path == INETD_CONF:
            for lineno, raw in enumerate(text.splitlines(), 1):
                line = raw.strip()
                if not line or line.startswith("#"):
                    continue
                words = line.split()
                if len(words) < 6:
                    raise ValueError(f"{path}:{lineno}: not an inetd.conf entry: {line[:60]!r}")
                enabled.setdefault(words[0].split(":")[-1], f"{path}:{lineno}")
            continue
        if posixpath.basename(path).endswith(("~", ".dpkg-old", ".dpkg-dist", ".rpmsave",
                                              ".rpmnew")):
            continue  # xinetd skips backup files in includedir
        for name, attrs, lineno in _xinetd_blocks(path, text):
            if name == "":
                globally_disabled |= set(attrs.get("disabled", "").split())
                continue
            if attrs.get("disable", "no").lower() == "yes":
                disabled.append(name)
            else:
                enabled.setdefault(name, f"{path}:{lineno}")
    for name in globally_disabled & set(enabled):
        disabled.append(name)
        del enabled[name]
    return InetdServices(tuple(sorted(section.files)), enabled, tuple(sorted(disabled)))


# ---------------------------------------------------------------------------- daemon table

# Processes that listen on behalf of a service they start per connection.
LAUNCHERS = ("inetd", "xinetd", "systemd", "inetutils-inetd")
SUPER_SERVERS: tuple[tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...] = (
    ("xinetd", ("xinetd",), ("xinetd",), ("xinetd.service",)),
    ("openbsd-inetd", ("inetd",), ("openbsd-inetd",), ("inetd.service", "openbsd-inetd.service")),
    ("inetutils-inetd", ("inetutils-inetd", "inetd"), ("inetutils-inetd",),
     ("inetutils-inetd.service",)),
)


@dataclass(frozen=True)
class Daemon:
    label: str
    processes: tuple[str, ...]
    packages: tuple[str, ...]
    units: tuple[str, ...]
    ports: tuple[tuple[str, int], ...]
    inetd_names: tuple[str, ...] = ()
    # Ports another daemon commonly uses (tcp/514: rsyslog imtcp): only a matching process counts.
    shared_ports: tuple[tuple[str, int], ...] = field(default_factory=tuple)


TELNET = Daemon(
    "telnet server", ("in.telnetd", "telnetd", "utelnetd"),
    ("telnetd", "inetutils-telnetd", "telnetd-ssl", "telnet-server"),
    ("telnet.socket", "telnet@.service", "telnetd.service"), (("tcp", 23),), ("telnet",))
RSH = Daemon(
    "r-services (rsh/rlogin/rexec)",
    ("in.rshd", "rshd", "in.rlogind", "rlogind", "in.rexecd", "rexecd"),
    ("rsh-server", "rsh-redone-server", "rsh-server-rexec"),
    ("rsh.socket", "rlogin.socket", "rexec.socket", "rsh@.service", "rlogin@.service",
     "rexec@.service"),
    (("tcp", 512), ("tcp", 513), ("tcp", 514)), ("shell", "login", "exec", "rsh", "rlogin",
                                                 "rexec"),
    shared_ports=(("tcp", 514),))
TFTP = Daemon(
    "TFTP server", ("in.tftpd", "tftpd", "atftpd"),
    ("tftpd-hpa", "tftpd", "atftpd", "tftp-server"),
    ("tftpd-hpa.service", "tftp.socket", "tftp.service", "atftpd.service"),
    (("udp", 69),), ("tftp",))


@dataclass
class Presence:
    """Where a daemon shows up on the host."""

    running: list[str] = field(default_factory=list)
    listening: list[str] = field(default_factory=list)
    installed: list[str] = field(default_factory=list)
    enabled: list[str] = field(default_factory=list)
    inetd: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def any(self) -> bool:
        return bool(self.running or self.listening or self.installed or self.enabled
                    or self.inetd)

    def summary(self) -> str:
        parts = []
        if self.running:
            parts.append(f"running: {', '.join(self.running)}")
        if self.listening:
            parts.append(f"listening: {'; '.join(self.listening)}")
        if self.enabled:
            parts.append(f"enabled at boot: {', '.join(self.enabled)}")
        if self.inetd:
            parts.append(f"enabled in inetd/xinetd: {', '.join(self.inetd)}")
        if self.installed:
            parts.append(f"package installed: {', '.join(self.installed)}")
        return "; ".join(parts)

    def observed(self) -> dict[str, Any]:
        return {"running": self.running, "listening": self.listening,
                "enabled_at_boot": self.enabled, "inetd": self.inetd,
                "installed": self.installed, "notes": self.notes}


def _optional(facts: ScopedFacts, name: str, notes: list[str]) -> Any:
    if facts.has(name):
        return facts.get(name)
    sec = facts.section(name)
    reason = (sec.reason or sec.state) if sec is not None else "not collected"
    notes.append(f"{name} unavailable ({reason})")
    return None


def super_server_present(facts: ScopedFacts, notes: list[str]) -> list[str]:
    """Super-servers (xinetd, inetd) that are running (live) or installed/enabled (offline)."""

    units: EnabledUnits = facts.get("systemd_enabled")
    pkgs: Packages | None = _optional(facts, "packages", notes)
    procs: ProcessTable | None = facts.get("processes") if facts.mode == "live" else None
    found = []
    for label, proc_names, pkg_names, unit_names in SUPER_SERVERS:
        if procs is not None and procs.find(proc_names):
            found.append(f"{label} (running)")
        elif any(units.enabled(u) for u in unit_names):
            found.append(f"{label} (enabled at boot)")
        elif pkgs is not None and any(pkgs.version(p) is not None for p in pkg_names):
            found.append(f"{label} (installed)")
    return found


def presence(facts: ScopedFacts, d: Daemon) -> Presence:
    """Raises MissingFact when the facts that decide cannot be had."""

    p = Presence()
    units: EnabledUnits = facts.get("systemd_enabled")
    pkgs: Packages | None = _optional(facts, "packages", p.notes)
    if facts.mode == "live":
        procs: ProcessTable = facts.get("processes")
        p.running = procs.find(d.processes)
        socks: Listeners | None = _optional(facts, "listening_sockets", p.notes)
        if socks is None and pkgs is None:
            # Processes alone miss an inetd-launched daemon between connections.
            facts.get("listening_sockets")
        if socks is not None:
            for s in socks.sockets:
                if (s.proto, s.port) not in d.ports:
                    continue
                if s.programs:
                    if any(x in d.processes or x in LAUNCHERS for x in s.programs):
                        p.listening.append(s.describe())
                    else:
                        p.notes.append(f"{s.describe()} belongs to another program")
                elif (s.proto, s.port) not in d.shared_ports:
                    p.listening.append(s.describe())
                else:
                    p.notes.append(f"{s.describe()}: owner not shown, port shared with syslog")
    if pkgs is not None:
        p.installed = [f"{n} {pkgs.version(n)}" for n in d.packages if pkgs.version(n) is not None]
        if pkgs.manager == "none":
            p.notes.append(pkgs.source)
    p.enabled = [u for u in d.units if units.enabled(u)]
    inetd: InetdServices = facts.get("inetd_services")
    hits = [f"{n} ({inetd.enabled[n]})" for n in d.inetd_names if n in inetd.enabled]
    if hits:
        servers = super_server_present(facts, p.notes)
        if servers:
            p.inetd = hits
        else:
            p.notes.append(f"inetd entries {', '.join(hits)} ignored: no inetd/xinetd present")
    return p


def _no_evidence(facts: ScopedFacts) -> Result | None:
    """Offline trees with neither a readable package database nor systemd unit directories."""

    if facts.mode == "live":
        return None
    pkgs: Packages = facts.get("packages")
    units: EnabledUnits = facts.get("systemd_enabled")
    inetd: InetdServices = facts.get("inetd_services")
    if pkgs.manager == "none" and not units.systemd and not inetd.files:
        return Result(Status.ERROR, "The tree has no dpkg database, no systemd unit directories "
                      "and no inetd configuration: installed and enabled services cannot be "
                      "read.", observed={"packages": pkgs.source}, expected=None,
                      source="packages, systemd_enabled, inetd_services")
    return None


_DAEMON_PROBES = ("processes", "packages", "systemd_enabled", "listening_sockets",
                  "inetd_services")


def _absent(facts: ScopedFacts, d: Daemon) -> Result:
    err = _no_evidence(facts)
    if err:
        return err
    p = presence(facts, d)
    expected = f"no {d.label}: not installed, not enabled, not running or listening"
    source = ("processes, listening_sockets, packages, systemd_enabled, inetd_services"
              if facts.mode == "live" else "packages, systemd_enabled, inetd_services")
    if p.any():
        return Result(Status.FAIL, f"The {d.label} is present ({p.summary()}).",
                      observed=p.observed(), expected=expected, source=source)
    where = ("not running, not listening, not installed and not enabled at boot"
             if facts.mode == "live" else "not installed and not enabled at boot")
    note = f" ({'; '.join(p.notes)})" if p.notes else ""
    return Result(Status.PASS, f"No {d.label}: {where}{note}.", observed=p.observed(),
                  expected=expected, source=source)


_REMOVE_VI = (
    "Gỡ bỏ dịch vụ và dùng SSH thay thế: 'apt-get purge {deb}' (Debian/Ubuntu) hoặc "
    "'dnf remove {rpm}' (RHEL); nếu chưa gỡ được thì 'systemctl disable --now {unit}' và tắt "
    "mục tương ứng trong /etc/xinetd.d/ (disable = yes) hoặc /etc/inetd.conf. Kiểm tra lại bằng "
    "'ss -tulpn'."
)
_REMOVE_EN = (
    "Remove the service and use SSH instead: 'apt-get purge {deb}' (Debian/Ubuntu) or "
    "'dnf remove {rpm}' (RHEL); until it can be removed, 'systemctl disable --now {unit}' and "
    "disable its entry in /etc/xinetd.d/ (disable = yes) or /etc/inetd.conf. Verify with "
    "'ss -tulpn'."
)


@check(
    "services.telnet_absent",
    title_vi="Không cài đặt, không chạy dịch vụ Telnet",
    title_en="No telnet server is installed or running",
    severity="high",
    probes=_DAEMON_PROBES,
    remediation_vi=_REMOVE_VI.format(deb="telnetd inetutils-telnetd", rpm="telnet-server",
                                     unit="telnet.socket"),
    remediation_en=_REMOVE_EN.format(deb="telnetd inetutils-telnetd", rpm="telnet-server",
                                     unit="telnet.socket"),
)
def telnet_absent(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Telnet sends the administrator's user name, password and whole session in clear text;
    anyone on the path can capture them. Remote administration must use an encrypted protocol
    (SSH)."""

    return _absent(facts, TELNET)


@check(
    "services.rsh_absent",
    title_vi="Không cài đặt, không chạy các dịch vụ rsh, rlogin, rexec",
    title_en="No rsh, rlogin or rexec server is installed or running",
    severity="high",
    probes=_DAEMON_PROBES,
    remediation_vi=_REMOVE_VI.format(deb="rsh-server rsh-redone-server", rpm="rsh-server",
                                     unit="rsh.socket rlogin.socket rexec.socket"),
    remediation_en=_REMOVE_EN.format(deb="rsh-server rsh-redone-server", rpm="rsh-server",
                                     unit="rsh.socket rlogin.socket rexec.socket"),
)
def rsh_absent(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """The Berkeley r-services authenticate by source address and .rhosts files and carry
    passwords and sessions in clear text; they are trivially spoofed and must not run on a
    server."""

    return _absent(facts, RSH)


@check(
    "services.tftp_absent",
    title_vi="Không cài đặt, không chạy dịch vụ TFTP",
    title_en="No TFTP server is installed or running",
    severity="medium",
    probes=_DAEMON_PROBES,
    remediation_vi=_REMOVE_VI.format(deb="tftpd-hpa tftpd atftpd", rpm="tftp-server",
                                     unit="tftpd-hpa tftp.socket"),
    remediation_en=_REMOVE_EN.format(deb="tftpd-hpa tftpd atftpd", rpm="tftp-server",
                                     unit="tftpd-hpa tftp.socket"),
)
def tftp_absent(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """TFTP has no authentication and no encryption: anyone who can reach it reads (and often
    writes) the files it serves. Network-boot servers that need it belong in an isolated
    provisioning zone, with a waiver."""

    return _absent(facts, TFTP)


_DEFAULT_INSECURE = ("telnet", "shell", "login", "exec", "rsh", "rlogin", "rexec", "tftp", "ftp",
                     "chargen", "chargen-dgram", "chargen-stream", "daytime", "daytime-dgram",
                     "daytime-stream", "discard", "discard-dgram", "discard-stream", "echo",
                     "echo-dgram", "echo-stream", "time", "time-dgram", "time-stream", "talk",
                     "ntalk", "finger", "rsync")


@check(
    "services.xinetd_absent",
    title_vi="Không dùng xinetd/inetd để chạy dịch vụ không an toàn",
    title_en="No inetd/xinetd super-server runs insecure services",
    severity="medium",
    probes=_DAEMON_PROBES,
    params={"insecure_services": list(_DEFAULT_INSECURE)},
    remediation_vi=(
        "Gỡ bỏ super-server nếu không cần: 'apt-get purge xinetd openbsd-inetd "
        "inetutils-inetd' hoặc 'dnf remove xinetd'. Nếu bắt buộc giữ, đặt 'disable = yes' cho "
        "các dịch vụ không an toàn trong /etc/xinetd.d/ (hoặc chú thích dòng tương ứng trong "
        "/etc/inetd.conf) rồi 'systemctl restart xinetd'."
    ),
    remediation_en=(
        "Remove the super-server when nothing needs it: 'apt-get purge xinetd openbsd-inetd "
        "inetutils-inetd' or 'dnf remove xinetd'. If it must stay, set 'disable = yes' for the "
        "insecure services in /etc/xinetd.d/ (or comment their lines in /etc/inetd.conf) and "
        "run 'systemctl restart xinetd'."
    ),
)
def xinetd_absent(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """inetd and xinetd start legacy services (telnet, r-services, tftp, echo/chargen) on
    demand, so those services listen although no daemon of theirs appears in the process
    list; the super-server should be absent or serve no insecure service."""

    insecure = params.get("insecure_services") or []
    if not isinstance(insecure, Sequence) or isinstance(insecure, str) or not all(
            isinstance(s, str) for s in insecure):
        return Result(Status.ERROR, "The insecure_services parameter is not a list of names.",
                      observed=None, expected=None, source="params")
    err = _no_evidence(facts)
    if err:
        return err
    notes: list[str] = []
    servers = super_server_present(facts, notes)
    inetd: InetdServices = facts.get("inetd_services")
    bad = [f"{n} ({w})" for n, w in sorted(inetd.enabled.items()) if n in insecure]
    observed = {"super_servers": servers, "enabled_services": dict(inetd.enabled),
                "insecure_enabled": bad, "notes": notes}
    expected = "no inetd/xinetd, or none of its services insecure"
    source = "inetd_services, packages, systemd_enabled" + (
        ", processes" if facts.mode == "live" else "")
    if not servers:
        return Result(Status.PASS, "No inetd or xinetd super-server is installed, enabled or "
                      "running.", observed=observed, expected=expected, source=source)
    if bad:
        return Result(Status.FAIL, f"{', '.join(servers)} serves insecure services: "
                      f"{', '.join(bad)}.", observed=observed, expected=expected, source=source)
    others = ", ".join(sorted(inetd.enabled)) or "none"
    return Result(Status.PASS, f"{', '.join(servers)} is present but serves no insecure service "
                  f"(enabled services: {others}).", observed=observed, expected=expected,
                  source=source)


# ---------------------------------------------------------------------------- FTP

VSFTPD_FILES = ("/etc/vsftpd.conf", "/etc/vsftpd/vsftpd.conf")


@dataclass(frozen=True)
class FtpConfig:
    daemon: str
    path: str
    tls_required: bool
    detail: str
    anonymous: bool = False


def _vsftpd(path: str, text: str) -> FtpConfig:
    opts: dict[str, str] = {}
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not re.fullmatch(r"[a-z0-9_]+", key):
            raise ValueError(f"{path}:{lineno}: not a vsftpd option: {line[:60]!r}")
        opts[key] = value.strip().upper()
    ssl = opts.get("ssl_enable", "NO") == "YES"
    # vsftpd defaults: force_local_logins_ssl and force_local_data_ssl are YES once SSL is on.
    logins = opts.get("force_local_logins_ssl", "YES") == "YES"
    data = opts.get("force_local_data_ssl", "YES") == "YES"
    anon = opts.get("anonymous_enable", "NO") == "YES"
    detail = (f"ssl_enable={'YES' if ssl else 'NO'}, force_local_logins_ssl="
              f"{'YES' if logins else 'NO'}, force_local_data_ssl={'YES' if data else 'NO'}, "
              f"anonymous_enable={'YES' if anon else 'NO'}")
    return FtpConfig("vsftpd", path, ssl and logins, detail, anon)


def _proftpd(files: Mapping[str, str]) -> FtpConfig | None:
    mains = [p for p in ("/etc/proftpd/proftpd.conf", "/etc/proftpd.conf") if p in files]
    if not mains:
        return None
    order: list[str] = []

    def visit(path: str) -> None:
        if path in order:
            return
        order.append(path)
        for m in re.finditer(r"^\s*Include\s+(\S+)", files[path], re.MULTILINE | re.IGNORECASE):
            regex = glob_regex(m.group(1))
            for other in sorted(p for p in files if regex.fullmatch(p)):
                visit(other)

    visit(mains[0])
    engine = required = ""
    for path in order:
        for raw in files[path].splitlines():
            words = raw.split("#", 1)[0].split()
            if len(words) >= 2 and words[0].lower() == "tlsengine":
                engine = words[1].lower()
            elif len(words) >= 2 and words[0].lower() == "tlsrequired":
                required = words[1].lower()
    tls = engine == "on" and required in ("on", "ctrl", "auth", "auth+data", "ctrl+data",
                                          "both")
    return FtpConfig("proftpd", mains[0], tls, f"TLSEngine={engine or 'unset'}, "
                     f"TLSRequired={required or 'unset'} (files read: {', '.join(order)})")


def _pureftpd(files: Mapping[str, str]) -> FtpConfig | None:
    if "/etc/pure-ftpd/conf/TLS" in files:
        value = files["/etc/pure-ftpd/conf/TLS"].strip()
        return FtpConfig("pure-ftpd", "/etc/pure-ftpd/conf/TLS", value in ("2", "3"),
                         f"TLS={value or 'empty'}")
    if "/etc/pure-ftpd/pure-ftpd.conf" in files:
        m = re.search(r"^\s*TLS\s+(\d)", files["/etc/pure-ftpd/pure-ftpd.conf"], re.MULTILINE)
        value = m.group(1) if m else ""
        return FtpConfig("pure-ftpd", "/etc/pure-ftpd/pure-ftpd.conf", value in ("2", "3"),
                         f"TLS={value or 'unset (0)'}")
    return None


@probe(
    "ftp_conf",
    files=(*VSFTPD_FILES, "/etc/proftpd/proftpd.conf", "/etc/proftpd.conf",
           "/etc/proftpd/*.conf", "/etc/proftpd/conf.d/*.conf", "/etc/pure-ftpd/conf/TLS",
           "/etc/pure-ftpd/pure-ftpd.conf"),
    description="FTP server TLS settings (vsftpd, proftpd, pure-ftpd)",
)
def parse_ftp_conf(section: Section) -> dict[str, FtpConfig]:
    out: dict[str, FtpConfig] = {}
    for path in VSFTPD_FILES:
        if path in section.files:
            out["vsftpd"] = _vsftpd(path, section.files[path])
            break
    pro = _proftpd(section.files)
    if pro:
        out["proftpd"] = pro
    pure = _pureftpd(section.files)
    if pure:
        out["pure-ftpd"] = pure
    return out


FTP_DAEMONS = (
    Daemon("vsftpd", ("vsftpd",), ("vsftpd",), ("vsftpd.service",), (("tcp", 21),)),
    Daemon("proftpd", ("proftpd",), ("proftpd-basic", "proftpd-core", "proftpd"),
           ("proftpd.service",), (("tcp", 21),)),
    Daemon("pure-ftpd", ("pure-ftpd",), ("pure-ftpd", "pure-ftpd-mysql", "pure-ftpd-ldap",
           "pure-ftpd-postgresql"), ("pure-ftpd.service", "pure-ftpd-mysql.service",
           "pure-ftpd-ldap.service", "pure-ftpd-postgresql.service"), (("tcp", 21),)),
    # BSD/inetutils ftpd has no TLS at all.
    Daemon("ftpd", ("ftpd", "in.ftpd"), ("ftpd", "inetutils-ftpd"), (), (("tcp", 21),),
           ("ftp",)),
)


@check(
    "services.ftp_plaintext_absent",
    title_vi="Không có dịch vụ FTP truyền mật khẩu dạng rõ (bắt buộc TLS)",
    title_en="No FTP server accepts logins without TLS",
    severity="high",
    probes=(*_DAEMON_PROBES, "ftp_conf"),
    remediation_vi=(
        "Ưu tiên thay FTP bằng SFTP (OpenSSH). Nếu phải dùng FTP: với vsftpd đặt 'ssl_enable=YES', "
        "'force_local_logins_ssl=YES', 'force_local_data_ssl=YES', 'anonymous_enable=NO' và "
        "rsa_cert_file/rsa_private_key_file trong /etc/vsftpd.conf; với proftpd bật "
        "'TLSEngine on' và 'TLSRequired on' (mod_tls); với pure-ftpd ghi '2' vào "
        "/etc/pure-ftpd/conf/TLS. Khởi động lại dịch vụ; gỡ ftpd/inetutils-ftpd."
    ),
    remediation_en=(
        "Prefer SFTP (OpenSSH) to FTP. Where FTP must stay: for vsftpd set 'ssl_enable=YES', "
        "'force_local_logins_ssl=YES', 'force_local_data_ssl=YES', 'anonymous_enable=NO' and "
        "rsa_cert_file/rsa_private_key_file in /etc/vsftpd.conf; for proftpd 'TLSEngine on' and "
        "'TLSRequired on' (mod_tls); for pure-ftpd write '2' to /etc/pure-ftpd/conf/TLS. "
        "Restart the service; remove ftpd/inetutils-ftpd."
    ),
)
def ftp_plaintext_absent(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Plain FTP sends user names and passwords in clear text, and anonymous FTP hands files to
    anyone; an FTP server that stays in service must require TLS for logins."""

    err = _no_evidence(facts)
    if err:
        return err
    confs: dict[str, FtpConfig] = facts.get("ftp_conf")
    bad: list[str] = []
    good: list[str] = []
    idle: list[str] = []
    notes: list[str] = []
    for d in FTP_DAEMONS:
        p = presence(facts, d)
        notes += [n for n in p.notes if n not in notes]
        active = p.running or p.listening or p.enabled or p.inetd
        if not active and not (d.label == "ftpd" and p.installed):
            if p.installed:
                idle.append(f"{d.label} ({', '.join(p.installed)}, not "
                            f"{'running' if facts.mode == 'live' else 'enabled at boot'})")
            continue
        what = p.summary()
        conf = confs.get(d.label)
        if d.label == "ftpd":
            bad.append(f"{d.label} ({what}; no TLS support)")
        elif conf is None:
            bad.append(f"{d.label} ({what}; no configuration found, so no TLS)")
        elif not conf.tls_required:
            bad.append(f"{d.label} ({what}; {conf.path}: {conf.detail})")
        elif conf.anonymous:
            bad.append(f"{d.label} ({what}; anonymous FTP enabled in {conf.path})")
        else:
            good.append(f"{d.label} ({conf.path}: {conf.detail})")
    observed = {"plaintext": bad, "tls_required": good, "installed_inactive": idle,
                "notes": notes}
    expected = "no FTP server active, or every active one requires TLS for logins"
    source = "ftp_conf, " + ", ".join(_DAEMON_PROBES if facts.mode == "live"
                                      else ("packages", "systemd_enabled", "inetd_services"))
    if bad:
        return Result(Status.FAIL, f"FTP accepts logins without TLS: {'; '.join(bad)}.",
                      observed=observed, expected=expected, source=source)
    if good:
        return Result(Status.PASS, f"Every active FTP server requires TLS: {'; '.join(good)}.",
                      observed=observed, expected=expected, source=source)
    extra = f" (installed but inactive: {'; '.join(idle)})" if idle else ""
    return Result(Status.PASS, f"No FTP server is active{extra}.", observed=observed,
                  expected=expected, source=source)


# ---------------------------------------------------------------------------- SNMP

SNMPD_FILES = ("/etc/snmp/snmpd.conf", "/etc/snmp/snmpd.conf.d/*.conf",
               "/etc/snmp/snmpd.local.conf")
_COMMUNITY = ("rocommunity", "rwcommunity", "rocommunity6", "rwcommunity6")
_COM2SEC = ("com2sec", "com2sec6", "com2secunix")
_V3 = ("rouser", "rwuser", "createuser", "authuser")
_DEFAULT_COMMUNITIES = ("public", "private")


@dataclass(frozen=True)
class SnmpConfig:
    present: bool
    # (directive, community, where); community values other than the well-known defaults are
    # masked where they are shown, since they are shared secrets.
    communities: tuple[tuple[str, str, str], ...]
    v3_users: tuple[str, ...]

    def shown(self) -> list[str]:
        out = []
        for directive, community, where in self.communities:
            value = community if community.lower() in _DEFAULT_COMMUNITIES else "<masked>"
            out.append(f"{directive} {value} ({where})")
        return out

    def defaults(self) -> list[str]:
        return [c for _, c, _ in self.communities if c.lower() in _DEFAULT_COMMUNITIES]


def _words(path: str, lineno: int, line: str) -> list[str]:
    try:
        return shlex.split(line, comments=True)
    except ValueError as exc:
        raise ValueError(f"{path}:{lineno}: {exc}") from None


def _operands(words: list[str]) -> list[str]:
    """The positional operands, without option flags (-V VIEW, -Cn CONTEXT, -s MODEL)."""

    out: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        if w in ("-V", "-Cn", "-s"):
            i += 2
            continue
        if w.startswith("-") and not out:
            i += 1
            continue
        out.append(w)
        i += 1
    return out


@probe("snmpd_conf", files=SNMPD_FILES, description="net-snmp agent access configuration")
def parse_snmpd_conf(section: Section) -> SnmpConfig:
    communities: list[tuple[str, str, str]] = []
    users: list[str] = []
    for path in sorted(section.files, key=lambda p: (p != "/etc/snmp/snmpd.conf", p)):
        for lineno, raw in enumerate(section.files[path].splitlines(), 1):
            if not raw.strip() or raw.lstrip().startswith("#"):
                continue
            words = _words(path, lineno, raw)
            if not words:
                continue
            key = words[0].lower()
            where = f"{path}:{lineno}"
            if key in _COMMUNITY:
                ops = _operands(words[1:])
                if not ops:
                    raise ValueError(f"{where}: {key} without a community")
                communities.append((key, ops[0], where))
            elif key in _COM2SEC:
                ops = _operands(words[1:])
                if len(ops) < 3:
                    raise ValueError(f"{where}: {key} needs NAME SOURCE COMMUNITY")
                communities.append((key, ops[2], where))
            elif key in _V3 and len(words) > 1:
                ops = [w for w in words[1:] if not w.startswith("-")]
                users.append(f"{key} {ops[0] if ops else '?'} ({where})")
    return SnmpConfig(bool(section.files), tuple(communities), tuple(users))


SNMPD = Daemon("snmpd", ("snmpd",), ("snmpd", "net-snmp"), ("snmpd.service",),
               (("udp", 161), ("tcp", 161)))


@check(
    "services.snmp_v1v2c_public_absent",
    title_vi="SNMP không dùng v1/v2c với community (đặc biệt public/private)",
    title_en="SNMP agent offers no v1/v2c community access (notably public/private)",
    severity="high",
    probes=(*_DAEMON_PROBES, "snmpd_conf"),
    remediation_vi=(
        "Trong /etc/snmp/snmpd.conf (và /etc/snmp/snmpd.conf.d/) xóa hoặc chú thích các dòng "
        "rocommunity/rwcommunity/com2sec, dùng SNMPv3 với xác thực và mã hóa: 'net-snmp-create-"
        "v3-user -ro -a SHA-256 -x AES <tên>' (dừng snmpd trước) rồi 'rouser <tên> priv'; khởi "
        "động lại 'systemctl restart snmpd'. Nếu không cần SNMP: 'systemctl disable --now snmpd'."
    ),
    remediation_en=(
        "In /etc/snmp/snmpd.conf (and /etc/snmp/snmpd.conf.d/) remove or comment the "
        "rocommunity/rwcommunity/com2sec lines and use SNMPv3 with authentication and privacy: "
        "'net-snmp-create-v3-user -ro -a SHA-256 -x AES <name>' (with snmpd stopped), then "
        "'rouser <name> priv'; restart with 'systemctl restart snmpd'. If SNMP is not needed, "
        "'systemctl disable --now snmpd'."
    ),
)
def snmp_v1v2c_absent(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """SNMP v1 and v2c authenticate with a community string sent in clear text; the default
    'public'/'private' communities are the first thing attackers try and expose the system's
    configuration (or let it be changed). Only SNMPv3 with authentication and privacy is
    acceptable."""

    err = _no_evidence(facts)
    if err:
        return err
    p = presence(facts, SNMPD)
    conf: SnmpConfig = facts.get("snmpd_conf")
    active = p.running or p.listening or p.enabled
    state = p.summary() or "not present"
    observed = {"snmpd": p.observed(), "communities": conf.shown(),
                "v3_users": list(conf.v3_users)}
    expected = "snmpd not running, or SNMPv3 only (no community access)"
    source = "snmpd_conf, " + ("processes, listening_sockets, systemd_enabled" if facts.mode
                               == "live" else "systemd_enabled, packages")
    if not active:
        extra = (f"; its configuration still has {len(conf.communities)} v1/v2c "
                 "community line(s)" if conf.communities else "")
        return Result(Status.PASS, f"The SNMP agent is not "
                      f"{'running or enabled' if facts.mode == 'live' else 'enabled at boot'} "
                      f"({state}{extra}).", observed=observed, expected=expected, source=source)
    if not conf.present:
        return Result(Status.ERROR, f"snmpd is active ({state}) but no /etc/snmp/snmpd.conf was "
                      "read: its access configuration cannot be checked.", observed=observed,
                      expected=expected, source=source)
    if conf.communities:
        defaults = conf.defaults()
        what = (f"default communit{'y' if len(set(defaults)) == 1 else 'ies'} "
                f"{', '.join(sorted(set(defaults)))}" if defaults else "v1/v2c communities")
        return Result(Status.FAIL, f"snmpd is active ({state}) and grants {what}: "
                      f"{'; '.join(conf.shown())}.", observed=observed, expected=expected,
                      source=source)
    v3 = f"; SNMPv3 users: {', '.join(conf.v3_users)}" if conf.v3_users else ""
    return Result(Status.PASS, f"snmpd is active ({state}) with no v1/v2c community{v3}.",
                  observed=observed, expected=expected, source=source)
