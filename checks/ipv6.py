"""IPv6 readiness: the stack is not disabled, and the host holds a global IPv6 address.

Live hosts answer from the kernel (sysctl, /proc/cmdline, ``ip -6 addr``).  Offline trees are
judged from what would apply at boot: sysctl.d files in systemd-sysctl order (see
:func:`sysctl_order`) and the kernel command line in /etc/default/grub and BLS entries.

systemd-sysctl (Debian 12's procps.service is an alias of systemd-sysctl.service) never reads
/etc/sysctl.conf itself: only through the /etc/sysctl.d/99-sysctl.conf -> ../sysctl.conf link
that procps ships, in that name's lexical place.  Both transports follow links (the live
collector's ``cat``, the dir: transport inside the tree), so the link arrives as
/etc/sysctl.d/99-sysctl.conf holding sysctl.conf's text; /etc/sysctl.conf is collected only to
name it in evidence.  An empty file masks the same name in later directories, and so does a
link to /dev/null: the live script reports such a device as an empty file (which is what
systemd-sysctl reads from it); the dir: transport only reads regular files, so offline a
/dev/null mask is not seen.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import posixpath
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from attt.model import Result, Status
from attt.registry import ScopedFacts, Section, check, probe

_KEYS = ("net.ipv6.conf.all.disable_ipv6", "net.ipv6.conf.default.disable_ipv6")
# CONF_PATHS("sysctl.d") of systemd; /lib/sysctl.d only on split-usr builds (Debian 12's), where
# it comes last.
_SYSCTL_DIRS = ("/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d",
                "/lib/sysctl.d")
SYSCTL_CONF = "/etc/sysctl.conf"
SYSCTL_CONF_LINK = "/etc/sysctl.d/99-sysctl.conf"
SYSCTL_FILES = (SYSCTL_CONF, *tuple(f"{d}/*.conf" for d in _SYSCTL_DIRS))
_SYSCTL_FILE_CAP = 1_048_576
# Live: the files of SYSCTL_FILES as records framed with the run's boundary (see ssh_extras),
# and a character device (a /dev/null mask, which the files snippet's [ -f ] would skip) as a
# MASKED record.
SYSCTL_COMMAND = (
    'B=$(cat "$1/b"); printf "%s SYSCTL-FILES\\n" "$B"; '
    "for f in " + " ".join(SYSCTL_FILES) + "; do "
    'if [ -c "$f" ]; then printf "%s MASKED %s\\n" "$B" "$f"; '
    'elif [ -f "$f" ] && [ -r "$f" ]; then printf "%s FILE %s\\n" "$B" "$f"; '
    f'head -c {_SYSCTL_FILE_CAP} "$f"; printf "\\n"; fi; done; exit 0'
)


@probe(
    "ipv6_sysctl",
    command=(
        "[ -d /proc/sys/net/ipv6 ] || { echo 'net.ipv6 = absent'; exit 0; }; "
        "sysctl net.ipv6.conf.all.disable_ipv6 net.ipv6.conf.default.disable_ipv6"
    ),
    description="kernel IPv6 switches (disable_ipv6)",
)
def parse_ipv6_sysctl(section: Section) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in section.text.splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep or not re.fullmatch(r"[a-z0-9_.]+", key.strip()):
            raise ValueError(f"not a sysctl line: {line[:60]!r}")
        out[key.strip()] = value.strip()
    if out.get("net.ipv6") != "absent" and not all(k in out for k in _KEYS):
        raise ValueError("sysctl output lacks the disable_ipv6 keys")
    return out


@probe("kernel_cmdline", command="cat /proc/cmdline", description="running kernel command line")
def parse_kernel_cmdline(section: Section) -> list[str]:
    text = section.text.strip()
    if not text or "\n" in text:
        raise ValueError("expected one line of kernel parameters")
    return text.split()


def _sysctl_key(key: str) -> str:
    key = key.strip().lstrip("-")
    # sysctl.d(5): '/' and '.' are interchangeable separators when the key starts with '/'...
    # in practice both spellings appear; normalise to dots.
    return key.replace("/", ".")


def sysctl_order(files: Mapping[str, str]) -> list[str]:
    """The files systemd-sysctl applies, in order (``systemd-sysctl --cat-config``).

    Only ``*.conf`` directly in the sysctl.d directories; a name in an earlier directory masks
    the same name in later ones; the survivors are sorted by file name (byte order) across
    directories, and later assignments win.  /etc/sysctl.conf is not among them: it counts
    only as the content of the 99-sysctl.conf link.
    """

    chosen: dict[str, str] = {}
    for directory in _SYSCTL_DIRS:
        for path in sorted(files):
            name = posixpath.basename(path)
            if posixpath.dirname(path) == directory and name.endswith(".conf"):
                chosen.setdefault(name, path)
    return [chosen[name] for name in sorted(chosen, key=lambda n: n.encode())]


def sysctl_files(section: Section) -> Mapping[str, str]:
    """path -> text of the sysctl files: the files read offline, or the live records (a
    masked name as an empty file)."""

    if section.files or not section.text.strip():
        return section.files
    first, _, rest = section.text.partition("\n")
    m = re.fullmatch(r"(@@ATTT-[0-9a-f]+@@) SYSCTL-FILES", first)
    if m is None:
        raise ValueError(f"not a sysctl files probe output: {first[:60]!r}")
    b = re.escape(m.group(1))
    marker = re.compile(rf"^{b} (FILE|MASKED) (.+)$", re.MULTILINE)
    matches = list(marker.finditer(rest))
    if rest.strip() and (not matches or matches[0].start() != 0):
        raise ValueError("sysctl files probe output does not start with a record")
    files: dict[str, str] = {}
    for i, mm in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(rest)
        body = rest[mm.end() + 1 : end] if mm.group(1) == "FILE" else ""
        files[mm.group(2)] = body[:-1] if body.endswith("\n") else body
    return files


def sysctl_where(files: Mapping[str, str], path: str, lineno: int) -> str:
    """Evidence location of a line; names /etc/sysctl.conf, the file to edit, when the
    99-sysctl.conf link delivered its text."""

    if path == SYSCTL_CONF_LINK and files.get(SYSCTL_CONF) == files[path]:
        return f"{SYSCTL_CONF}:{lineno} via {SYSCTL_CONF_LINK}"
    return f"{path}:{lineno}"


@dataclass(frozen=True)
class SysctlValue:
    value: str
    where: str


@probe(
    "sysctl_conf",
    command=SYSCTL_COMMAND,
    files=SYSCTL_FILES,
    description="sysctl settings applied at boot",
)
def parse_sysctl_conf(section: Section) -> dict[str, SysctlValue]:
    values: dict[str, SysctlValue] = {}
    files = sysctl_files(section)
    for path in sysctl_order(files):
        for lineno, raw in enumerate(files[path].splitlines(), 1):
            line = raw.strip()
            if not line or line[0] in "#;":
                continue
            key, sep, value = line.partition("=")
            key = _sysctl_key(key)
            if not sep or not re.fullmatch(r"[A-Za-z0-9_.*?\[\]-]+", key):
                raise ValueError(f"{path}:{lineno}: not a sysctl setting: {line[:60]!r}")
            where = sysctl_where(files, path, lineno)
            if any(c in key for c in "*?["):
                # Globs apply to matching keys we care about (systemd-sysctl semantics).
                for k in _KEYS:
                    if fnmatch.fnmatchcase(k, key):
                        values[k] = SysctlValue(value.strip(), where)
                continue
            values[key] = SysctlValue(value.strip(), where)
    return values


def _shell_assignments(path: str, text: str, env: dict[str, str]) -> None:
    """The VAR="..." lines of a sourced shell file, with $VAR / ${VAR} expanded."""

    for raw in text.splitlines():
        line = raw.strip()
        m = re.match(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$", line)
        if not m:
            continue
        try:
            parts = shlex.split(m.group(2), comments=True)
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from None
        value = " ".join(parts)
        value = re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?",
                       lambda v: env.get(v.group(1), ""), value)
        env[m.group(1)] = value


@probe(
    "boot_cmdline",
    files=("/etc/default/grub", "/etc/default/grub.d/*.cfg", "/boot/loader/entries/*.conf"),
    description="kernel command line configured for the next boot",
)
def parse_boot_cmdline(section: Section) -> dict[str, list[str]]:
    """Parameters by origin: the GRUB defaults and each BLS entry."""

    out: dict[str, list[str]] = {}
    env: dict[str, str] = {}
    grub = ["/etc/default/grub"] if "/etc/default/grub" in section.files else []
    grub += sorted(p for p in section.files if p.startswith("/etc/default/grub.d/"))
    for path in grub:
        _shell_assignments(path, section.files[path], env)
    if grub:
        out["/etc/default/grub"] = (env.get("GRUB_CMDLINE_LINUX", "").split()
                                    + env.get("GRUB_CMDLINE_LINUX_DEFAULT", "").split())
    for path, text in section.files.items():
        if path.startswith("/boot/loader/entries/"):
            for line in text.splitlines():
                if line.startswith("options "):
                    out[path] = line.split()[1:]
    return out


def _cmdline_disables(params: list[str]) -> bool:
    return "ipv6.disable=1" in params


def ipv6_disabled(facts: ScopedFacts) -> tuple[bool | None, str]:
    """(disabled?, evidence).  None when the facts do not say."""

    if facts.mode == "live":
        if facts.has("kernel_cmdline") and _cmdline_disables(facts.get("kernel_cmdline")):
            return True, "kernel command line has ipv6.disable=1"
        values: dict[str, str] = facts.get("ipv6_sysctl")
        if values.get("net.ipv6") == "absent":
            return True, "/proc/sys/net/ipv6 is absent (IPv6 module not loaded)"
        flags = {k: values[k] for k in _KEYS}
        # Writing 1 to 'all' disables every interface; 'default' only affects new ones.
        if flags[_KEYS[0]] == "1":
            return True, ", ".join(f"{k} = {v}" for k, v in flags.items())
        return False, ", ".join(f"{k} = {v}" for k, v in flags.items())
    boot: dict[str, list[str]] = facts.get("boot_cmdline")
    for origin, params in boot.items():
        if _cmdline_disables(params):
            return True, f"ipv6.disable=1 in {origin}"
    conf: dict[str, SysctlValue] = facts.get("sysctl_conf")
    set_keys = {k: conf[k] for k in _KEYS if k in conf}
    if set_keys.get(_KEYS[0]) is not None and set_keys[_KEYS[0]].value == "1":
        return True, f"{_KEYS[0]} = 1 ({set_keys[_KEYS[0]].where})"
    text = ", ".join(f"{k} = {v.value} ({v.where})" for k, v in set_keys.items())
    return False, text or "disable_ipv6 not set (kernel default 0)"


@check(
    "ipv6.enabled",
    title_vi="Hệ điều hành không tắt IPv6",
    title_en="IPv6 is not disabled",
    severity="low",
    probes=("ipv6_sysctl", "kernel_cmdline", "sysctl_conf", "boot_cmdline"),
    remediation_vi=(
        "Bỏ 'ipv6.disable=1' khỏi GRUB_CMDLINE_LINUX trong /etc/default/grub (chạy "
        "update-grub hoặc grub2-mkconfig) và xóa các dòng 'net.ipv6.conf.*.disable_ipv6 = 1' "
        "trong /etc/sysctl.conf, /etc/sysctl.d/*.conf; áp dụng bằng 'sysctl --system' hoặc "
        "khởi động lại. Bảo vệ IPv6 bằng tường lửa thay vì tắt."
    ),
    remediation_en=(
        "Remove 'ipv6.disable=1' from GRUB_CMDLINE_LINUX in /etc/default/grub (then run "
        "update-grub or grub2-mkconfig) and delete 'net.ipv6.conf.*.disable_ipv6 = 1' lines from "
        "/etc/sysctl.conf and /etc/sysctl.d/*.conf; apply with 'sysctl --system' or a reboot. "
        "Protect IPv6 with the firewall instead of disabling it."
    ),
)
def ipv6_enabled(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """The national IPv6 transition programme expects state systems to run IPv6. Disabling the
    stack blocks that transition and often hides an unmanaged dual-stack problem instead of
    fixing it."""

    disabled, evidence = ipv6_disabled(facts)
    when = "running kernel" if facts.mode == "live" else "configuration applied at boot"
    if disabled:
        return Result(Status.FAIL, f"IPv6 is disabled ({evidence}; {when}).",
                      observed=evidence, expected="IPv6 enabled", source=when)
    return Result(Status.PASS, f"IPv6 is enabled ({evidence}; {when}).",
                  observed=evidence, expected="IPv6 enabled", source=when)


@dataclass(frozen=True)
class Addr6:
    interface: str
    address: str
    flags: tuple[str, ...]


@probe(
    "ip6_global_addresses",
    command="command -v ip >/dev/null || exit 127; ip -6 -o addr show scope global",
    description="global-scope IPv6 addresses (ip -6 -o addr)",
)
def parse_ip6_global(section: Section) -> list[Addr6]:
    out: list[Addr6] = []
    pattern = re.compile(r"^\d+:\s+(\S+)\s+inet6\s+(\S+)\s+(.*)$")
    for line in section.text.splitlines():
        if not line.strip():
            continue
        m = pattern.match(line)
        if m is None:
            raise ValueError(f"not an 'ip -o addr' line: {line[:60]!r}")
        addr = m.group(2).split("/")[0]
        ipaddress.IPv6Address(addr)  # raises ValueError on garbage
        rest = m.group(3).split("\\")[0].split()
        flags = tuple(t for t in rest if t not in ("scope", "global"))
        out.append(Addr6(m.group(1).split("@")[0], addr, flags))
    return out


_UNUSABLE = ("tentative", "dadfailed", "deprecated")


@check(
    "ipv6.global_address",
    title_vi="Máy chủ có địa chỉ IPv6 toàn cầu",
    title_en="The host has a global IPv6 address",
    severity="low",
    probes=("ip6_global_addresses",),
    remediation_vi=(
        "Cấp cho máy chủ một địa chỉ IPv6 toàn cầu trong dải được phân bổ cho đơn vị (cấu hình "
        "tĩnh trong /etc/network/interfaces, netplan hoặc NetworkManager, hoặc nhận qua SLAAC/"
        "DHCPv6) và kiểm tra bằng 'ip -6 addr show scope global'."
    ),
    remediation_en=(
        "Give the host a global IPv6 address from the agency's allocation (static in "
        "/etc/network/interfaces, netplan or NetworkManager, or via SLAAC/DHCPv6) and verify "
        "with 'ip -6 addr show scope global'."
    ),
)
def global_address(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """A host that only has IPv4 or link-local/ULA IPv6 addresses cannot be reached over the
    IPv6 Internet, which the IPv6 transition programme for state agencies requires of
    public-facing services."""

    if facts.mode != "live":
        return Result(Status.NOT_APPLICABLE,
                      "Interface addresses exist only on a running system; an offline tree has "
                      "none.", observed=None, expected="a global IPv6 address",
                      source="ip6_global_addresses")
    addrs: list[Addr6] = facts.get("ip6_global_addresses")
    usable, other = [], []
    for a in addrs:
        ip = ipaddress.IPv6Address(a.address)
        bad = [f for f in a.flags if f in _UNUSABLE]
        if bad:
            other.append(f"{a.address} on {a.interface} ({', '.join(bad)})")
        elif not ip.is_global:
            other.append(f"{a.address} on {a.interface} (not globally routable)")
        else:
            usable.append(f"{a.address} on {a.interface}")
    observed = {"global": usable, "ignored": other}
    if usable:
        return Result(Status.PASS, f"Global IPv6 address {usable[0]}"
                      f"{f' and {len(usable) - 1} more' if len(usable) > 1 else ''} assigned.",
                      observed=observed, expected="a global IPv6 address",
                      source="ip -6 -o addr show scope global")
    detail = f" (ignored: {'; '.join(other)})" if other else ""
    return Result(Status.FAIL, f"No usable global IPv6 address is assigned{detail}.",
                  observed=observed, expected="a global IPv6 address",
                  source="ip -6 -o addr show scope global")
