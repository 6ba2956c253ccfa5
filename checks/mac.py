"""Mandatory access control: AppArmor with enforcing profiles, or SELinux enforcing.

How the facts are read (sources, order, offline limits): :mod:`attt.probes.mac`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attt.model import Result, Status
from attt.probes.mac import AA_DIR, MAC_MODES, SELINUX_CONFIG, AppArmorFiles
from attt.probes.systemd import EnabledUnits
from attt.registry import ScopedFacts, check


def _live(facts: ScopedFacts) -> Result:
    st: dict[str, Any] = facts.get("mac_status")
    profiles: dict[str, str] = st["profiles"]
    counts = {m: sum(1 for v in profiles.values() if v == m) for m in MAC_MODES}
    counts = {k: v for k, v in counts.items() if v}
    observed = {"apparmor_enabled": st["apparmor_enabled"], "apparmor_profiles": counts,
                "selinux_enforce": st["selinux_enforce"], "selinux_config": st["selinux_config"]}
    expected = "SELinux enforcing (runtime and config), or AppArmor enabled with profiles enforced"
    source = "mac_status (sysfs, /etc/selinux/config)"
    if st["selinux_enforce"] is True:
        if st["selinux_config"] not in (None, "enforcing"):
            return Result(Status.FAIL, f"SELinux is enforcing now but {SELINUX_CONFIG} has "
                          f"SELINUX={st['selinux_config']}: the next boot will not enforce.",
                          observed=observed, expected=expected, source=source)
        return Result(Status.PASS, "SELinux is enforcing"
                      + (f" (SELINUX={st['selinux_config']} in {SELINUX_CONFIG})"
                         if st["selinux_config"] else "") + ".",
                      observed=observed, expected=expected, source=source)
    if st["apparmor_enabled"] is True:
        if not st["profiles_readable"]:
            return Result(Status.ERROR, "AppArmor is enabled but its profile list is readable "
                          "by root only; run the scan as root.",
                          observed=observed, expected=expected, source=source)
        if counts.get("enforce", 0) > 0:
            return Result(Status.PASS, f"AppArmor is enabled with {counts['enforce']} profile(s) "
                          f"in enforce mode ({counts.get('complain', 0)} in complain mode).",
                          observed=observed, expected=expected, source=source)
        return Result(Status.FAIL, "AppArmor is enabled but no profile is in enforce mode "
                      f"({', '.join(f'{v} {k}' for k, v in counts.items()) or 'none loaded'}).",
                      observed=observed, expected=expected, source=source)
    if st["selinux_enforce"] is False:
        return Result(Status.FAIL, "SELinux is in permissive mode and AppArmor is not enabled.",
                      observed=observed, expected=expected, source=source)
    return Result(Status.FAIL, "Neither SELinux nor AppArmor is active in the running kernel.",
                  observed=observed, expected=expected, source=source)


def _offline(facts: ScopedFacts) -> Result:
    selinux: dict[str, str] | None = facts.get("selinux_config")
    aa: AppArmorFiles = facts.get("apparmor_profile_files")
    units: EnabledUnits = facts.get("systemd_enabled")
    mode = (selinux or {}).get("SELINUX")
    enforced = [p for p in aa.profiles if p not in aa.disabled and p not in aa.complain]
    aa_enabled = units.enabled("apparmor.service")
    observed = {"SELINUX": mode, "apparmor_service_enabled": aa_enabled if units.systemd
                else None, "apparmor_profiles": len(aa.profiles),
                "apparmor_enforced_profiles": enforced[:20], "disabled": list(aa.disabled),
                "complain": list(aa.complain)}
    expected = "SELINUX=enforcing, or apparmor.service enabled with enforced profiles"
    source = f"{SELINUX_CONFIG}, {AA_DIR}, systemd_enabled"
    if mode == "enforcing":
        return Result(Status.PASS, f"SELinux is set to enforcing in {SELINUX_CONFIG}.",
                      observed=observed, expected=expected, source=source)
    if aa_enabled and enforced:
        return Result(Status.PASS, f"apparmor.service is enabled at boot with {len(enforced)} "
                      f"profile(s) in {AA_DIR} not disabled or in complain mode.",
                      observed=observed, expected=expected, source=source)
    if not units.systemd and enforced and mode is None:
        return Result(Status.ERROR, f"{AA_DIR} has profiles but without systemd it cannot be "
                      "told offline whether AppArmor starts at boot.",
                      observed=observed, expected=expected, source=source)
    parts = [f"SELINUX={mode} in {SELINUX_CONFIG}" if mode else f"no {SELINUX_CONFIG}"]
    if aa.profiles:
        parts.append(f"apparmor.service {'enabled' if aa_enabled else 'not enabled'} with "
                     f"{len(enforced)} enforceable profile(s)")
    else:
        parts.append(f"no AppArmor profiles in {AA_DIR}")
    return Result(Status.FAIL, f"No mandatory access control is set to enforce: "
                  f"{'; '.join(parts)}.", observed=observed, expected=expected, source=source)


@check(
    "mac.enforcing",
    title_vi="Cơ chế kiểm soát truy cập bắt buộc (SELinux/AppArmor) ở chế độ cưỡng chế",
    title_en="Mandatory access control (SELinux or AppArmor) is enforcing",
    severity="medium",
    probes=("mac_status", "selinux_config", "apparmor_profile_files", "systemd_enabled"),
    remediation_vi=(
        "RHEL: đặt 'SELINUX=enforcing' trong /etc/selinux/config, chạy 'fixfiles onboot' nếu "
        "trước đó bị tắt, khởi động lại và kiểm tra bằng 'getenforce'. Debian/Ubuntu: 'apt "
        "install apparmor apparmor-utils apparmor-profiles', 'systemctl enable --now apparmor', "
        "chuyển hồ sơ sang enforce bằng 'aa-enforce /etc/apparmor.d/<hồ sơ>' và kiểm tra bằng "
        "'aa-status'. Không để 'apparmor=0' hay 'selinux=0' trên dòng lệnh kernel."
    ),
    remediation_en=(
        "RHEL: set 'SELINUX=enforcing' in /etc/selinux/config, run 'fixfiles onboot' if it was "
        "disabled, reboot and check with 'getenforce'. Debian/Ubuntu: 'apt install apparmor "
        "apparmor-utils apparmor-profiles', 'systemctl enable --now apparmor', put profiles in "
        "enforce mode with 'aa-enforce /etc/apparmor.d/<profile>' and check with 'aa-status'. "
        "Keep 'apparmor=0' and 'selinux=0' off the kernel command line."
    ),
)
def enforcing(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Mandatory access control confines services to what their policy allows even when they
    run as root, so a compromised web server or daemon cannot read the whole disk or start a
    shell. It only protects when enforcing: SELinux in enforcing mode, or AppArmor enabled with
    its profiles in enforce mode (complain mode only logs)."""

    if facts.mode == "offline":
        return _offline(facts)
    return _live(facts)
