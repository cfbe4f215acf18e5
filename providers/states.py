"""A provider's status as an explicit state machine, and what each kind must hold to be dispatched."""

from __future__ import annotations

import datetime as dt

from config.errors import InvalidInput
from config.i18n import N_

KINDS = ("company", "individual", "volunteer")
KIND_LABELS = {"company": N_("Member company"), "individual": N_("Skilled individual"), "volunteer": N_("Volunteer")}

STATUSES = ("applicant", "vetting", "active", "probation", "suspended", "removed")
DISPATCHABLE = frozenset({"active", "probation"})

# from -> the steps allowed from it
TRANSITIONS: dict[str, frozenset[str]] = {
    "applicant": frozenset({"vetting", "removed"}),
    "vetting": frozenset({"active", "probation", "applicant", "removed"}),  # approval: supervisor only
    "active": frozenset({"probation", "suspended", "removed"}),
    "probation": frozenset({"active", "suspended", "removed"}),
    "suspended": frozenset({"active", "probation", "removed"}),
    "removed": frozenset({"applicant"}),  # may apply again
}
# Steps that are a supervisor's (or admin's) act: approval after vetting and reinstatement.
SUPERVISOR_STEPS = frozenset({("vetting", "active"), ("vetting", "probation"), ("suspended", "active")})
SUPERVISOR_ROLES = frozenset({"supervisor", "admin"})

LABELS = {
    "applicant": N_("Applicant"),
    "vetting": N_("Vetting"),
    "active": N_("Active"),
    "probation": N_("Probation"),
    "suspended": N_("Suspended"),
    "removed": N_("Removed"),
}

DOCUMENT_KINDS = ("business_licence", "insurance", "skill_certificate")
DOCUMENT_LABELS = {
    "business_licence": N_("Business licence"),
    "insurance": N_("Liability insurance"),
    "skill_certificate": N_("Skill certificate"),
}
COURSES = ("induction", "etiquette", "safety")
COURSE_LABELS = {"induction": N_("Induction"), "etiquette": N_("Service etiquette"), "safety": N_("Safety")}
# How long a course stays valid after it is completed (None: for good).
COURSE_VALIDITY: dict[str, dt.timedelta | None] = {
    "induction": None,
    "etiquette": dt.timedelta(days=2 * 365),
    "safety": dt.timedelta(days=365),
}

REQUIRED_DOCUMENTS: dict[str, tuple[str, ...]] = {
    "company": ("business_licence", "insurance"),
    "individual": ("skill_certificate",),
    "volunteer": (),
}
REQUIRED_COURSES: dict[str, tuple[str, ...]] = {
    "company": ("induction", "etiquette", "safety"),
    "individual": ("induction", "etiquette", "safety"),
    "volunteer": ("induction", "safety"),
}

# The vetting checklist per kind: every item checked before a supervisor may approve.
CHECKLIST: dict[str, tuple[str, ...]] = {
    "company": ("business_licence", "insurance", "standard_prices", "references", "site_visit"),
    "individual": ("identity", "skill_certificate", "standard_prices", "interview"),
    "volunteer": ("identity", "organisation", "induction"),
}
CHECK_LABELS = {
    "business_licence": N_("Business licence seen and valid"),
    "insurance": N_("Liability insurance seen and valid"),
    "standard_prices": N_("Agreed to the centre's standard prices"),
    "references": N_("References from residents or other centres checked"),
    "site_visit": N_("Premises visited"),
    "identity": N_("Identity card checked"),
    "skill_certificate": N_("Skill certificate seen and valid"),
    "interview": N_("Interviewed in person"),
    "organisation": N_("Service point confirms membership"),
    "induction": N_("Induction training attended"),
}

# Reminders: a first text this long before a document or course expires, another on the day.
REMIND_AHEAD = dt.timedelta(days=30)


class IllegalTransition(InvalidInput):
    status_code = 409


def check_transition(current: str, target: str) -> None:
    if target not in STATUSES:
        raise InvalidInput(f"unknown status {target!r} (one of {', '.join(STATUSES)})")
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none"
        raise IllegalTransition(f"a provider cannot go from {current} to {target} (allowed from {current}: {allowed})")


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise InvalidInput(f"unknown provider kind {kind!r} (one of {', '.join(KINDS)})")
    return kind
