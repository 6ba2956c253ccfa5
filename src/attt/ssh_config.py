"""OpenSSH client configuration (``~/.ssh/config``, ``--ssh-config FILE``) applied to the ssh
hosts of an inventory through paramiko's ``SSHConfig``.

Honoured: HostName, User, Port, IdentityFile, ProxyJump, ConnectTimeout, UserKnownHostsFile
and StrictHostKeyChecking.  A host is looked up by its inventory address (what one would
type after ``ssh``), and every hop of a ProxyJump chain by its own name.  What the inventory
gives explicitly wins; ssh_config fills the rest; attt's defaults come last.  Each host keeps
where each setting came from (``Host.connection``) for the report.

StrictHostKeyChecking may only tighten attt's rule (unknown host keys refused unless
``--accept-new-host-keys``): ``yes`` refuses unknown keys even with that flag; ``no``,
``accept-new``, ``ask`` and ``off`` change nothing and the report says so.
"""

from __future__ import annotations

import getpass
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import paramiko

from . import safe_io
from .errors import InputError
from .messages import Msg, T
from .model import Host, Inventory, System
from .targets import valid_address

DEFAULT_CONFIG = "~/.ssh/config"
NO_CONFIG = "none"
MAX_CONFIG_BYTES = 4 * 1024 * 1024
LOOSENING = ("no", "off", "accept-new", "ask")
_HOP = re.compile(r"^(?:(?P<user>[^@]+)@)?(?P<host>\[[^\]]+\]|[^:]+)(?::(?P<port>\d+))?$")


def config_path(spec: str) -> str:
    """The ssh_config file to read: ``--ssh-config`` as given, ``none`` for no file, and by
    default ``~/.ssh/config`` when it exists ("" = none)."""

    if spec == NO_CONFIG:
        return ""
    if spec:
        path = os.path.abspath(os.path.expanduser(spec))
        if not os.path.isfile(path):
            raise InputError("--ssh-config", spec, T("no such file: {path}", path=path))
        return path
    default = os.path.expanduser(DEFAULT_CONFIG)
    return default if os.path.isfile(default) else ""


@dataclass
class _Block:
    """One ``Host``/``Match`` section of the file (or the lines before the first)."""

    header: str  # "" for the global lines, else its "Host PATTERNS" / "Match ..." line
    kind: str = ""  # "", "host" or "match"
    lines: dict[str, int] = field(default_factory=dict)  # keyword -> first line
    _probe: paramiko.SSHConfig | None = None

    def matches(self, name: str) -> bool:
        """Whether this ``Host`` section applies to ``name`` (paramiko's own matching)."""

        if self._probe is None:
            self._probe = paramiko.SSHConfig.from_text(f"{self.header}\natttprobe x\n")
        return "atttprobe" in self._probe.lookup(name)


class SshConfig:
    """A parsed ssh_config file that answers lookups with the FILE:LINE of each value."""

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            safe_io.check_regular(path, MAX_CONFIG_BYTES, T("ssh_config file"))
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
            self.config = paramiko.SSHConfig.from_text(text)
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(path, "", T("cannot read: {problem}",
                                         problem=getattr(exc, "strerror", None) or str(exc))
                             ) from None
        except paramiko.ssh_exception.ConfigParseError as exc:
            raise InputError(path, "", T("not an OpenSSH client configuration: {problem}",
                                         problem=str(exc))) from None
        self.blocks = _blocks(text)
        self.includes = [b.lines["include"] for b in self.blocks if "include" in b.lines]
        self._cache: dict[str, paramiko.SSHConfigDict] = {}

    def lookup(self, name: str) -> paramiko.SSHConfigDict:
        """The options for ``name`` (first value wins, as OpenSSH)."""

        if name not in self._cache:
            try:
                self._cache[name] = self.config.lookup(name)
            except Exception as exc:  # Match exec without invoke, bad tokens ...
                raise InputError(self.path, "", T(
                    "cannot evaluate the configuration for host {host}: {problem}",
                    host=name, problem=str(exc) or type(exc).__name__)) from None
        return self._cache[name]

    def where(self, keyword: str, name: str) -> str | None:
        """``FILE:LINE`` of the value of ``keyword`` for ``name``; ``FILE`` when a Match
        section could have set it; None when the file does not set it for this host."""

        for block in self.blocks:
            line = block.lines.get(keyword)
            if line is None:
                continue
            if not block.header:
                return f"{self.path}:{line}"
            if block.kind == "match":
                return self.path
            if block.matches(name):
                return f"{self.path}:{line}"
        return None


