"""Kernel parameters (sysctl): forwarding, ASLR, ICMP redirects, source routing, SYN cookies,
core dumps of set-uid programs, kernel log access.

Live hosts answer from the running kernel (``sysctl -e key ...``; ``-e`` leaves out keys the
kernel does not have instead of failing).  Offline trees are judged from what would apply at
boot: the sysctl.d files in systemd-sysctl order (see :func:`attt.probes.sysctl.sysctl_order`:
one file per name, /etc over /run over /usr/local/lib over /usr/lib, sorted by name, later
assignments win; /etc/sysctl.conf counts only through the /etc/sysctl.d/99-sysctl.conf link).
An explicit key wins over a glob assignment whatever their order (systemd-sysctl skips glob
matches that have an explicit setting).  A key that no
file sets keeps the kernel's default, and the evidence says so.

How the facts are read (sources, order, offline limits): :mod:`attt.probes.sysctl`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from attt.messages import Msg, T
from attt.model import Result, Status
from attt.probes.sysctl import BUILD_DEFAULTS, KERNEL_DEFAULTS, SysctlTree
from attt.registry import ScopedFacts, check

_DEFAULT_NOTES = {
    "kernel.dmesg_restrict": T("not set; kernel default assumed from upstream "
                               "CONFIG_SECURITY_DMESG_RESTRICT=n, no /boot/config-* says "
                               "otherwise"),
    "kernel.randomize_va_space": T("not set; kernel default, assuming no CONFIG_COMPAT_BRK (no "
                                   "/boot/config-* says otherwise)"),
}


_ABSENT = "net.ipv6"  # marker key: the IPv6 stack is not loaded (ipv6.disable=1)


_APPLY_VI = "áp dụng ngay bằng 'sysctl --system' và kiểm tra bằng 'sysctl <khóa>'"
_APPLY_EN = "apply with 'sysctl --system' and verify with 'sysctl <key>'"


def _build_default(facts: ScopedFacts, key: str) -> tuple[str, Msg] | None:
    """The boot default of ``key`` if every installed kernel's build config agrees on it."""

    if not facts.has("kernel_build_config"):
        return None
    configs: dict[str, dict[str, bool]] = facts.get("kernel_build_config")
    for option, (k, if_y, if_n) in BUILD_DEFAULTS.items():
        if k != key:
            continue
        seen = {path: opts[option] for path, opts in configs.items() if option in opts}
        if seen and len(set(seen.values())) == 1 and len(seen) == len(configs):
            value = if_y if next(iter(seen.values())) else if_n
            flag = "y" if value == if_y else "n"
            return value, T("not set; kernel default ({option}={flag} in {files})",
                            option=option, flag=flag, files=sorted(seen))
    return None


@dataclass(frozen=True)
class Reading:
    key: str
    value: str | None  # None: the key does not exist (IPv6 stack absent)
    origin: str | Msg  # "running kernel" | file:line | "not set; kernel default ..."
    unset: bool = False  # no file sets the key: the kernel default applies

    def shown(self) -> str | Msg:
        if self.value is None:
            return T("{key} = absent", key=self.key)
        return f"{self.key} = {self.value}"


@dataclass(frozen=True)
class Readings:
    values: Mapping[str, Reading]
    label: Msg  # "running kernel" | "boot configuration in sysctl.d"
    source: str  # "sysctl" for the running kernel
    boot_differs: tuple[str, ...] = ()  # live: what the files would set at the next boot


