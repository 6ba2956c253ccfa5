"""Mandatory access control: AppArmor with enforcing profiles, or SELinux enforcing.

How the facts are read (sources, order, offline limits): :mod:`attt.probes.mac`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attt.messages import Msg, T
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
    status, message = _live_verdict(st, counts)
    return Result(status, message, observed=observed, expected=expected, source=source)


def _live_verdict(st: dict[str, Any], counts: dict[str, int]) -> tuple[Status, Msg]:
    if st["selinux_enforce"] is True:
        if st["selinux_config"] not in (None, "enforcing"):
            return Status.FAIL, T("SELinux is enforcing now but {file} has SELINUX={mode}: the "
                                  "next boot will not enforce.", file=SELINUX_CONFIG,
                                  mode=st["selinux_config"])
        if st["selinux_config"]:
            return Status.PASS, T("SELinux is enforcing (SELINUX={mode} in {file}).",
                                  mode=st["selinux_config"], file=SELINUX_CONFIG)
        return Status.PASS, T("SELinux is enforcing.")
    if st["apparmor_enabled"] is True:
        return _apparmor_verdict(st, counts)
    if st["selinux_enforce"] is False:
        return Status.FAIL, T("SELinux is in permissive mode and AppArmor is not enabled.")
    return Status.FAIL, T("Neither SELinux nor AppArmor is active in the running kernel.")


def _apparmor_verdict(st: dict[str, Any], counts: dict[str, int]) -> tuple[Status, Msg]:
    if not st["profiles_readable"]:
        return Status.ERROR, T("AppArmor is enabled but its profile list is readable by root "
                               "only; run the scan as root.")
    if counts.get("enforce", 0) > 0:
        return Status.PASS, T("AppArmor is enabled with {enforce} profile(s) in enforce mode "
                              "({complain} in complain mode).", enforce=counts["enforce"],
                              complain=counts.get("complain", 0))
    if counts:
        loaded = [T("{count} {mode}", count=v, mode=k) for k, v in counts.items()]
        return Status.FAIL, T("AppArmor is enabled but no profile is in enforce mode "
                              "({counts}).", counts=loaded)
    return Status.FAIL, T("AppArmor is enabled but no profile is in enforce mode (none "
                          "loaded).")


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
        return Result(Status.PASS, T("SELinux is set to enforcing in {file}.",
                                     file=SELINUX_CONFIG),
                      observed=observed, expected=expected, source=source)
    if aa_enabled and enforced:
        return Result(Status.PASS, T("apparmor.service is enabled at boot with {count} "
                                     "profile(s) in {directory} not disabled or in complain "
                                     "mode.", count=len(enforced), directory=AA_DIR),
                      observed=observed, expected=expected, source=source)
    if not units.systemd and enforced and mode is None:
        return Result(Status.ERROR, T("{directory} has profiles but without systemd it cannot be "
                                      "told offline whether AppArmor starts at boot.",
                                      directory=AA_DIR),
                      observed=observed, expected=expected, source=source)
    selinux_part = (T("SELINUX={mode} in {file}", mode=mode, file=SELINUX_CONFIG) if mode
                    else T("no {file}", file=SELINUX_CONFIG))
    if not aa.profiles:
        aa_part = T("no AppArmor profiles in {directory}", directory=AA_DIR)
    elif aa_enabled:
        aa_part = T("apparmor.service enabled with {count} enforceable profile(s)",
                    count=len(enforced))
    else:
        aa_part = T("apparmor.service not enabled with {count} enforceable profile(s)",
                    count=len(enforced))
    return Result(Status.FAIL, T("No mandatory access control is set to enforce: {selinux}; "
                                 "{apparmor}.", selinux=selinux_part, apparmor=aa_part),
                  observed=observed, expected=expected, source=source)


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
