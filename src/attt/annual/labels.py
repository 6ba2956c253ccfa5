"""Fixed wording of the annual report: the controlled values of Decree 331's Form 08, its
column headings and Part 1 lines, and Circular 12 Art. 14's items
(/work/shared/regulation/annual-report.md §2.2, §3.4).

msgids are English; the Vietnamese catalog (reports/i18n-parts/vi-org-annual.po) carries the
form's words verbatim, and tests/org/test_annual_labels.py holds them to it.
"""

from __future__ import annotations

from ..i18n import N_

# Form 08 column (6): where the level dossier stands (inputs ``approval.status``).
APPROVAL_LABELS: dict[str, str] = {
    "drafting": N_("Being drafted"),
    "submitted": N_("Sent for appraisal"),
    "appraised": N_("Appraised"),
    "approved": N_("Approved"),
}
# Form 08 column (10): how far the approved level's plan is implemented.
PLAN_LABELS: dict[str, str] = {
    "not_started": N_("Not implemented"),
    "partial": N_("Some items implemented"),
    "full": N_("Fully implemented"),
}
# Form 08 column (12): security checks and assessments done.
ASSESSMENT_LABELS: dict[str, str] = {
    "before_go_live": N_("Before going into service"),
    "periodic": N_("Periodic"),
}
# Kinds of "other information" a unit declares (org.inputs.OTHER_KINDS).
OTHER_LABELS: dict[str, str] = {
    "incident": N_("Incident"),
    "training": N_("Training, awareness"),
    "drill": N_("Drill"),
    "other": N_("Other"),
}
# Not a Form 08 value: an ad hoc check is listed in TT12 item 7 only.
AD_HOC = N_("Ad hoc")
# TT12 Art. 14 items 8-9 / ND331 Art. 36 items 9-10: one requirement of the approved plan.
REQUIREMENT_MET = N_("Fully met")
REQUIREMENT_NOT_MET = N_("Not yet fully met")

FORM08_COLUMNS: tuple[str, ...] = (
    N_("No."),
    N_("IS name"),
    N_("IS owner"),
    N_("IS operating unit"),
    N_("Proposed level"),
    N_("Level approval status"),
    N_("Level approval decision"),
    N_("Cyber-security regulation of the system"),
    N_("Expected approval date of the level dossier"),
    N_("Cyber-security plan fully implemented"),
    N_("Expected date of full implementation of the cyber-security plan"),
    N_("Cyber-security checked and assessed"),
)
# Form 08 Part 1, in the form's order (the seventh is a date, not a count).
FORM08_TOTALS: tuple[tuple[str, str], ...] = (
    ("managed", N_("Total number of information systems under management")),
    ("classified", N_("Total number of information systems classified (type of information "
                      "system determined)")),
    ("dossier", N_("Total number of information systems with a level dossier drawn up")),
    ("appraised", N_("Total number of information systems whose level dossier has been "
                     "appraised")),
    ("approved", N_("Total number of information systems with an approved level")),
    ("checked", N_("Total number of information systems with an approved level periodically "
                   "checked and assessed for cyber-security as required")),
)
FORM08_ALL_APPROVED_BY = N_("Expected date by which level approval is completed for all "
                            "information systems under management")
