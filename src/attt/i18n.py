"""Report-language support: gettext catalogs shipped in ``attt.reports``.

msgids are English.  Vietnamese (the default report language) comes from
``reports/attt-vi.mo``, compiled from ``reports/attt-vi.po`` by ``tools/i18n.py``.
English needs no catalog.  Labels for codes that appear in the results document (statuses,
layers, severities ...) are marked here with ``N_`` so the extractor finds them; callers
translate them at render time with ``gettext_for(lang)``.

Messages the command line prints use ``str.format`` placeholders::

    _ = gettext_for(settings.lang)
    click.echo(_("Report written to {path}").format(path=out))
"""

from __future__ import annotations

import functools
import gettext
import importlib.resources
from collections.abc import Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

DOMAIN = "attt"
# Dates in reports, run ids and waiver expiry are Vietnam time, whatever the scanning machine's.
VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_LANG = "vi"
LANGUAGES: tuple[str, ...] = ("vi", "en")


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now."""

    return message


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The catalog for ``lang`` (``vi`` or ``en``), loaded once from the package data."""

    if lang not in LANGUAGES:
        raise ValueError(f"unsupported report language {lang!r}; choose one of {LANGUAGES}")
    if lang == "en":
        return gettext.NullTranslations()
    resource = importlib.resources.files("attt.reports").joinpath(f"{DOMAIN}-{lang}.mo")
    with resource.open("rb") as fh:
        return gettext.GNUTranslations(fh)


def gettext_for(lang: str) -> Callable[[str], str]:
    """The ``gettext`` function of a report language."""

    return translations(lang).gettext


def ngettext_for(lang: str) -> Callable[[str, str, int], str]:
    """The ``ngettext`` function of a report language."""

    return translations(lang).ngettext


STATUS_LABELS: Mapping[str, str] = {
    "pass": N_("Pass"),
    "fail": N_("Fail"),
    "error": N_("Error"),
    "not_applicable": N_("Not applicable"),
    "manual": N_("Evidence needed"),
    "waived": N_("Waived"),
}

# Worst first; the order findings and counts are listed in.
STATUS_DISPLAY_ORDER: tuple[str, ...] = (
    "fail", "error", "manual", "waived", "pass", "not_applicable",
)

LAYER_LABELS: Mapping[int, str] = {
    1: N_("On-site force"),
    2: N_("Professional monitoring and protection"),
    3: N_("Independent inspection and assessment"),
    4: N_("Connection and information sharing with the national monitoring system"),
}

SEVERITY_LABELS: Mapping[str, str] = {
    "low": N_("Low"),
    "medium": N_("Medium"),
    "high": N_("High"),
    "critical": N_("Critical"),
}

RUN_VERDICT_LABELS: Mapping[str, str] = {
    "compliant": N_("Compliant"),
    "non_compliant": N_("Non-compliant"),
    "incomplete": N_("Incomplete"),
}

KIND_LABELS: Mapping[str, str] = {
    "automated": N_("Automated"),
    "evidence": N_("Documents"),
    "mixed": N_("Automated and documents"),
}

# Requirement groups of both regimes' catalogues (the report's wording; the dossier's is in
# attt.dossier.labels).
GROUP_LABELS: Mapping[str, str] = {
    "policy": N_("Policy"),
    "organisation": N_("Organisation"),
    "human-resources": N_("Human resources"),
    "design-build": N_("Design and build"),
    "operation": N_("Operation"),
    "risk-plan": N_("Risk management plan"),
    "end-of-life": N_("End of operation and disposal"),
    "network-zones": N_("Network zones"),
    "design-solutions": N_("Design solutions"),
    "network": N_("Network security"),
    "server": N_("Server security"),
    "application": N_("Application security"),
    "data": N_("Data security"),
    # Law 116/2025 + Decree 331/2026: TCVN 14423:2026 groups and the decree's own obligations.
    "general": N_("General obligations of the regulation"),
    "nd331-obligations": N_("Obligations of Decree 331 outside the standard"),
    "risk-management": N_("Risk management"),
    "hardware-assets": N_("Hardware assets"),
    "software-assets": N_("Software assets"),
    "personnel": N_("Personnel"),
    "suppliers": N_("Suppliers"),
    "incident-response": N_("Incident response"),
    "security-testing": N_("Security testing"),
    "information-assets": N_("Information assets"),
    "secure-configuration": N_("Secure configuration"),
    "accounts-access": N_("Accounts and access control"),
    "vulnerability-mgmt": N_("Vulnerability management"),
    "security-logging": N_("Security logging"),
    "browser-email": N_("Browser and e-mail protection"),
    "anti-malware": N_("Malware protection"),
    "backup-recovery": N_("Backup and recovery"),
    "network-infrastructure": N_("Network infrastructure"),
    "monitoring-defence": N_("Monitoring and defence"),
    "secure-development": N_("Secure development"),
    "national-programmes": N_("National programmes (advisory)"),
}

HOST_STATE_LABELS: Mapping[str, str] = {
    "ok": N_("Scanned"),
    "scanned": N_("Scanned"),
    "partial": N_("Partly scanned"),
    "error": N_("Error"),
    "unreachable": N_("Unreachable"),
    "auth_error": N_("Authentication failed"),
    "hostkey_error": N_("Host key rejected"),
    "timeout": N_("Timed out"),
    "skipped": N_("Skipped"),
    "interrupted": N_("Interrupted"),
    "pending": N_("Not scanned"),
}

# Fixed reasons the grader writes (grading.py); free-text reasons are shown as written.
REASON_LABELS: Mapping[str, str] = {
    "document evidence not yet attested": N_("document evidence not yet attested"),
    "no host in scope": N_("no host in scope"),
}


def label(table: Mapping[Any, str], key: object, lang: str) -> str:
    """Translated label of a document code; unknown codes are shown as they are."""

    text = table.get(key)
    if text is None:
        return str(key)
    return gettext_for(lang)(str(text))


__all__ = [
    "DEFAULT_LANG",
    "DOMAIN",
    "GROUP_LABELS",
    "HOST_STATE_LABELS",
    "KIND_LABELS",
    "LANGUAGES",
    "LAYER_LABELS",
    "N_",
    "REASON_LABELS",
    "RUN_VERDICT_LABELS",
    "SEVERITY_LABELS",
    "STATUS_DISPLAY_ORDER",
    "STATUS_LABELS",
    "gettext_for",
    "label",
    "ngettext_for",
    "translations",
]
