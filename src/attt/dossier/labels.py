"""Fixed wording of the dossier: requirement groups, plan parts, status and answer labels, who
appraises and approves, and the per-regime references, headings and standard (``wording``)."""

from __future__ import annotations

from dataclasses import dataclass

from .. import i18n
from ..i18n import N_

QUOC_HIEU = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
TIEU_NGU = "Độc lập - Tự do - Hạnh phúc"

# Requirement groups -> plan part and printed title.  TT12: the appendix headings; TCVN 14423:
# Decree 331 Art. 30.3 (management) / 30.4 (technical) as mapped in the catalogue.
GROUPS: dict[str, tuple[str, str]] = {
    "general": ("management", i18n.GROUP_LABELS["general"]),
    "nd331-obligations": ("management", i18n.GROUP_LABELS["nd331-obligations"]),
    "policy": ("management", N_("Security policy")),
    "organisation": ("management", N_("Security organisation")),
    "human-resources": ("management", N_("Human resources")),
    "design-build": ("management", N_("Design and build")),
    "operation": ("management", N_("Operation")),
    "risk-plan": ("management", N_("Risk management")),
    "end-of-life": ("management", N_("End of operation and disposal")),
    "risk-management": ("management", i18n.GROUP_LABELS["risk-management"]),
    "hardware-assets": ("management", i18n.GROUP_LABELS["hardware-assets"]),
    "software-assets": ("management", i18n.GROUP_LABELS["software-assets"]),
    "personnel": ("management", i18n.GROUP_LABELS["personnel"]),
    "suppliers": ("management", i18n.GROUP_LABELS["suppliers"]),
    "incident-response": ("management", i18n.GROUP_LABELS["incident-response"]),
    "security-testing": ("management", i18n.GROUP_LABELS["security-testing"]),
    "network-zones": ("technical", N_("Network zones")),
    "design-solutions": ("technical", N_("Design solutions")),
    "network": ("technical", N_("Network security")),
    "server": ("technical", N_("Server security")),
    "application": ("technical", N_("Application security")),
    "data": ("technical", N_("Data security")),
    "information-assets": ("technical", i18n.GROUP_LABELS["information-assets"]),
    "secure-configuration": ("technical", i18n.GROUP_LABELS["secure-configuration"]),
    "accounts-access": ("technical", i18n.GROUP_LABELS["accounts-access"]),
    "vulnerability-mgmt": ("technical", i18n.GROUP_LABELS["vulnerability-mgmt"]),
    "security-logging": ("technical", i18n.GROUP_LABELS["security-logging"]),
    "browser-email": ("technical", i18n.GROUP_LABELS["browser-email"]),
    "anti-malware": ("technical", i18n.GROUP_LABELS["anti-malware"]),
    "backup-recovery": ("technical", i18n.GROUP_LABELS["backup-recovery"]),
    "network-infrastructure": ("technical", i18n.GROUP_LABELS["network-infrastructure"]),
    "monitoring-defence": ("technical", i18n.GROUP_LABELS["monitoring-defence"]),
    "secure-development": ("technical", i18n.GROUP_LABELS["secure-development"]),
    "national-programmes": ("technical", i18n.GROUP_LABELS["national-programmes"]),
}
# Decree 331 Art. 29.2: the seven parts of the plan and the TCVN groups implementing each.
PLAN_PARTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("a", N_("Design and build"), ("network-infrastructure", "secure-development")),
    ("b", N_("Operation"), ("hardware-assets", "software-assets", "information-assets",
                            "secure-configuration", "accounts-access", "vulnerability-mgmt",
                            "browser-email", "anti-malware", "network-infrastructure",
                            "personnel", "suppliers")),
    ("c", N_("Checking and assessment"), ("vulnerability-mgmt", "security-testing")),
    ("d", N_("Risk management"), ("risk-management",)),
    ("đ", N_("Monitoring"), ("security-logging", "monitoring-defence")),
    ("e", N_("Contingency, incident response and disaster recovery"),
     ("backup-recovery", "incident-response")),
    ("g", N_("End of operation and disposal"), ("hardware-assets",)),
)
# The scan report's status labels, so that a requirement the report grades "Không đạt" is
# "Không đạt" in the dossier too; plus "not scanned" for checks that no scan has run yet.
STATUS_LABELS: dict[str, str] = {**i18n.STATUS_LABELS, "not_scanned": N_("Not scanned")}
NOT_MET = ("fail", "error")
# tools/regulation/dossier.md §1.2: who appraises and who approves, per level.
AUTHORITY: dict[int, tuple[str, str]] = {
    1: (N_("the owner's specialised security unit"), N_("the owner's specialised security unit")),
    2: (N_("the owner's specialised security unit"), N_("the owner's specialised security unit")),
    3: (N_("the owner's specialised security unit"), N_("the system owner")),
    4: (N_("the competent ministry (Ministry of Public Security)"), N_("the system owner")),
    5: (N_("the competent ministry (Ministry of Public Security)"),
        N_("the Prime Minister (list) and the system owner (plan)")),
}
SYSTEM_TYPE_LABELS = {
    "internal": N_("internal operations of the agency"),
    "citizen_business": N_("serves citizens and businesses"),
    "infrastructure": N_("information infrastructure"),
    "industrial_control": N_("industrial control system"),
}
INFO_LABELS = {
    "public": N_("public information"),
    "internal": N_("private (internal) information"),
    "personal": N_("personal data"),
    "state_secret": N_("state secrets"),
}
# Zone roles (attt.network.zones.ZONE_ROLES) as Circular 12 Appendix III II.1/a names them.
ZONE_ROLE_LABELS = {
    "internal": N_("internal user zone"),
    "perimeter": N_("perimeter zone"),
    "dmz": N_("DMZ zone"),
    "internal_server": N_("internal server zone"),
    "wireless": N_("wireless zone"),
    "db_server": N_("database server zone"),
    "management": N_("administration zone"),
    "device_management": N_("device management zone"),
    "external": N_("Internet (outside the system)"),
    "other": N_("other zone"),
}
EXPOSURE_LABELS = {"public": N_("public (Internet)"), "internal": N_("internal")}
SCOPE_LABELS = {
    "unit": N_("one agency"),
    "sector_or_province": N_("one sector or province"),
    "nationwide": N_("nationwide"),
    "international": N_("international connection"),
}


