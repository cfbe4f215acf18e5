"""What a supervisor does from the command line: vet, approve, suspend, record, inspect."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from config import clock
from config.db import Database
from config.settings import Settings
from providers import ledger
from tests.providers import builders
from tests.providers.builders import WORKDAY_MORNING


@pytest.fixture(autouse=True)
def _friday_morning() -> Iterator[None]:
    with clock.freeze(WORKDAY_MORNING):
        yield


def test_an_applicant_is_vetted_approved_and_becomes_dispatchable(cli, db: Database, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        builders.operator(session)
        builders.supervisor(session)
        p = builders.provider(session, settings, kind="individual", status="applicant", documents_valid_until=None)
        provider_id = str(p.id)
    operator_may_not = cli("providers", "status", provider_id, "vetting", "--by", "7001", "--reason", "papers in")
    assert operator_may_not.exit_code == 2
    assert operator_may_not.stderr == "hotline: error: 王芳 is operator: not allowed to provider.status\n"
    assert cli("providers", "status", provider_id, "vetting", "--by", "赵敏", "--reason", "papers in").exit_code == 0
    vetted = cli("providers", "vet", provider_id, "--check", "identity", "--check", "interview", "--by", "王芳")
    assert "still to check: skill_certificate, standard_prices" in vetted.stdout, vetted.stderr
    refused = cli("providers", "approve", provider_id, "--by", "赵敏")
    assert refused.exit_code == 2
    assert "vetting checklist incomplete: skill_certificate, standard_prices" in refused.stderr
    cli("providers", "vet", provider_id, "--check", "skill_certificate", "--check", "standard_prices", "--by", "王芳")
    assert (
        "王芳 is operator: not allowed to provider.approve"
        in cli("providers", "approve", provider_id, "--by", "7001").stderr
    )
    approved = cli("providers", "approve", provider_id, "--by", "赵敏", "--probation")
    assert approved.stdout.strip() == f"provider {provider_id}: vetting -> probation"
    eligible = json.loads(
        cli("providers", "list", "--json", "--eligible-for", "PE-PIPE-LEAK", "--community", "330402003001").stdout
    )
    assert [r["code"] for r in eligible[0]["eligibility"]["reasons"]] == ["document_missing"]
    assert eligible[0]["eligibility"]["reasons"][0]["text_zh"] == "缺少技能证书"
    recorded = cli("providers", "document", provider_id, "skill_certificate", "--expires", "2028-01-31", "--by", "王芳")
    assert recorded.exit_code == 0
    eligible = json.loads(
        cli(
            "providers",
            "list",
            "--json",
            "--eligible-for",
            "PE-PIPE-LEAK",
            "--community",
            "330402003001",
            "--only-eligible",
        ).stdout
    )
    assert [(r["id"], r["eligibility"]["eligible"]) for r in eligible] == [(int(provider_id), True)]


def test_show_prints_the_profile_with_history_and_performance(cli, db: Database, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        boss = builders.supervisor(session)
        p = builders.provider(session, settings)
        ledger.record(session, provider=p, kind="offered", ticket_ref="ticket:2611200001", at=WORKDAY_MORNING)
        ledger.record(session, provider=p, kind="accepted", ticket_ref="ticket:2611200001", at=WORKDAY_MORNING)
        ledger.record(
            session, provider=p, kind="survey_score", ticket_ref="ticket:2611200001", value=4, at=WORKDAY_MORNING
        )
        provider_id, boss_id = str(p.id), boss.id
    assert cli("providers", "status", provider_id, "suspended", "--by", "赵敏", "--reason", "投诉三次").exit_code == 0
    record = json.loads(cli("providers", "show", provider_id, "--json").stdout)
    assert record["status"] == "suspended"
    assert record["eligibility"]["eligible"] is False
    assert record["ledger"]["counts"]["accepted"] == 1 and record["ledger"]["acceptance_rate"] == 1.0
    assert record["ledger"]["mean_score"] == 4.0
    last = record["events"][-1]
    assert (last["from_status"], last["to_status"], last["actor"], last["note"]) == (
        "active",
        "suspended",
        f"staff:{boss_id}",
        "投诉三次",
    )
    text = cli("providers", "show", provider_id).stdout
    assert "status: suspended" in text and "active -> suspended  投诉三次" in text
    assert cli("providers", "show", "999").stderr.strip() == (
        "hotline: error: no provider with id 999 (see: hotline providers list)"
    )


def test_training_and_bad_dates_from_the_command_line(cli, db: Database, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        provider_id = str(builders.provider(session, settings, trained_on=None).id)
    done = cli("providers", "training", provider_id, "safety", "--completed", "2026-11-01")
    assert done.stdout.strip() == f"provider {provider_id}: safety until 2027-11-01"
    bad = cli("providers", "document", provider_id, "insurance", "--expires", "31/12/2027")
    assert bad.exit_code == 2 and "--expires '31/12/2027' is not a date (YYYY-MM-DD)" in bad.stderr
