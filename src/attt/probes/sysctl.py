"""Kernel parameters and the kernel command line: running values (``sysctl``,
/proc/cmdline), the sysctl.d files in systemd-sysctl order and the boot command line
(/etc/default/grub, BLS entries), plus :func:`ipv6_disabled`.

systemd-sysctl (Debian 12's procps.service is an alias of systemd-sysctl.service) never reads
/etc/sysctl.conf itself: only through the /etc/sysctl.d/99-sysctl.conf -> ../sysctl.conf link
that procps ships, in that name's lexical place.  Both transports follow links (the live
collector's ``cat``, the dir: transport inside the tree), so the link arrives as
/etc/sysctl.d/99-sysctl.conf holding sysctl.conf's text; /etc/sysctl.conf is collected only to
name it in evidence.  An empty file masks the same name in later directories, and so does a
link to /dev/null: the live script reports such a device as an empty file (which is what
systemd-sysctl reads from it); the dir: transport only reads regular files, so offline a
/dev/null mask is not seen.

Live hosts answer from the running kernel (``sysctl -e key ...``; ``-e`` leaves out keys the
kernel does not have instead of failing).  Offline trees are judged from what would apply at
boot: the sysctl.d files in systemd-sysctl order (see :func:`sysctl_order`:
one file per name, /etc over /run over /usr/local/lib over /usr/lib, sorted by name, later
assignments win; /etc/sysctl.conf counts only through the /etc/sysctl.d/99-sysctl.conf link).
An explicit key wins over a glob assignment whatever their order (systemd-sysctl skips glob
matches that have an explicit setting).  A key that no
file sets keeps the kernel's default, and the evidence says so.

On a live host the same files are read too: when they would set a different value at the next
boot, the evidence and message say so (the verdict follows the running kernel).
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field

from attt.messages import Msg, T
from attt.registry import FactParseError, ScopedFacts, Section, probe

from .text import split_error

_KEYS = ("net.ipv6.conf.all.disable_ipv6", "net.ipv6.conf.default.disable_ipv6")
# CONF_PATHS("sysctl.d") of systemd; /lib/sysctl.d only on split-usr builds (Debian 12's), where
# it comes last.
_SYSCTL_DIRS = ("/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d",
                "/lib/sysctl.d")
SYSCTL_CONF = "/etc/sysctl.conf"
SYSCTL_CONF_LINK = "/etc/sysctl.d/99-sysctl.conf"
SYSCTL_FILES = (SYSCTL_CONF, *tuple(f"{d}/*.conf" for d in _SYSCTL_DIRS))
_SYSCTL_FILE_CAP = 1_048_576
# Live: the files of SYSCTL_FILES as records framed with the run's boundary (see ssh_banner.py),
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
    """The ``ipv6_sysctl`` probe's output parsed: kernel IPv6 switches (disable_ipv6)."""

    out: dict[str, str] = {}
    for line in section.text.splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep or not re.fullmatch(r"[a-z0-9_.]+", key.strip()):
            raise FactParseError(T("not a sysctl line: {line}", line=repr(line[:60])))
        out[key.strip()] = value.strip()
    if out.get("net.ipv6") != "absent" and not all(k in out for k in _KEYS):
        raise FactParseError(T("sysctl output lacks the disable_ipv6 keys"))
    return out


@probe("kernel_cmdline", command="cat /proc/cmdline", description="running kernel command line")
def parse_kernel_cmdline(section: Section) -> list[str]:
    """The ``kernel_cmdline`` probe's output parsed: running kernel command line."""

    text = section.text.strip()
    if not text or "\n" in text:
        raise FactParseError(T("expected one line of kernel parameters"))
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
        raise FactParseError(T("not a sysctl files probe output: {line}", line=repr(first[:60])))
    b = re.escape(m.group(1))
    marker = re.compile(rf"^{b} (FILE|MASKED) (.+)$", re.MULTILINE)
    matches = list(marker.finditer(rest))
    if rest.strip() and (not matches or matches[0].start() != 0):
        raise FactParseError(T("sysctl files probe output does not start with a record"))
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
    """A kernel parameter's running value and where it was read."""

    value: str
    where: str


