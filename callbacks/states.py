"""A survey's and a complaint's states, and the steps allowed between them."""

from __future__ import annotations

from config.errors import Conflict
from config.i18n import N_
from config.settings import SURVEY_CHANNELS

__all__ = ["SURVEY_CHANNELS"]

# scheduled: waits for due_at; sent: asked (text queued, call placed), takes answers;
# no_answer: a call was not answered, asked again at due_at; answered: a score is recorded;
# expired: closed without an answer (``reason`` says why); opted_out: the resident said STOP
# (or had, when it fell due).
SURVEY_STATUSES = ("scheduled", "sent", "no_answer", "answered", "expired", "opted_out")
OPEN = ("scheduled", "sent", "no_answer")
ASKED = ("sent", "no_answer")  # take answers
DUE = ("scheduled", "no_answer")  # wait for due_at

SURVEY_STEPS: dict[str, frozenset[str]] = {
    "scheduled": frozenset({"sent", "no_answer", "answered", "expired", "opted_out"}),  # a desk call answers at once
    "sent": frozenset({"answered", "no_answer", "expired", "opted_out"}),
    "no_answer": frozenset({"sent", "answered", "expired", "opted_out"}),
    "answered": frozenset(),
    "expired": frozenset(),
    "opted_out": frozenset(),
}

COMPLAINT_STATUSES = ("open", "decided")
COMPLAINT_SOURCES = ("survey", "sms", "operator")
OUTCOMES = ("upheld", "not_upheld", "withdrawn")

CHANNEL_LABELS = {"sms": N_("text message"), "voice": N_("automated call"), "desk": N_("operator call")}
OUTCOME_LABELS = {
    "upheld": N_("upheld"),
    "not_upheld": N_("not upheld"),
    "withdrawn": N_("withdrawn"),
}


def check_survey_step(current: str, target: str, *, survey_id: int) -> None:
    if target not in SURVEY_STEPS.get(current, frozenset()):
        raise Conflict(f"survey {survey_id} is {current}: it cannot become {target}")
