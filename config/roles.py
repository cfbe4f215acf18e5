"""Who may do what: one table, a role is a row.

Pages, the JSON API, Open311 and the CLI all ask ``allows(role, action)``; nothing else decides.
A role added later (the ratings issue's read-only ``observer`` is already here) is one more row;
``partner`` is a row for API keys only (``KEY_ONLY``), never a staff login.
"""

from __future__ import annotations

from dataclasses import dataclass

from config.errors import Forbidden
from config.i18n import N_

# Every action a role may be granted, with what it means for the people reading the matrix.
ACTIONS: dict[str, str] = {
    "console.view": N_("See the queue, tickets, providers and reports"),
    "resident.phone": N_("See full phone numbers: residents' and providers'"),
    "resident.edit": N_("Edit a resident's tags, language, opt-outs and preferred provider"),
    "resident.data": N_("Export or erase a resident's personal data (PIPL, GDPR)"),
    "survey.record": N_("Record a survey answer taken by phone"),
    "complaint.open": N_("Record a complaint"),
    "complaint.decide": N_("Decide a complaint"),
    "ticket.create": N_("Take calls and texts, open tickets"),
    "ticket.triage": N_("Triage a ticket: item, community, address, urgency"),
    "ticket.offer": N_("Offer a ticket to the top suggested provider"),
    "ticket.note": N_("Add a note to a ticket"),
    "ticket.resolve": N_("Resolve a ticket at first contact"),
    "ticket.override": N_("Offer to a provider other than the top one, with a reason"),
    "ticket.escalate": N_("Handle escalations"),
    "ticket.supervise": N_("Take in hand a ticket escalated to a supervisor"),
    "ticket.cancel": N_("Cancel a ticket"),
    "ticket.reopen": N_("Reopen a ticket"),
    "provider.status": N_("Change a provider's status"),
    "provider.approve": N_("Approve a provider after vetting"),
    "provider.vet": N_("Record vetting checks, documents and training"),
    "reports.view": N_("Read reviews and reports"),
    "review.decide": N_("Decide provider reviews (keep, warn, probation, suspend, remove) and appeals"),
    "users.manage": N_("Create and disable staff logins"),
    "apikeys.manage": N_("Create API keys"),
    "settings.manage": N_("Change settings"),
    "open311.post": N_("Post residents' requests through Open311 (a partner's application)"),
}

_READ = frozenset({"console.view", "reports.view"})
_OPERATOR = frozenset(
    {
        "console.view",
        "resident.phone",
        "resident.edit",
        "ticket.create",
        "ticket.triage",
        "ticket.offer",
        "ticket.note",
        "ticket.resolve",
        "provider.vet",  # paperwork; approving is a supervisor's decision
        "survey.record",
        "complaint.open",
        "open311.post",
    }
)
_DISPATCHER = _OPERATOR | {"ticket.override", "ticket.escalate", "ticket.cancel", "ticket.reopen"}
_SUPERVISOR = _DISPATCHER | {
    "provider.status",
    "provider.approve",
    "reports.view",
    "resident.data",
    "complaint.decide",
    "review.decide",
    "ticket.supervise",
}


@dataclass(frozen=True)
class Role:
    name: str
    label: str  # message id
    can: frozenset[str]


# The matrix. Order is from least to most trusted (lists, pickers).
TABLE: tuple[Role, ...] = (
    Role("observer", N_("Observer"), _READ),
    Role("operator", N_("Operator"), _OPERATOR),
    Role("dispatcher", N_("Dispatcher"), frozenset(_DISPATCHER)),
    Role("supervisor", N_("Supervisor"), frozenset(_SUPERVISOR)),
    Role("admin", N_("Administrator"), frozenset(ACTIONS)),
)
# Roles for API keys only, never a staff login: a partner's application (a district app, a
# property company's system) may post residents' requests through Open311 and nothing else.
KEY_ONLY: tuple[Role, ...] = (Role("partner", N_("Partner application"), frozenset({"open311.post"})),)
BY_NAME = {role.name: role for role in (*KEY_ONLY, *TABLE)}
NAMES = tuple(role.name for role in TABLE)  # staff roles
KEY_NAMES = tuple(role.name for role in (*KEY_ONLY, *TABLE))  # what an API key may be given


def allows(role: str, action: str) -> bool:
    if action not in ACTIONS:
        raise KeyError(f"unknown action {action!r}")  # a typo must not silently deny (or allow)
    found = BY_NAME.get(role)
    return found is not None and action in found.can


def require(role: str, action: str, *, who: str) -> None:
    """Raise ``Forbidden`` with one line saying who, what role, and which action was refused."""
    if not allows(role, action):
        raise Forbidden(f"{who} is {role}: not allowed to {action}")


def may_grant(granter: str, granted: str) -> bool:
    """A key or login is never created with more rights than its creator holds."""
    return granted in BY_NAME and BY_NAME[granted].can <= BY_NAME[granter].can