def _read(facts: ScopedFacts, keys: tuple[str, ...], build: bool = False) -> Readings | Result:
    """Values of ``keys``; ``build``: the check declared kernel_build_config (offline
    defaults that depend on how the kernel was built)."""

    tree: SysctlTree | None = None
    if facts.mode != "live" or facts.has("sysctl_settings"):
        tree = facts.get("sysctl_settings")
    if facts.mode == "live":
        live: dict[str, str] = facts.get("kernel_sysctl")
        values: dict[str, Reading] = {}
        for key in keys:
            if key in live:
                values[key] = Reading(key, live[key], T("running kernel"))
            elif key.startswith("net.ipv6.") and live.get(_ABSENT) == "absent":
                values[key] = Reading(key, None, T("IPv6 stack not loaded"))
            else:
                return Result(Status.ERROR,
                              T("The running kernel reported no value for {key} (sysctl -e).",
                                key=key),
                              observed={"missing": key}, expected=None, source="sysctl")
        differs: list[str] = []
        if tree is not None:
            for key, reading in values.items():
                boot = tree.lookup(key)
                if boot is not None and reading.value is not None and boot.value != reading.value:
                    differs.append(f"{key} = {boot.value} ({boot.where})")
        return Readings(values, T("running kernel"), "sysctl", tuple(differs))
    assert tree is not None
    values = {}
    for key in keys:
        found = tree.lookup(key)
        if found is not None:
            values[key] = Reading(key, found.value, found.where)
        else:
            built = _build_default(facts, key) if build else None
            if built is not None:
                values[key] = Reading(key, built[0], built[1], unset=True)
                continue
            note = _DEFAULT_NOTES.get(key, T("not set; kernel default"))
            values[key] = Reading(key, KERNEL_DEFAULTS[key], note, unset=True)
    source = ", ".join(tree.files_read) or "no sysctl.d files"
    return Readings(values, T("boot configuration in sysctl.d"), source)


def _int(reading: Reading) -> int | None:
    try:
        return int(reading.value) if reading.value is not None else None
    except ValueError:
        return None


def _judge(
    facts: ScopedFacts,
    subject: Msg,
    wanted: Mapping[str, str],
    ok: Callable[[str, int], bool] | None = None,
    build: bool = False,
) -> Result:
    """Compare each key with ``wanted`` (exact integer; ``ok(key, int)`` when given)."""

    keys = tuple(wanted)
    readings = _read(facts, keys, build)
    if isinstance(readings, Result):
        return readings
    observed: dict[str, Any] = {
        k: {"value": r.value, "from": str(r.origin)} for k, r in readings.values.items()
    }
    if readings.boot_differs:
        observed["next_boot"] = list(readings.boot_differs)
    expected: dict[str, str] = dict(wanted)
    if ok is not None:
        expected.update({k: f"{v} or lower" for k, v in wanted.items()
                         if k.startswith("net.ipv6.")})
    bad: list[str] = []
    for key, reading in readings.values.items():
        if reading.value is None:
            continue  # IPv6 not loaded: the IPv6 key cannot be wrong
        number = _int(reading)
        if number is None:
            return Result(Status.ERROR, T("{key} has the value {value} ({origin}), which is "
                                          "not a number.", key=key, value=repr(reading.value),
                                          origin=reading.origin),
                          observed=observed, expected=expected, source=readings.source)
        good = ok(key, number) if ok is not None else number == int(wanted[key])
        if not good:
            bad.append(key)
    boot = list(readings.boot_differs)
    if bad:
        live = readings.source == "sysctl"
        shown = [readings.values[k].shown() if live
                 else T("{setting} ({origin})", setting=readings.values[k].shown(),
                        origin=readings.values[k].origin) for k in bad]
        return Result(Status.FAIL, _fail_message(subject, shown, readings.label,
                                                 _wanted(wanted, bad, ok is not None), boot),
                      observed=observed, expected=expected, source=readings.source)
    unset = [T("{key}: {origin}", key=k, origin=r.origin) for k, r in readings.values.items()
             if r.unset]
    values = [r.shown() for r in readings.values.values()]
    return Result(Status.PASS, _pass_message(subject, values, readings.label, unset, boot),
                  observed=observed, expected=expected, source=readings.source)


def _wanted(wanted: Mapping[str, str], bad: list[str], lower_ipv6: bool) -> str | Msg:
    """The expected value(s) of the keys found wrong."""

    targets = {wanted[k] for k in bad}
    want = (next(iter(targets)) if len(targets) == 1
            else ", ".join(f"{k} = {wanted[k]}" for k in bad))
    if lower_ipv6 and any(k.startswith("net.ipv6.") for k in bad):
        return T("{value} or lower for IPv6", value=want)
    return want


def _fail_message(subject: Msg, shown: list[str | Msg], label: Msg, want: str | Msg,
                  boot: list[str]) -> Msg:
    if boot:
        return T("{subject}: {values} ({label}; expected {want}); the boot configuration would "
                 "set {boot}.", subject=subject, values=shown, label=label, want=want, boot=boot)
    return T("{subject}: {values} ({label}; expected {want}).", subject=subject, values=shown,
             label=label, want=want)


