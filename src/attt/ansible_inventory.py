"""Ansible inventories (INI or YAML) read with ansible-core's own inventory API, each host's
variables mapped to an attt host entry.

Only ansible-core's ``yaml`` and ``ini`` inventory plugins are enabled while reading: the
``script`` plugin would run an executable file and ``auto`` could call a cloud API.
Variable precedence is Ansible's (``VariableManager``): host var, then child group, then
parent group, then ``all``; ``host_vars/`` and ``group_vars/`` beside the file count too.

Variables attt uses: ansible_host, ansible_port, ansible_user (and their ``ansible_ssh_*``
spellings), ansible_ssh_private_key_file / ansible_private_key_file, ansible_connection
(local, ssh, paramiko, smart, winrm), ansible_become (sudo), ansible_become_method (sudo only),
ansible_become_user (root only), ansible_ssh_timeout / ansible_timeout (connect timeout) and
ansible_host_key_checking (only true: false would loosen attt's rules); ``attt_options`` (a
mapping of attt host options) and ``attt_tags``.  Any other ``ansible_*`` variable is
reported, never silently dropped; a password variable is never read.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import safe_io
from .errors import InputError
from .messages import Msg, T
from .targets import valid_address
from .yamlio import MAX_BYTES

# The largest inventory file read (the bound of every YAML input).
MAX_INVENTORY_BYTES = MAX_BYTES

INSTALL_HINT = "pip install ansible-core"
CONNECTIONS = {"ssh": "ssh", "paramiko": "ssh", "paramiko_ssh": "ssh", "smart": "ssh",
               "local": "local", "winrm": "winrm"}
ALIASES = {
    "host": ("ansible_host", "ansible_ssh_host"),
    "port": ("ansible_port", "ansible_ssh_port"),
    "user": ("ansible_user", "ansible_ssh_user", "ansible_remote_user"),
    "key_file": ("ansible_ssh_private_key_file", "ansible_private_key_file"),
    "connection": ("ansible_connection",),
    "become": ("ansible_become",),
    "become_method": ("ansible_become_method",),
    "become_user": ("ansible_become_user",),
    "timeout": ("ansible_ssh_timeout", "ansible_timeout"),
    "host_key_checking": ("ansible_host_key_checking", "ansible_ssh_host_key_checking"),
}
USED = frozenset(v for names in ALIASES.values() for v in names)
ATTT_VARS = ("attt_options", "attt_tags")
_SECRET_WORDS = ("pass", "secret", "token")


@dataclass
class AnsibleHost:
    """One host of the inventory with its variables (Ansible's precedence applied)."""

    name: str
    variables: dict[str, Any]
    groups: tuple[str, ...]  # every group it is in, ancestors included, not "all"


@dataclass
class AnsibleInventory:
    """An Ansible inventory as attt needs it."""

    path: str
    hosts: list[AnsibleHost]
    groups: dict[str, tuple[str, ...]]  # group -> child groups
    top_groups: tuple[str, ...]  # the children of "all" ("ungrouped" left out)


@dataclass
class Issues:
    """Variables attt does not use, grouped by (variable, kind) over hosts."""

    seen: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def add(self, variable: str, kind: str, host: str) -> None:
        """Note that ``host`` has ``variable`` (kind: secret, value or unused)."""

        self.seen.setdefault((variable, kind), []).append(host)

    def messages(self, path: str) -> list[Msg]:
        """One note per variable and kind, naming the hosts."""

        out: list[Msg] = []
        for (variable, kind), hosts in sorted(self.seen.items()):
            shown = ", ".join(hosts[:5]) + (f" (+{len(hosts) - 5})" if len(hosts) > 5 else "")
            if kind == "secret":
                out.append(T("Ansible inventory {file}: variable {variable} holds a secret and "
                             "is never read by attt (hosts: {hosts}); give passwords through "
                             "password_env (an environment variable) or ssh-agent.",
                             file=path, variable=variable, hosts=shown))
            elif kind == "value":
                out.append(T("Ansible inventory {file}: the value of {variable} is not "
                             "supported by attt and is not applied (hosts: {hosts}).",
                             file=path, variable=variable, hosts=shown))
            else:
                out.append(T("Ansible inventory {file}: variable {variable} is not used by "
                             "attt (hosts: {hosts}).", file=path, variable=variable,
                             hosts=shown))
        return out


@contextlib.contextmanager
def _only_file_plugins() -> Iterator[Any]:
    """ansible-core's constants, with only the file plugins enabled and a file that does not
    parse an error (restored afterwards)."""

    try:
        import ansible.constants as const
    except ImportError:
        raise InputError("--inventory", "", T(
            "reading an Ansible inventory needs ansible-core: {command}",
            command=INSTALL_HINT)) from None
    saved = {k: getattr(const, k) for k in ("INVENTORY_ENABLED", "INVENTORY_UNPARSED_IS_FAILED",
                                            "INVENTORY_ANY_UNPARSED_IS_FAILED",
                                            "TRANSFORM_INVALID_GROUP_CHARS")}
    const.INVENTORY_ENABLED = ["yaml", "ini"]
    # Group names stay as written (the overlay names them; "may-web" is fine for attt), and
    # ansible-core prints no English-only warning about them at exit.
    const.TRANSFORM_INVALID_GROUP_CHARS = "ignore"
    const.INVENTORY_UNPARSED_IS_FAILED = True
    const.INVENTORY_ANY_UNPARSED_IS_FAILED = True
    try:
        yield const
    finally:
        for key, value in saved.items():
            setattr(const, key, value)


def read_ansible(path: str) -> AnsibleInventory:
    """Parse an Ansible inventory file with ansible-core (exit 2 with a clear message when
    ansible-core is missing or the file does not parse)."""

    if not os.path.isfile(path):
        raise InputError(path, "", T("no such file: {path}", path=path))
    # ansible-core opens the file itself: bounded like every YAML input attt reads.
    safe_io.check_regular(path, MAX_INVENTORY_BYTES, T("Ansible inventory"))
    with _only_file_plugins():
        from ansible.errors import AnsibleError
        from ansible.inventory.manager import InventoryManager
        from ansible.parsing.dataloader import DataLoader
        from ansible.vars.manager import VariableManager

        loader = DataLoader()
        try:
            manager = InventoryManager(loader=loader, sources=[path])
        except AnsibleError as exc:
            raise InputError(path, "", T("not an Ansible inventory attt can read: {problem}",
                                         problem=str(exc).splitlines()[0])) from None
        variables = VariableManager(loader=loader, inventory=manager)
        magic = set(variables.get_vars(include_hostvars=False))
        hosts = []
        for h in manager.get_hosts():
            found = variables.get_vars(host=h, include_hostvars=False)
            own = {str(k): _plain(v) for k, v in found.items()
                   if k not in magic and (str(k).startswith(("ansible_", "attt_")))}
            own.pop("ansible_facts", None)
            groups = tuple(g.name for g in h.get_groups() if g.name != "all")
            hosts.append(AnsibleHost(str(h.name), own, groups))
        groups_map = {str(n): tuple(c.name for c in g.child_groups)
                      for n, g in manager.groups.items()}
    tops = tuple(g for g in groups_map.get("all", ()) if g != "ungrouped")
    return AnsibleInventory(os.path.abspath(path), hosts, groups_map, tops)


def _plain(value: Any) -> Any:
    """ansible-core wraps strings (tagged values): plain Python types for attt."""

    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bool | int | float) or value is None:
        return value
    return str(value)