def _blocks(text: str) -> list[_Block]:
    blocks = [_Block("")]
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        keyword = re.split(r"[\s=]", line, maxsplit=1)[0].lower()
        if keyword in ("host", "match"):
            blocks.append(_Block(line, keyword))
        else:
            blocks[-1].lines.setdefault(keyword, number)
    return blocks


@dataclass
class _Notes:
    """What applying the file noticed, grouped so one line covers many hosts."""

    loosening: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    proxy_command: list[str] = field(default_factory=list)

    def messages(self, cfg: SshConfig) -> list[Msg]:
        out: list[Msg] = []
        for (value, source), hosts in sorted(self.loosening.items()):
            out.append(T("ssh_config ({source}) sets StrictHostKeyChecking {value} for "
                         "{hosts}: not applied; attt never loosens its host-key rules (unknown "
                         "keys are refused unless --accept-new-host-keys).", source=source,
                         value=value, hosts=_names(hosts)))
        if self.proxy_command:
            out.append(T("ssh_config ({file}) sets ProxyCommand for {hosts}: not supported "
                         "(attt runs no local command); use ProxyJump.", file=cfg.path,
                         hosts=_names(self.proxy_command)))
        for line in cfg.includes:
            out.append(T("ssh_config ({file}:{line}): Include is not followed; settings in "
                         "the included files are not applied.", file=cfg.path, line=line))
        return out


def _names(hosts: list[str]) -> str:
    shown = ", ".join(hosts[:5])
    return shown if len(hosts) <= 5 else f"{shown} (+{len(hosts) - 5})"


def apply_ssh_config(inv: Inventory, spec: str) -> Inventory:
    """The inventory with ssh_config applied to its ssh hosts and every host's connection
    provenance filled in; notes for what is not applied."""

    path = config_path(spec)
    cfg = SshConfig(path) if path else None
    notes = _Notes()
    systems: list[System] = []
    for system in inv.systems:
        hosts = tuple(_resolve(h, cfg, inv, notes) if h.transport == "ssh" else h
                      for h in system.hosts)
        systems.append(replace(system, hosts=hosts))
    extra = tuple(notes.messages(cfg)) if cfg is not None else ()
    return replace(inv, systems=tuple(systems), notes=inv.notes + extra)


def _setting(value: Any, source: str) -> dict[str, Any]:
    return {"value": value, "source": source}


def _resolve(host: Host, cfg: SshConfig | None, inv: Inventory, notes: _Notes) -> Host:
    given: Mapping[str, Any] = host.connection
    conn: dict[str, Any] = dict(given)
    options = dict(host.options)
    alias = host.address
    found = cfg.lookup(alias) if cfg is not None else {}

    def from_cfg(keyword: str) -> str | None:
        return cfg.where(keyword, alias) if cfg is not None and keyword in found else None

    address = host.address
    where = from_cfg("hostname")
    if where:
        address = str(found["hostname"])
        if not valid_address(address):
            raise InputError(where, "HostName", T(
                "not an IP address or host name: {value}", value=repr(address)))
        conn["hostname"] = _setting(address, f"ssh_config {where}")
    port = host.port
    if "port" not in given:
        where = from_cfg("port")
        if where:
            port = _port(found["port"], where)
            conn["port"] = _setting(port, f"ssh_config {where}")
        else:
            conn["port"] = _setting(port, "default")
    user = host.user
    if "user" not in given:
        where = from_cfg("user")
        if where:
            user = str(found["user"])
            conn["user"] = _setting(user, f"ssh_config {where}")
        else:
            conn["user"] = _setting(user or getpass.getuser(), "default")
    if "identity_file" not in given:
        where = from_cfg("identityfile")
        if where:
            options["key_file"] = _first_file(found["identityfile"])
            conn["identity_file"] = _setting(options["key_file"], f"ssh_config {where}")
    if "proxy_jump" not in given:
        where = from_cfg("proxyjump")
        if cfg is not None and where and str(found["proxyjump"]).lower() != "none":
            chain, keys = _jump_chain(str(found["proxyjump"]), cfg, where)
            options["jump"] = chain
            options["jump_key_files"] = keys
            conn["proxy_jump"] = _setting(chain, f"ssh_config {where}")
    elif cfg is not None:
        chain, keys = _jump_chain(str(options["jump"]), cfg, "")
        options["jump"], options["jump_key_files"] = chain, keys
    if "connect_timeout" not in given:
        where = from_cfg("connecttimeout")
        if where:
            options["connect_timeout"] = _seconds(found["connecttimeout"], where)
            conn["connect_timeout"] = _setting(options["connect_timeout"], f"ssh_config {where}")
    _host_keys(found, from_cfg, inv, options, conn, notes, host.key)
    if cfg is not None and from_cfg("proxycommand") and found["proxycommand"] is not None:
        notes.proxy_command.append(host.key)
    return replace(host, address=address, port=port, user=user, options=options,
                   connection=conn)


