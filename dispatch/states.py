"""The ticket lifecycle as an explicit state machine. Any other step is refused."""

from __future__ import annotations

from config.errors import InvalidInput
from config.i18n import N_

STATUSES = (
    "new",
    "dispatching",
    "offered",
    "accepted",
    "in_service",
    "completed",
    "surveyed",
    "closed",
    "cancelled",
    "reopened",
)

# from -> the steps allowed from it
TRANSITIONS: dict[str, frozenset[str]] = {
    "new": frozenset({"dispatching", "cancelled", "closed"}),  # closed: resolved at first contact (即办件)
    "dispatching": frozenset({"offered", "new", "cancelled"}),  # back to "new": needs triage again
    "offered": frozenset({"accepted", "dispatching", "cancelled"}),  # declined or timed out: dispatch again
    "accepted": frozenset({"in_service", "dispatching", "cancelled"}),
    "in_service": frozenset({"completed", "dispatching"}),  # provider could not finish: dispatch again
    "completed": frozenset({"surveyed", "closed", "reopened"}),
    "surveyed": frozenset({"closed", "reopened"}),
    "closed": frozenset({"reopened"}),
    "cancelled": frozenset({"reopened"}),
    "reopened": frozenset({"dispatching", "closed", "cancelled"}),
}

OPEN_STATUSES = frozenset({"new", "dispatching", "offered", "accepted", "in_service", "reopened"})

LABELS = {
    "new": N_("New"),
    "dispatching": N_("Dispatching"),
    "offered": N_("Offered"),
    "accepted": N_("Accepted"),
    "in_service": N_("In service"),
    "completed": N_("Completed"),
    "surveyed": N_("Surveyed"),
    "closed": N_("Closed"),
    "cancelled": N_("Cancelled"),
    "reopened": N_("Reopened"),
}

CHANNELS = ("phone", "sms", "web", "api", "walk_in")
URGENCIES = ("normal", "urgent", "emergency")
URGENCY_LABELS = {"normal": N_("Normal"), "urgent": N_("Urgent"), "emergency": N_("Emergency")}
CHANNEL_LABELS = {
    "phone": N_("Phone"),
    "sms": N_("SMS"),
    "web": N_("Web"),
    "api": N_("API"),
    "walk_in": N_("Walk-in"),
}


class IllegalTransition(InvalidInput):
    status_code = 409


def check_transition(current: str, target: str) -> None:
    if target not in STATUSES:
        raise InvalidInput(f"unknown status {target!r} (one of {', '.join(STATUSES)})")
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none"
        raise IllegalTransition(f"a ticket cannot go from {current} to {target} (allowed from {current}: {allowed})")