def _first(host: AnsibleHost, what: str) -> tuple[str, Any] | None:
    for name in ALIASES[what]:
        if name in host.variables and host.variables[name] is not None:
            return name, host.variables[name]
    return None


def _truth(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("yes", "true", "on", "1", "y", "t"):
        return True
    if text in ("no", "false", "off", "0", "n", "f"):
        return False
    return None


def host_entry(inv: AnsibleInventory, host: AnsibleHost, issues: Issues) -> dict[str, Any]:
    """The attt host entry (inventory YAML form) for one Ansible host; the variables attt
    does not use go to ``issues``.  Errors name the file, the host and the variable."""

    def fail(variable: str, problem: Msg) -> InputError:
        return InputError(inv.path, f"{host.name}.{variable}", problem)

    for name, value in host.variables.items():
        if isinstance(value, str) and "{{" in value:
            raise fail(name, T("a Jinja template: attt does not evaluate templates; give "
                               "the value itself"))
        if name in USED or name in ATTT_VARS:
            continue
        if any(word in name for word in _SECRET_WORDS):
            issues.add(name, "secret", host.name)
        elif name.startswith("ansible_"):
            issues.add(name, "unused", host.name)
    entry: dict[str, Any] = {"name": host.name}
    options: dict[str, Any] = {}
    conn = _first(host, "connection")
    transport = "ssh"
    if conn is not None:
        short = str(conn[1]).rsplit(".", 1)[-1]
        if short not in CONNECTIONS:
            raise fail(conn[0], T("connection {value} is not supported by attt (supported: "
                                  "{choices})", value=repr(conn[1]),
                                  choices=sorted(CONNECTIONS)))
        transport = CONNECTIONS[short]
    entry["transport"] = transport
    found = _first(host, "host")
    address = str(found[1]) if found else host.name
    if transport != "local":
        if not valid_address(address):
            raise fail(found[0] if found else "inventory_hostname", T(
                "not an IP address or host name: {value}", value=repr(address)))
        entry["address"] = address
        port = _first(host, "port")
        if port is not None:
            text = str(port[1])
            if not text.isdigit() or not 1 <= int(text) <= 65535:
                raise fail(port[0], T("expected an integer 1-65535, got {value}",
                                      value=repr(port[1])))
            entry["port"] = int(text)
        key = _first(host, "key_file")
        if key is not None:
            path = os.path.expanduser(str(key[1]))
            options["key_file"] = path if os.path.isabs(path) else os.path.normpath(
                os.path.join(os.path.dirname(inv.path), path))
    user = _first(host, "user")
    if user is not None:
        entry["user"] = str(user[1])
    timeout = _first(host, "timeout")
    if timeout is not None:
        text = str(timeout[1])
        if not text.isdigit() or int(text) <= 0:
            raise fail(timeout[0], T("expected a positive number of seconds, got {value}",
                                     value=repr(timeout[1])))
        options["connect_timeout"] = int(text)
    checking = _first(host, "host_key_checking")
    if checking is not None and _truth(checking[1]) is not True:
        # attt never loosens its host-key rules for an inventory's say-so.
        issues.add(checking[0], "value", host.name)
    _become(host, options, issues, fail)
    extra = host.variables.get("attt_options")
    if extra is not None:
        if not isinstance(extra, Mapping):
            raise fail("attt_options", T("expected a mapping of attt host options"))
        options = {**extra, **options}
    tags = host.variables.get("attt_tags")
    if tags is not None:
        entry["tags"] = [str(t) for t in tags] if isinstance(tags, list) else [str(tags)]
    if options:
        entry["options"] = options
    return entry


def _become(host: AnsibleHost, options: dict[str, Any], issues: Issues, fail: Any) -> None:
    """ansible_become -> attt's sudo; another method or user is reported, not applied."""

    become = _first(host, "become")
    if become is None:
        return
    value = _truth(become[1])
    if value is None:
        raise fail(become[0], T("expected true or false, got {value}", value=repr(become[1])))
    options["sudo"] = value
    method = _first(host, "become_method")
    if method is not None and str(method[1]).rsplit(".", 1)[-1] != "sudo":
        issues.add(method[0], "value", host.name)
    user = _first(host, "become_user")
    if user is not None and str(user[1]) != "root":
        issues.add(user[0], "value", host.name)
