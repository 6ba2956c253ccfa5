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

from attt.messages import Msg, T
from attt.model import Result, Status
from attt.probes.agents import ParamError
from attt.probes.av import Product, products
from attt.probes.packages import Packages
from attt.probes.processes import ProcessTable
from attt.probes.systemd import EnabledUnits
from attt.registry import ScopedFacts, check

# ESET's generic process names (startd, scand) only count next to an ESET package or service.
_NEEDS_CONFIRMATION = {"ESET Server/Endpoint Security for Linux"}


_EXPECTED = "an anti-malware product installed and running"
# What Packages.source says when manager is "none" (attt.probes.packages), as a message.
_NO_PACKAGE_DB = T("no /var/lib/dpkg/status (RPM databases are not read offline)")


def _english(items: list[Msg]) -> list[str]:
    # observed stays data: the English rendering of the phrases the message lists.
    return [str(m) for m in items]


def _running(product: Product, found: list[str], procs: ProcessTable) -> Msg:
    if not product.updater:
        return T("{product} ({processes} running)", product=product.name, processes=found)
    up = procs.find(product.updater)
    updater = (T("updater {processes} running", processes=up) if up
               else T("updater {process} not running", process=product.updater[0]))
    return T("{product} ({processes} running; {updater})", product=product.name,
             processes=found, updater=updater)


def _live(facts: ScopedFacts, table: tuple[Product, ...]) -> Result:
    procs: ProcessTable = facts.get("processes")
    pkgs: Packages | None = facts.get("packages") if facts.has("packages") else None
    running: list[Msg] = []
    stopped: list[Msg] = []
    agents: list[str] = []
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
            running.append(_running(product, found, procs))
        elif installed:
            stopped.append(T("{product} (package {packages} installed, none of {processes} "
                             "running)", product=product.name, packages=installed,
                             processes=list(product.processes)))
    observed = {"running": _english(running), "installed_not_running": _english(stopped),
                "management_agents": agents,
                "packages": pkgs.source if pkgs else "package list unavailable"}
    source = "processes, packages"
    if running:
        return Result(Status.PASS, T("Anti-malware is running: {products}.", products=running),
                      observed=observed, expected=_EXPECTED, source=source)
    if stopped:
        return Result(Status.FAIL, T("Anti-malware is installed but not running: {products}.",
                                     products=stopped),
                      observed=observed, expected=_EXPECTED, source=source)
    if agents:
        return Result(Status.FAIL, T("No known anti-malware product is installed or running "
                                     "(management agent only: {agents}).", agents=agents),
                      observed=observed, expected=_EXPECTED, source=source)
    return Result(Status.FAIL, T("No known anti-malware product is installed or running."),
                  observed=observed, expected=_EXPECTED, source=source)


def _enabled(product: Product, on: list[str], installed: list[str]) -> Msg:
    if installed:
        return T("{product} ({units} enabled at boot, package {packages})",
                 product=product.name, units=on, packages=installed)
    return T("{product} ({units} enabled at boot)", product=product.name, units=on)


def _offline(facts: ScopedFacts, table: tuple[Product, ...]) -> Result:
    units: EnabledUnits = facts.get("systemd_enabled")
    pkgs: Packages = facts.get("packages")
    enabled: list[Msg] = []
    idle: list[Msg] = []
    agents: list[str] = []
    for product in table:
        on = [s for s in product.services if units.enabled(s)]
        installed = [p for p in product.packages if pkgs.version(p) is not None]
        if not product.protects:
            if on or installed:
                agents.append(product.name)
            continue
        if on:
            enabled.append(_enabled(product, on, installed))
        elif installed:
            idle.append(T("{product} (package {packages} installed, no service enabled at "
                          "boot)", product=product.name, packages=installed))
    observed = {"enabled_at_boot": _english(enabled), "installed_not_enabled": _english(idle),
                "management_agents": agents, "packages": pkgs.source}
    source = "systemd_enabled, packages"
    if enabled:
        return Result(Status.PASS, T("Anti-malware is enabled at boot: {products}.",
                                     products=enabled),
                      observed=observed, expected=_EXPECTED, source=source)
    if idle:
        return Result(Status.FAIL, T("Anti-malware is installed but not enabled at boot: "
                                     "{products}.", products=idle),
                      observed=observed, expected=_EXPECTED, source=source)
    if not units.systemd:
        return Result(Status.ERROR, T("No systemd unit directories in the tree: services "
                                      "enabled at boot cannot be read."),
                      observed=observed, expected=_EXPECTED, source=source)
    return Result(Status.FAIL, _none_enabled(agents, pkgs), observed=observed,
                  expected=_EXPECTED, source=source)


def _none_enabled(agents: list[str], pkgs: Packages) -> Msg:
    # Without a package database the services are the only evidence; the message says so.
    if pkgs.manager == "none":
        if agents:
            return T("No known anti-malware service is enabled at boot (management agent "
                     "only: {agents}); {packages}.", agents=agents, packages=_NO_PACKAGE_DB)
        return T("No known anti-malware service is enabled at boot; {packages}.",
                 packages=_NO_PACKAGE_DB)
    if agents:
        return T("No known anti-malware service is enabled at boot (management agent only: "
                 "{agents}).", agents=agents)
    return T("No known anti-malware service is enabled at boot.")


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
    except ParamError as exc:
        return Result(Status.ERROR, T("The {param} parameter is invalid: {reason}.",
                                      param="extra_products", reason=exc.message),
                      observed=None, expected=None, source="params")
    return _live(facts, table) if facts.mode == "live" else _offline(facts, table)