@dataclass(frozen=True)
class Wording:
    """What differs between the two regimes' dossiers (texts in ``N_`` are translated on use)."""

    decree331: bool  # Decree 331 structure: B.3 risk, C.3 plan parts, extra B.2 rows and note
    part_a: str  # legal reference printed after the title of each part
    part_b: str
    part_c: str
    heading: str
    basis: tuple[str, ...]
    plan_title: str
    standard: str  # "…, clause {n}" with n = level + clause_offset
    clause_offset: int
    physical_from_level: int  # rented DC or cloud: physical separation from this level


DECREE_331 = Wording(
    decree331=True,
    part_a=N_("Article 22(3) of Decree 331/2026/ND-CP"),
    part_b=N_("Article 22(4) and (5) of Decree 331/2026/ND-CP"),
    part_c=N_("Article 22(6) and Articles 29 and 30 of Decree 331/2026/ND-CP"),
    heading=N_("EXPLANATORY DOCUMENT OF THE LEVEL PROPOSAL FOR CYBER-SECURITY PROTECTION "
               "OF AN INFORMATION SYSTEM"),
    basis=(
        "Luật An ninh mạng số 116/2025/QH15",
        "Nghị định số 331/2026/NĐ-CP (Điều 21, 22; các Mẫu 01-08)",
        "TCVN 14423:2026",
    ),
    plan_title=N_("Part C. Cyber-security protection plan"),
    standard=N_("TCVN 14423:2026, clause {n}"),
    clause_offset=2,
    physical_from_level=5,
)
CIRCULAR_12 = Wording(
    decree331=False,
    part_a=N_("Article 8(3) of Circular 12/2022/TT-BTTTT"),
    part_b=N_("Article 8(4) and (5) of Circular 12/2022/TT-BTTTT"),
    part_c=N_("Article 8(6) of Circular 12/2022/TT-BTTTT"),
    heading=N_("EXPLANATORY DOCUMENT OF THE SECURITY-LEVEL PROPOSAL FOR AN INFORMATION "
               "SYSTEM"),
    basis=(
        "Nghị định số 85/2016/NĐ-CP ngày 01/7/2016 (Điều 7-11, 15)",
        "Thông tư số 12/2022/TT-BTTTT ngày 12/8/2022 (Điều 8)",
        "TCVN 11930:2017",
    ),
    plan_title=N_("Part C. Information-security assurance plan"),
    standard=N_("TCVN 11930:2017, clause {n}"),
    clause_offset=4,
    physical_from_level=4,
)


def wording(regime: str) -> Wording:
    """The wording of ``regime``: Decree 331 for ``law116-nd331``, Circular 12 otherwise."""

    return DECREE_331 if regime == "law116-nd331" else CIRCULAR_12
