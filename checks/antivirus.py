"""Malware protection: a known anti-malware product is installed and running.

Live hosts: a product counts when one of its scanning processes runs; installed but not
running fails with the product named.  Offline trees: a product counts when its service is
enabled at boot (the package, when the dpkg database is readable, is reported beside it).
Management agents (Kaspersky Network Agent) are reported but do not count on their own: they
manage protection, they do not provide it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attt.model import Result, Status
from attt.probes.av import Product, products
from attt.probes.packages import Packages
from attt.probes.processes import ProcessTable
from attt.probes.systemd import EnabledUnits
from attt.registry import ScopedFacts, check

# ESET's generic process names (startd, scand) only count next to an ESET package or service.
_NEEDS_CONFIRMATION = {"ESET Server/Endpoint Security for Linux"}


_EXPECTED = "an anti-malware product installed and running"


def _live(facts: ScopedFacts, table: tuple[Product, ...]) -> Result:
    procs: ProcessTable = facts.get("processes")
    pkgs: Packages | None = facts.get("packages") if facts.has("packages") else None
    running, stopped, agents = [], [], []
    for product in table:
        found = procs.find(product.processes)
        installed = [p for p in product.packages if pkgs and pkgs.version(p) is not None]
        if product.name in _NEEDS_CONFIRMATION and not installed:
            found = []
        if not product.protects:
            if found or installed:
                agents.append(product.name)
            continue
        if found:
            extra = ""
            if product.updater:
                up = procs.find(product.updater)
                extra = (f"; updater {', '.join(up)} running" if up
                         else f"; updater {product.updater[0]} not running")
            running.append(f"{product.name} ({', '.join(found)} running{extra})")
        elif installed:
            stopped.append(f"{product.name} (package {', '.join(installed)} installed, "
                           f"none of {', '.join(product.processes)} running)")
    observed = {"running": running, "installed_not_running": stopped,
                "management_agents": agents,
                "packages": pkgs.source if pkgs else "package list unavailable"}
    if running:
        return Result(Status.PASS, f"Anti-malware is running: {'; '.join(running)}.",
                      observed=observed, expected=_EXPECTED, source="processes, packages")
    if stopped:
        return Result(Status.FAIL, f"Anti-malware is installed but not running: "
                      f"{'; '.join(stopped)}.", observed=observed, expected=_EXPECTED,
                      source="processes, packages")
    note = f" (management agent only: {', '.join(agents)})" if agents else ""
    return Result(Status.FAIL, f"No known anti-malware product is installed or running{note}.",
                  observed=observed, expected=_EXPECTED, source="processes, packages")


def _offline(facts: ScopedFacts, table: tuple[Product, ...]) -> Result:
    units: EnabledUnits = facts.get("systemd_enabled")
    pkgs: Packages = facts.get("packages")
    enabled, idle, agents = [], [], []
    for product in table:
        on = [s for s in product.services if units.enabled(s)]
        installed = [p for p in product.packages if pkgs.version(p) is not None]
        if not product.protects:
            if on or installed:
                agents.append(product.name)
            continue
        if on:
            pkg = f", package {', '.join(installed)}" if installed else ""
            enabled.append(f"{product.name} ({', '.join(on)} enabled at boot{pkg})")
        elif installed:
            idle.append(f"{product.name} (package {', '.join(installed)} installed, no service "
                        "enabled at boot)")
    observed = {"enabled_at_boot": enabled, "installed_not_enabled": idle,
                "management_agents": agents, "packages": pkgs.source}
    source = "systemd_enabled, packages"
    if enabled:
        return Result(Status.PASS, f"Anti-malware is enabled at boot: {'; '.join(enabled)}.",
                      observed=observed, expected=_EXPECTED, source=source)
    if idle:
        return Result(Status.FAIL, f"Anti-malware is installed but not enabled at boot: "
                      f"{'; '.join(idle)}.", observed=observed, expected=_EXPECTED, source=source)
    if not units.systemd:
        return Result(Status.ERROR, "No systemd unit directories in the tree: services enabled "
                      "at boot cannot be read.", observed=observed, expected=_EXPECTED,
                      source=source)
    note = f" (management agent only: {', '.join(agents)})" if agents else ""
    pkgnote = "" if pkgs.manager != "none" else f"; {pkgs.source}"
    return Result(Status.FAIL, f"No known anti-malware service is enabled at boot{note}"
                  f"{pkgnote}.", observed=observed, expected=_EXPECTED, source=source)


@check(
    "antivirus.running",
    title_vi="Có phần mềm phòng chống mã độc được cài đặt và đang hoạt động",
    title_en="Anti-malware software is installed and running",
    severity="high",
    probes=("processes", "packages", "systemd_enabled"),
    params={"extra_products": []},
    remediation_vi=(
        "Cài đặt giải pháp phòng chống mã độc được đơn vị phê duyệt (ví dụ Kaspersky Endpoint "
        "Security for Linux, Bkav, ESET, Trend Micro hoặc ClamAV với clamav-daemon và "
        "clamav-freshclam), bật dịch vụ khởi động cùng hệ thống ('systemctl enable --now "
        "<dịch vụ>') và bảo đảm cơ sở dữ liệu mẫu được cập nhật. Nếu dùng sản phẩm không có "
        "trong danh sách, khai báo trong tham số extra_products."
    ),
    remediation_en=(
        "Install the agency's approved anti-malware product (for example Kaspersky Endpoint "
        "Security for Linux, Bkav, ESET, Trend Micro, or ClamAV with clamav-daemon and "
        "clamav-freshclam), enable its service at boot ('systemctl enable --now <service>') and "
        "keep its signatures updated. Declare products not in the built-in list with the "
        "extra_products parameter."
    ),
)
def antivirus_running(facts: ScopedFacts, params: Mapping[str, Any]) -> Result:
    """Servers that store or exchange files need active malware protection so that malicious
    code is detected before it spreads; an installed product whose daemon is stopped gives no
    protection at all."""

    try:
        table = products(params)
    except ValueError as exc:
        return Result(Status.ERROR, f"The extra_products parameter is invalid: {exc}.",
                      observed=None, expected=None, source="params")
    return _live(facts, table) if facts.mode == "live" else _offline(facts, table)
