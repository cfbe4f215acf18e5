"""The role matrix as the issue states it: each role, each action, allowed or not."""

from __future__ import annotations

import pytest

from config import roles
from config.errors import Forbidden

# Written from the words, not copied from config/roles.py: what each role must be able to
# do, beyond the roles below it. Anything not listed must be refused.
SPEC = {
    "observer": {"console.view", "reports.view"},
    "operator": {
        "console.view",
        "resident.phone",
        "resident.edit",
        "ticket.create",
        "ticket.triage",
        "ticket.offer",
        "ticket.note",
        "ticket.resolve",
        "provider.vet",
        "survey.record",
        "complaint.open",
        "open311.post",
    },
    "partner": {"open311.post"},  # an API key of a partner's application, never a staff login
}
SPEC["dispatcher"] = SPEC["operator"] | {"ticket.override", "ticket.escalate", "ticket.cancel", "ticket.reopen"}
SPEC["supervisor"] = SPEC["dispatcher"] | {
    "provider.status",
    "provider.approve",
    "reports.view",
    "resident.data",
    "complaint.decide",
    "review.decide",
    "ticket.supervise",
}
SPEC["admin"] = set(roles.ACTIONS)


@pytest.mark.parametrize("role", roles.KEY_NAMES)
@pytest.mark.parametrize("action", sorted(roles.ACTIONS))
def test_every_role_for_every_action(role: str, action: str) -> None:
    assert roles.allows(role, action) == (action in SPEC[role])
    if action not in SPEC[role]:
        with pytest.raises(Forbidden, match=f"is {role}: not allowed to {action}"):
            roles.require(role, action, who="someone")


def test_each_role_is_one_row_and_ranks_above_the_last() -> None:
    assert roles.NAMES == ("observer", "operator", "dispatcher", "supervisor", "admin")
    for lower, higher in zip(roles.TABLE[1:], roles.TABLE[2:], strict=False):
        assert lower.can < higher.can
    assert roles.may_grant("admin", "supervisor") and not roles.may_grant("supervisor", "admin")
    assert not roles.may_grant("admin", "root")


def test_the_partner_role_is_for_api_keys_only() -> None:
    assert ("partner", *roles.NAMES) == roles.KEY_NAMES and "partner" not in roles.NAMES
    assert roles.may_grant("admin", "partner") and roles.may_grant("operator", "partner")
    assert not roles.may_grant("partner", "observer")


def test_an_unknown_action_is_an_error_not_a_refusal() -> None:
    with pytest.raises(KeyError):
        roles.allows("admin", "ticket.delete")
    assert not roles.allows("nobody", "console.view")