def _host_keys(found: Mapping[str, Any], from_cfg: Any, inv: Inventory,
               options: dict[str, Any], conn: dict[str, Any], notes: _Notes,
               key: str) -> None:
    """UserKnownHostsFile (unless the inventory names its known_hosts file) and
    StrictHostKeyChecking (only ``yes`` is applied: it tightens)."""

    where = from_cfg("userknownhostsfile")
    if inv.known_hosts:
        conn["known_hosts"] = _setting([inv.known_hosts], "inventory")
    elif where:
        files = [os.path.expanduser(f) for f in str(found["userknownhostsfile"]).split()]
        options["known_hosts_files"] = files
        conn["known_hosts"] = _setting(files, f"ssh_config {where}")
    else:
        conn["known_hosts"] = _setting(["/etc/ssh/ssh_known_hosts", "~/.ssh/known_hosts"],
                                       "default")
    where = from_cfg("stricthostkeychecking")
    value = str(found.get("stricthostkeychecking", "")).lower()
    if where and value == "yes":
        options["strict_host_key_checking"] = where
        conn["strict_host_key_checking"] = _setting("yes", f"ssh_config {where}")
    elif where and value in LOOSENING:
        notes.loosening.setdefault((value, where), []).append(key)
        conn["strict_host_key_checking"] = {**_setting(value, f"ssh_config {where}"),
                                            "applied": False}


def _port(value: Any, where: str) -> int:
    text = str(value)
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise InputError(where, "Port", T("expected an integer 1-65535, got {value}",
                                          value=repr(text)))
    return int(text)


def _seconds(value: Any, where: str) -> float:
    text = str(value)
    if not text.isdigit() or int(text) <= 0:
        raise InputError(where, "ConnectTimeout", T(
            "expected a positive number of seconds, got {value}", value=repr(text)))
    return float(text)


def _first_file(files: Any) -> str:
    """OpenSSH tries every IdentityFile; attt uses the first that exists (else the first)."""

    paths = [os.path.expanduser(str(f)) for f in (files if isinstance(files, list) else [files])]
    return next((p for p in paths if os.path.isfile(p)), paths[0])


def _jump_chain(spec: str, cfg: SshConfig, where: str) -> tuple[str, list[str]]:
    """``a,b`` with each hop resolved through the file (its HostName, Port, User and
    IdentityFile, unless the hop names them): ``user@addr:port,...`` and hop key files."""

    hops: list[str] = []
    keys: list[str] = []
    for hop in spec.split(","):
        m = _HOP.match(hop.strip())
        if m is None:
            raise InputError(where or cfg.path, "ProxyJump", T(
                "not a valid jump host: {value}", value=repr(hop)))
        name = m["host"].strip("[]")
        found = cfg.lookup(name)
        address = str(found.get("hostname", name))
        port = m["port"] or (str(found["port"]) if "port" in found else "")
        user = m["user"] or str(found.get("user", ""))
        text = f"[{address}]" if ":" in address else address
        hops.append(f"{user + '@' if user else ''}{text}{':' + port if port else ''}")
        keys.append(_first_file(found["identityfile"]) if "identityfile" in found else "")
    return ",".join(hops), keys