@probe(
    "sysctl_conf",
    command=SYSCTL_COMMAND,
    files=SYSCTL_FILES,
    description="sysctl settings applied at boot",
)
def parse_sysctl_conf(section: Section) -> dict[str, SysctlValue]:
    """The ``sysctl_conf`` probe's output parsed: sysctl settings applied at boot."""

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
                raise FactParseError(T("{path}:{lineno}: not a sysctl setting: {line}",
                                       path=path, lineno=lineno, line=repr(line[:60])))
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
            raise FactParseError(split_error(exc, path)) from None
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


def ipv6_disabled(facts: ScopedFacts) -> tuple[bool | None, str | Msg]:
    """(disabled?, evidence: settings as data, or a sentence as a message since findings quote
    it).  None when the facts do not say."""

    if facts.mode == "live":
        if facts.has("kernel_cmdline") and _cmdline_disables(facts.get("kernel_cmdline")):
            return True, T("kernel command line has ipv6.disable=1")
        values: dict[str, str] = facts.get("ipv6_sysctl")
        if values.get("net.ipv6") == "absent":
            return True, T("/proc/sys/net/ipv6 is absent (IPv6 module not loaded)")
        flags = {k: values[k] for k in _KEYS}
        # Writing 1 to 'all' disables every interface; 'default' only affects new ones.
        if flags[_KEYS[0]] == "1":
            return True, ", ".join(f"{k} = {v}" for k, v in flags.items())
        return False, ", ".join(f"{k} = {v}" for k, v in flags.items())
    boot: dict[str, list[str]] = facts.get("boot_cmdline")
    for origin, params in boot.items():
        if _cmdline_disables(params):
            return True, T("ipv6.disable=1 in {origin}", origin=origin)
    conf: dict[str, SysctlValue] = facts.get("sysctl_conf")
    set_keys = {k: conf[k] for k in _KEYS if k in conf}
    if set_keys.get(_KEYS[0]) is not None and set_keys[_KEYS[0]].value == "1":
        return True, f"{_KEYS[0]} = 1 ({set_keys[_KEYS[0]].where})"
    text = ", ".join(f"{k} = {v.value} ({v.where})" for k, v in set_keys.items())
    return False, text or T("disable_ipv6 not set (kernel default 0)")


# Kernel defaults (Documentation/networking/ip-sysctl.rst, Documentation/admin-guide/sysctl/
# kernel.rst and fs.rst), as observed in a fresh network namespace on Debian 12.
KERNEL_DEFAULTS: dict[str, str] = {
    "net.ipv4.ip_forward": "0",
    "net.ipv6.conf.all.forwarding": "0",
    "kernel.randomize_va_space": "2",
    "net.ipv4.conf.all.accept_redirects": "1",
    "net.ipv4.conf.default.accept_redirects": "1",
    "net.ipv6.conf.all.accept_redirects": "1",
    "net.ipv6.conf.default.accept_redirects": "1",
    "net.ipv4.conf.all.send_redirects": "1",
    "net.ipv4.conf.default.send_redirects": "1",
    "net.ipv4.conf.all.accept_source_route": "0",
    "net.ipv4.conf.default.accept_source_route": "1",
    "net.ipv6.conf.all.accept_source_route": "0",
    "net.ipv6.conf.default.accept_source_route": "0",
    "net.ipv4.tcp_syncookies": "1",
    "fs.suid_dumpable": "0",
    # CONFIG_SECURITY_DMESG_RESTRICT: upstream n (0); Debian and Ubuntu kernels build it y.
    "kernel.dmesg_restrict": "0",
}


SYSCTL_KEYS = tuple(KERNEL_DEFAULTS)


_KEY_RE = re.compile(r"[A-Za-z0-9_.:@/+-]+")


@probe(
    "kernel_sysctl",
    command=(
        "command -v sysctl >/dev/null || exit 127; "
        "[ -d /proc/sys/net/ipv6 ] || echo 'net.ipv6 = absent'; "
        "sysctl -e " + " ".join(SYSCTL_KEYS)
    ),
    description="running kernel parameters (sysctl -e key ...)",
)
def parse_kernel_sysctl(section: Section) -> dict[str, str]:
    """``key = value`` lines of procps sysctl; the marker ``net.ipv6 = absent``."""

    out: dict[str, str] = {}
    for line in section.text.splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition(" = ")
        if not sep or not _KEY_RE.fullmatch(key.strip()):
            raise FactParseError(T("not a sysctl line: {line}", line=repr(line[:60])))
        out[key.strip()] = " ".join(value.split())
    if not any(k in out for k in SYSCTL_KEYS):
        raise FactParseError(T("sysctl printed none of the requested keys"))
    return out