def _pass_message(subject: Msg, values: list[str | Msg], label: Msg, unset: list[Msg],
                  boot: list[str]) -> Msg:
    if unset and boot:
        return T("{subject}: {values} ({label}; {unset}); the boot configuration would set "
                 "{boot}.", subject=subject, values=values, label=label, unset=unset, boot=boot)
    if unset:
        return T("{subject}: {values} ({label}; {unset}).", subject=subject, values=values,
                 label=label, unset=unset)
    if boot:
        return T("{subject}: {values} ({label}); the boot configuration would set {boot}.",
                 subject=subject, values=values, label=label, boot=boot)
    return T("{subject}: {values} ({label}).", subject=subject, values=values, label=label)


_PROBES = ("kernel_sysctl", "sysctl_settings")


@check(
    "kernel.ip_forwarding_disabled",
    title_vi="Tắt chức năng chuyển tiếp gói tin IP (máy chủ không làm bộ định tuyến)",
    title_en="IP forwarding is disabled (the host is not a router)",
    severity="medium",
    probes=_PROBES,
    params={"allowed": False},
    remediation_vi=(
        "Tạo /etc/sysctl.d/60-attt-forwarding.conf với các dòng 'net.ipv4.ip_forward = 0' và "
        "'net.ipv6.conf.all.forwarding = 0', xóa mọi dòng đặt giá trị 1 trong /etc/sysctl.conf "
        f"và /etc/sysctl.d/*.conf, rồi {_APPLY_VI}. Máy làm bộ định tuyến, tường lửa hoặc máy "
        "chủ container cần chuyển tiếp thì khai báo ngoại lệ (allowed: true) trong tệp tailoring."
    ),
    remediation_en=(
        "Create /etc/sysctl.d/60-attt-forwarding.conf with 'net.ipv4.ip_forward = 0' and "
        "'net.ipv6.conf.all.forwarding = 0', remove lines setting 1 from /etc/sysctl.conf and "
        f"/etc/sysctl.d/*.conf, then {_APPLY_EN}. Routers, firewalls and container hosts that "
        "must forward declare the exception (allowed: true) in the tailoring file."
    ),
)
def ip_forwarding_disabled(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """A host that forwards packets between its interfaces can be used to bypass network
    segmentation: traffic from one zone reaches another through it without passing the
    firewall. Only hosts whose role is routing may forward; for them the profile's tailoring
    sets allowed: true."""

    wanted = {"net.ipv4.ip_forward": "0", "net.ipv6.conf.all.forwarding": "0"}
    if params.get("allowed"):
        readings = _read(facts, tuple(wanted))
        if isinstance(readings, Result):
            return readings
        shown = [r.shown() for r in readings.values.values()]
        return Result(Status.PASS, T("IP forwarding is allowed for this host by the profile "
                                     "(allowed: true): {values} ({label}).", values=shown,
                                     label=readings.label),
                      observed={k: r.value for k, r in readings.values.items()},
                      expected="any (forwarding allowed)", source=readings.source)
    return _judge(facts, T("IP forwarding"), wanted)


@check(
    "kernel.aslr_full",
    title_vi="Bật ngẫu nhiên hóa không gian địa chỉ (ASLR) ở mức đầy đủ",
    title_en="Address space layout randomisation (ASLR) is fully enabled",
    severity="medium",
    probes=(*_PROBES, "kernel_build_config"),
    remediation_vi=(
        "Đặt 'kernel.randomize_va_space = 2' trong /etc/sysctl.d/60-attt-kernel.conf, xóa "
        f"các dòng đặt 0 hoặc 1 trong /etc/sysctl.conf và /etc/sysctl.d/*.conf, rồi {_APPLY_VI}."
    ),
    remediation_en=(
        "Set 'kernel.randomize_va_space = 2' in /etc/sysctl.d/60-attt-kernel.conf, remove lines "
        f"setting 0 or 1 from /etc/sysctl.conf and /etc/sysctl.d/*.conf, then {_APPLY_EN}."
    ),
)
def aslr_full(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Address space layout randomisation places the stack, libraries, mmap areas and the heap
    at unpredictable addresses, which turns most memory-corruption exploits from reliable into
    guesswork. Value 2 randomises the heap (brk) too; 1 leaves it fixed and 0 turns ASLR off."""

    return _judge(facts, T("Kernel ASLR"), {"kernel.randomize_va_space": "2"}, build=True)


_REDIRECT_KEYS = {
    "net.ipv4.conf.all.accept_redirects": "0",
    "net.ipv4.conf.default.accept_redirects": "0",
    "net.ipv6.conf.all.accept_redirects": "0",
    "net.ipv6.conf.default.accept_redirects": "0",
    "net.ipv4.conf.all.send_redirects": "0",
    "net.ipv4.conf.default.send_redirects": "0",
}


@check(
    "kernel.redirects_ignored",
    title_vi="Không nhận và không gửi gói ICMP redirect",
    title_en="ICMP redirects are neither accepted nor sent",
    severity="medium",
    probes=_PROBES,
    remediation_vi=(
        "Tạo /etc/sysctl.d/60-attt-redirects.conf với các dòng: "
        "'net.ipv4.conf.all.accept_redirects = 0', 'net.ipv4.conf.default.accept_redirects = 0', "
        "'net.ipv6.conf.all.accept_redirects = 0', 'net.ipv6.conf.default.accept_redirects = 0', "
        "'net.ipv4.conf.all.send_redirects = 0', 'net.ipv4.conf.default.send_redirects = 0'; "
        f"rồi {_APPLY_VI}."
    ),
    remediation_en=(
        "Create /etc/sysctl.d/60-attt-redirects.conf with: "
        "'net.ipv4.conf.all.accept_redirects = 0', 'net.ipv4.conf.default.accept_redirects = 0', "
        "'net.ipv6.conf.all.accept_redirects = 0', 'net.ipv6.conf.default.accept_redirects = 0', "
        "'net.ipv4.conf.all.send_redirects = 0', 'net.ipv4.conf.default.send_redirects = 0'; "
        f"then {_APPLY_EN}."
    ),
)
def redirects_ignored(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """An ICMP redirect rewrites the host's routing table on the word of any machine on the
    local segment, which an attacker uses to route the host's traffic through itself
    (man-in-the-middle). A host that is not a router has no reason to accept redirects or to
    send them."""

    return _judge(facts, T("ICMP redirects"), _REDIRECT_KEYS)


_SOURCE_ROUTE_KEYS = {
    "net.ipv4.conf.all.accept_source_route": "0",
    "net.ipv4.conf.default.accept_source_route": "0",
    "net.ipv6.conf.all.accept_source_route": "0",
    "net.ipv6.conf.default.accept_source_route": "0",
}


def _source_route_ok(key: str, value: int) -> bool:
    # IPv6: 0 accepts only type 2 routing headers (Mobile IPv6), -1 rejects all; both are safe.
    return value <= 0 if key.startswith("net.ipv6.") else value == 0


@check(
    "kernel.source_route_rejected",
    title_vi="Từ chối gói tin định tuyến theo nguồn (source routing)",
    title_en="Source-routed packets are rejected",
    severity="medium",
    probes=_PROBES,
    remediation_vi=(
        "Tạo /etc/sysctl.d/60-attt-source-route.conf với các dòng: "
        "'net.ipv4.conf.all.accept_source_route = 0', "
        "'net.ipv4.conf.default.accept_source_route = 0', "
        "'net.ipv6.conf.all.accept_source_route = 0', "
        f"'net.ipv6.conf.default.accept_source_route = 0'; rồi {_APPLY_VI}."
    ),
    remediation_en=(
        "Create /etc/sysctl.d/60-attt-source-route.conf with: "
        "'net.ipv4.conf.all.accept_source_route = 0', "
        "'net.ipv4.conf.default.accept_source_route = 0', "
        "'net.ipv6.conf.all.accept_source_route = 0', "
        f"'net.ipv6.conf.default.accept_source_route = 0'; then {_APPLY_EN}."
    ),
)
def source_route_rejected(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """With source routing the sender dictates the path of a packet, which lets an attacker
    steer traffic around firewalls or make it appear to come from a trusted network. IPv4
    source routing must be off; for IPv6 only type-2 routing headers (0) or none (-1) are
    accepted."""

    return _judge(facts, T("Source routing"), _SOURCE_ROUTE_KEYS, _source_route_ok)


@check(
    "kernel.syn_cookies_enabled",
    title_vi="Bật TCP SYN cookies chống tấn công SYN flood",
    title_en="TCP SYN cookies are enabled against SYN floods",
    severity="medium",
    probes=_PROBES,
    remediation_vi=(
        "Đặt 'net.ipv4.tcp_syncookies = 1' trong /etc/sysctl.d/60-attt-kernel.conf, xóa các "
        f"dòng đặt 0 trong /etc/sysctl.conf và /etc/sysctl.d/*.conf, rồi {_APPLY_VI}."
    ),
    remediation_en=(
        "Set 'net.ipv4.tcp_syncookies = 1' in /etc/sysctl.d/60-attt-kernel.conf, remove lines "
        f"setting 0 from /etc/sysctl.conf and /etc/sysctl.d/*.conf, then {_APPLY_EN}."
    ),
)
def syn_cookies_enabled(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """A SYN flood fills the queue of half-open TCP connections so that legitimate clients can
    no longer connect. With SYN cookies the kernel answers from a cryptographic cookie once the
    queue overflows and keeps serving real clients."""

    return _judge(facts, T("TCP SYN cookies"), {"net.ipv4.tcp_syncookies": "1"})


@check(
    "kernel.core_dumps_restricted",
    title_vi="Chương trình set-uid không được ghi core dump",
    title_en="Set-uid programs do not write core dumps",
    severity="medium",
    probes=_PROBES,
    remediation_vi=(
        "Đặt 'fs.suid_dumpable = 0' trong /etc/sysctl.d/60-attt-kernel.conf, xóa các dòng đặt "
        f"1 hoặc 2 trong /etc/sysctl.conf và /etc/sysctl.d/*.conf, rồi {_APPLY_VI}. Có thể "
        "thêm '* hard core 0' vào /etc/security/limits.conf để chặn core dump của mọi tiến trình."
    ),
    remediation_en=(
        "Set 'fs.suid_dumpable = 0' in /etc/sysctl.d/60-attt-kernel.conf, remove lines setting "
        f"1 or 2 from /etc/sysctl.conf and /etc/sysctl.d/*.conf, then {_APPLY_EN}. Optionally "
        "add '* hard core 0' to /etc/security/limits.conf to stop core dumps of every process."
    ),
)
def core_dumps_restricted(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """The memory image of a privileged program (su, sudo, passwd) holds password hashes, keys
    and other secrets. With fs.suid_dumpable 1 or 2 such a process can leave that image in a
    core file that an unprivileged user may read or provoke; 0 forbids it."""

    return _judge(facts, T("Core dumps of set-uid programs"), {"fs.suid_dumpable": "0"})


@check(
    "kernel.dmesg_restricted",
    title_vi="Chỉ người dùng đặc quyền được đọc nhật ký nhân (dmesg)",
    title_en="Only privileged users can read the kernel log (dmesg)",
    severity="low",
    probes=(*_PROBES, "kernel_build_config"),
    remediation_vi=(
        "Đặt 'kernel.dmesg_restrict = 1' trong /etc/sysctl.d/60-attt-kernel.conf, xóa các dòng "
        f"đặt 0 trong /etc/sysctl.conf và /etc/sysctl.d/*.conf, rồi {_APPLY_VI}."
    ),
    remediation_en=(
        "Set 'kernel.dmesg_restrict = 1' in /etc/sysctl.d/60-attt-kernel.conf, remove lines "
        f"setting 0 from /etc/sysctl.conf and /etc/sysctl.d/*.conf, then {_APPLY_EN}."
    ),
)
def dmesg_restricted(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """The kernel log shows kernel addresses, hardware details and the traces of failed
    attacks, which help an unprivileged local attacker defeat KASLR and tune an exploit. With
    kernel.dmesg_restrict = 1 only processes with CAP_SYSLOG may read it."""

    return _judge(facts, T("Kernel log access"), {"kernel.dmesg_restrict": "1"}, build=True)
