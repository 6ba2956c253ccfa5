"""Mandatory access control state: AppArmor and SELinux, live and at boot.

Live, the ``mac_status`` probe reads the kernel's own view: /sys/module/apparmor/parameters/
enabled and /sys/kernel/security/apparmor/profiles (what ``aa-status`` reads; root only), and
/sys/fs/selinux/enforce (what ``getenforce`` reads) plus /etc/selinux/config, so a runtime
'setenforce 1' that the next boot undoes is reported.  Offline, SELinux is judged from
/etc/selinux/config, and AppArmor from the apparmor service being enabled at boot and the
profiles in /etc/apparmor.d that are neither disabled nor in complain mode.  Kernel command
line switches (apparmor=0, selinux=0) are not read offline.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from attt.messages import T
from attt.registry import FactParseError, Section, probe

SELINUX_CONFIG = "/etc/selinux/config"
AA_DIR = "/etc/apparmor.d"
MAC_MODES = ("enforce", "complain", "kill", "unconfined", "prompt", "user")


@probe(
    "mac_status",
    command=(
        "a=/sys/module/apparmor/parameters/enabled; p=/sys/kernel/security/apparmor/profiles; "
        "[ -r $a ] && printf 'apparmor.enabled %s\\n' \"$(cat $a)\"; "
        "if [ -r $p ]; then sed 's/^/apparmor.profile /' $p; "
        "elif [ -e $p ]; then echo apparmor.profiles unreadable; fi; "
        "[ -r /sys/fs/selinux/enforce ] && "
        "printf 'selinux.enforce %s\\n' \"$(cat /sys/fs/selinux/enforce)\"; "
        "[ -r /etc/selinux/config ] && sed -n 's/^[[:space:]]*SELINUX=/selinux.config /p' "
        "/etc/selinux/config; echo end"
    ),
    description="AppArmor and SELinux state from the kernel (sysfs/securityfs)",
)
def parse_mac_status(section: Section) -> dict[str, Any]:
    """The ``mac_status`` probe's output parsed (AppArmor and SELinux state from the kernel)."""

    lines = [ln.rstrip() for ln in section.text.splitlines() if ln.strip()]
    if not lines or lines[-1] != "end":
        raise FactParseError(T("mac_status output lacks its end marker"))
    out: dict[str, Any] = {"apparmor_enabled": None, "profiles": {}, "profiles_readable": True,
                           "selinux_enforce": None, "selinux_config": None}
    for line in lines[:-1]:
        key, _, value = line.partition(" ")
        if key == "apparmor.enabled":
            out["apparmor_enabled"] = value.strip().upper() == "Y"
        elif key == "apparmor.profile":
            m = re.fullmatch(r"(.+) \((\w+)\)", value.strip())
            if m is None or m.group(2) not in MAC_MODES:
                raise FactParseError(T("not an AppArmor profile line: {value}",
                                       value=repr(value[:60])))
            out["profiles"][m.group(1)] = m.group(2)
        elif key == "apparmor.profiles":
            out["profiles_readable"] = False
        elif key == "selinux.enforce":
            if value.strip() not in ("0", "1"):
                raise FactParseError(T("selinux enforce is {value}", value=repr(value)))
            out["selinux_enforce"] = value.strip() == "1"
        elif key == "selinux.config":
            out["selinux_config"] = value.strip().strip('"').lower()
        else:
            raise FactParseError(T("not a mac_status line: {line}", line=repr(line[:60])))
    return out


@probe("selinux_config", files=(SELINUX_CONFIG,), description="SELinux mode at boot")
def parse_selinux_config(section: Section) -> dict[str, str] | None:
    """The ``selinux_config`` probe's output parsed: SELinux mode at boot."""

    text = section.files.get(SELINUX_CONFIG)
    if text is None:
        return None
    out: dict[str, str] = {}
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not re.fullmatch(r"[A-Z_]+", key.strip()):
            raise FactParseError(T("{file}:{lineno}: not a KEY=value line: {line}",
                                   file=SELINUX_CONFIG, lineno=lineno, line=repr(line[:60])))
        out[key.strip()] = value.strip().strip('"').lower()
    return out


@dataclass(frozen=True)
class AppArmorFiles:
    """AppArmor profile files in /etc/apparmor.d, and those disabled or in complain mode."""

    profiles: tuple[str, ...]  # top-level profile files
    disabled: tuple[str, ...] = ()
    complain: tuple[str, ...] = field(default_factory=tuple)


@probe(
    "apparmor_profile_files",
    files=(f"{AA_DIR}/*", f"{AA_DIR}/disable/*", f"{AA_DIR}/force-complain/*"),
    description="AppArmor profiles in /etc/apparmor.d (offline)",
)
def parse_apparmor_profile_files(section: Section) -> AppArmorFiles:
    """The ``apparmor_profile_files`` probe's output parsed."""

    profiles, disabled, complain = [], [], []
    for path, text in sorted(section.files.items()):
        parent, name = posixpath.split(path)
        if parent == f"{AA_DIR}/disable":
            disabled.append(name)
        elif parent == f"{AA_DIR}/force-complain":
            complain.append(name)
        elif (parent == AA_DIR
              and not name.endswith((".dpkg-new", ".dpkg-old", "~", ".rpmnew", ".rpmsave"))
              # A profile file: a profile block, not only comments/includes.
              and re.search(r"^\s*(profile\s+\S+|/\S+|@\{[^}]+\}\S*)\s.*\{", text,
                            re.MULTILINE)):
            profiles.append(name)
            if re.search(r"flags\s*=\s*\([^)]*\bcomplain\b", text):
                complain.append(name)
    return AppArmorFiles(tuple(profiles), tuple(disabled), tuple(complain))