def normalize_key(key: str) -> str:
    """sysctl.d(5): '/' or '.' separate; if the first separator is '/', the two swap."""

    key = key.strip()
    first = re.search(r"[./]", key)
    if first is not None and first.group() == "/":
        key = key.translate(str.maketrans("./", "/."))
    return key


@dataclass(frozen=True)
class Assignment:
    """A value set in a sysctl configuration file, and where."""

    value: str
    where: str  # file:line


@dataclass(frozen=True)
class SysctlTree:
    """sysctl.d assignments in systemd-sysctl order: explicit keys and glob patterns."""

    explicit: Mapping[str, Assignment]  # key -> last assignment
    globs: tuple[tuple[str, Assignment], ...]  # (pattern, assignment) in reading order
    files_read: tuple[str, ...] = ()
    ignored: tuple[str, ...] = field(default_factory=tuple)  # lines that are no assignment

    def lookup(self, key: str) -> Assignment | None:
        """The boot-time assignment of a key (explicit, else the last glob)."""

        if key in self.explicit:
            return self.explicit[key]
        found: Assignment | None = None
        for pattern, assignment in self.globs:
            if fnmatch.fnmatchcase(key, pattern):
                found = assignment
        return found


@probe(
    "sysctl_settings",
    command=SYSCTL_COMMAND,
    files=SYSCTL_FILES,
    description="sysctl.d settings applied at boot, glob assignments included",
)
def parse_sysctl_settings(section: Section) -> SysctlTree:
    """The ``sysctl_settings`` probe's output parsed."""

    explicit: dict[str, Assignment] = {}
    globs: list[tuple[str, Assignment]] = []
    ignored: list[str] = []
    files = sysctl_files(section)
    order = sysctl_order(files)
    for path in order:
        for lineno, raw in enumerate(files[path].splitlines(), 1):
            line = raw.strip()
            if not line or line[0] in "#;":
                continue
            where = sysctl_where(files, path, lineno)
            key, sep, value = line.partition("=")
            key = normalize_key(key.strip().lstrip("-"))
            if not sep or not key or not re.fullmatch(r"[A-Za-z0-9_.:@/+*?\[\]!-]+", key):
                # systemd-sysctl and procps skip such a line with a warning.
                ignored.append(f"{where}: {line[:60]}")
                continue
            assignment = Assignment(" ".join(value.split()), where)
            if any(c in key for c in "*?["):
                globs.append((key, assignment))
            else:
                explicit[key] = assignment
    return SysctlTree(explicit, tuple(globs), tuple(order), tuple(ignored))


# Build options that decide a sysctl's boot default: option -> (key, value if y, value if n).
BUILD_DEFAULTS = {
    "CONFIG_SECURITY_DMESG_RESTRICT": ("kernel.dmesg_restrict", "1", "0"),
    "CONFIG_COMPAT_BRK": ("kernel.randomize_va_space", "1", "2"),
}


@probe(
    "kernel_build_config",
    files=("/boot/config-*",),
    description="build options of the installed kernels that set sysctl defaults",
)
def parse_kernel_build_config(section: Section) -> dict[str, dict[str, bool]]:
    """Per /boot/config-* file, the options of ``BUILD_DEFAULTS`` (True = y)."""

    out: dict[str, dict[str, bool]] = {}
    for path, text in section.files.items():
        options: dict[str, bool] = {}
        for line in text.splitlines():
            m = re.fullmatch(r"(CONFIG_[A-Z0-9_]+)=(.*)|# (CONFIG_[A-Z0-9_]+) is not set",
                             line.strip())
            if m is None:
                continue
            name = m.group(1) or m.group(3)
            if name in BUILD_DEFAULTS:
                options[name] = m.group(2) == "y"
        out[path] = options
    return out
