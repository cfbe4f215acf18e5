"""Ratings with evidence and the keep / warn / probation / remove reviews, on constructed histories."""

from __future__ import annotations

import datetime as dt
import json
from itertools import count

import pytest
from sqlalchemy import select

from config import clock, periods
from config.db import Database
from config.errors import Conflict, InvalidInput
from config.settings import Settings
from config.staff import Actor
from hotline import scheduler
from providers import eligibility, ledger, ratings, reviews
from providers.models import Provider, ProviderEvent
from sms.models import OutboundMessage
from tests.providers import builders

_refs = count(1)


def history(
    session,  # type: ignore[no-untyped-def]
    provider: Provider,
    month: str,
    *,
    jobs: int = 0,
    scores: list[int] | tuple[int, ...] = (),
    complaints: int = 0,
    late: int = 0,
    offers: int | None = None,
    timed_out: int = 0,
    overcharges: int = 0,
) -> None:
    """One month of a provider's work as ledger facts, spread over the 10th-20th (UTC)."""
    year, mon = (int(x) for x in month.split("-"))
    offers = jobs + timed_out if offers is None else offers
    for i in range(max(offers, jobs, len(scores))):
        ref = f"ticket:t{next(_refs)}"
        at = dt.datetime(year, mon, 10 + i % 10, 3, tzinfo=dt.UTC) + dt.timedelta(minutes=i)
        facts: list[tuple[str, float | None]] = []
        if i < offers:
            facts.append(("offered", None))
            if i < jobs:
                facts += [("accepted", None), ("completed_late" if i < late else "completed_on_time", None)]
            elif i < jobs + timed_out:
                facts.append(("timed_out", None))
        if i < len(scores):
            facts.append(("survey_score", float(scores[i])))
        if i < complaints:
            facts.append(("complaint", None))
        if i < overcharges:
            facts.append(("overcharge", 20.0))
        for kind, value in facts:
            ledger.note(session, provider_id=provider.id, kind=kind, ticket_ref=ref, at=at, value=value)


def _period(settings: Settings, key: str) -> periods.Period:
    return periods.parse(key, settings.zone)


def test_wilson_ranges_and_evidence_carry_their_sample_sizes() -> None:
    low, high = ratings.wilson(45, 50)
    assert 0.78 < low < 0.9 < high < 0.97
    assert ratings.wilson(0, 0) == (0.0, 1.0)
    # fewer facts, wider range
    assert ratings.wilson(9, 10)[1] - ratings.wilson(9, 10)[0] > high - low


def test_three_bad_surveys_out_of_two_hundred_keep_the_provider(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        good = builders.provider(session, settings)
        history(session, good, "2026-10", jobs=200, scores=[1, 1, 1] + [5] * 197)
        rows = reviews.run(session, period=_period(settings, "2026-10"), settings=settings)
        (row,) = rows
        assert (row.proposal, row.rule) == ("keep", "within_thresholds")
        assert row.figures["surveys"] == 200 and row.figures["rating"] > 4.8
        record = ratings.records(session, provider_ids=[good.id], at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))[good.id]
        evidence = record.evidence()
        assert evidence["satisfied"]["count"] == 197 and evidence["satisfied"]["n"] == 200
        assert evidence["satisfaction"]["low"] < record.rating < evidence["satisfaction"]["high"]


def test_sustained_upheld_complaints_lead_to_a_removal_proposal(db: Database, settings: Settings) -> None:
    rules = settings.reviews
    with db.transaction() as session:
        poor = builders.provider(session, settings)
        months = ["2026-08", "2026-09", "2026-10"]
        assert rules.remove_periods == 3
        for month in months:  # 3 upheld complaints in 20 jobs: 15 per 100, above remove_complaints
            history(session, poor, month, jobs=20, scores=[4] * 12, complaints=3)
        first = reviews.run(session, period=_period(settings, "2026-08"), settings=settings)[0]
        second = reviews.run(session, period=_period(settings, "2026-09"), settings=settings)[0]
        third = reviews.run(session, period=_period(settings, "2026-10"), settings=settings)[0]
        assert (first.proposal, first.rule) == ("probation", "complaints_remove")
        assert second.proposal == "probation"
        assert (third.proposal, third.rule) == ("remove", "complaints_sustained")
        assert third.figures["complaints"] == 3 and third.figures["complaints_per_100"] == 15.0


def test_a_new_provider_with_two_surveys_is_never_proposed_for_removal(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        new = builders.provider(session, settings)
        for month in ("2026-08", "2026-09", "2026-10"):
            history(session, new, month, jobs=2, scores=[1, 1])
        for month in ("2026-08", "2026-09", "2026-10"):
            row = reviews.run(session, period=_period(settings, month), settings=settings)[0]
            assert row.proposal != "remove"
            assert row.rule == "too_little_evidence"


def test_each_warning_rule_fires_on_enough_evidence(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        slow = builders.provider(session, settings, phone="+8613857300102", name="慢")
        history(session, slow, "2026-10", jobs=20, late=10)
        picky = builders.provider(session, settings, phone="+8613857300103", name="挑")
        history(session, picky, "2026-10", jobs=12, timed_out=12)
        greedy = builders.provider(session, settings, phone="+8613857300104", name="贵")
        history(session, greedy, "2026-10", jobs=5, overcharges=2)
        rows = {r.provider_id: r for r in reviews.run(session, period=_period(settings, "2026-10"), settings=settings)}
        assert (rows[slow.id].proposal, rows[slow.id].rule) == ("warn", "on_time_warn")
        assert rows[picky.id].proposal == "warn" and rows[picky.id].rule in ("acceptance_warn", "expired_warn")
        assert (rows[greedy.id].proposal, rows[greedy.id].rule) == ("probation", "overcharges")


def test_review_run_is_idempotent_and_keeps_decisions(db: Database, settings: Settings) -> None:
    period = _period(settings, "2026-10")
    with db.transaction() as session:
        p = builders.provider(session, settings)
        boss = builders.supervisor(session)
        history(session, p, "2026-10", jobs=20, late=10)
        (row,) = reviews.run(session, period=period, settings=settings)
        reviews.decide(
            session, review=row, decision="keep", reason="two sick days", actor=Actor.of_staff(boss), staff=boss,
            settings=settings,
        )  # fmt: skip
        history(session, p, "2026-10", jobs=20, complaints=5)
        (again,) = reviews.run(session, period=period, settings=settings)
        assert again.id == row.id and again.decision == "keep" and again.proposal == "warn"
        assert again.rule == "on_time_warn"  # decided: not recomputed


def test_decisions_change_status_text_the_provider_and_appeal_reinstates(db: Database, settings: Settings) -> None:
    period = _period(settings, "2026-10")
    with db.transaction() as session:
        p = builders.provider(session, settings)
        boss = builders.supervisor(session)
        history(session, p, "2026-10", jobs=20, complaints=3)
        (row,) = reviews.run(session, period=period, settings=settings)
        assert row.proposal == "probation"
        actor = Actor.of_staff(boss)
        with pytest.raises(InvalidInput, match="say why"):
            reviews.decide(
                session, review=row, decision="suspend", reason=" ", actor=actor, staff=boss, settings=settings
            )
        reviews.decide(
            session, review=row, decision="suspend", reason="three upheld complaints", actor=actor, staff=boss,
            settings=settings,
        )  # fmt: skip
        assert p.status == "suspended"
        verdict = eligibility.assess(
            session, providers=[p], at=dt.datetime(2026, 11, 20, 2, tzinfo=dt.UTC), zone=settings.zone
        )
        assert not verdict[0][1].eligible  # no offers from now on
        texts = list(session.scalars(select(OutboundMessage).where(OutboundMessage.to == p.phone)))
        assert len(texts) == 1 and "2026-10" in texts[0].body
        events = [e.kind for e in session.scalars(select(ProviderEvent).where(ProviderEvent.provider_id == p.id))]
        assert "review" in events and "status" in events
        with pytest.raises(Conflict, match="already decided"):
            reviews.decide(session, review=row, decision="keep", reason="x", actor=actor, staff=boss, settings=settings)
        reviews.appeal(session, review=row, note="the complaints were about another company", actor=actor)
        reviews.reinstate(
            session, review=row, reason="complaints mis-attributed", actor=actor, staff=boss, settings=settings
        )
        assert p.status == "active" and row.status == "reinstated"
        assert len(list(session.scalars(select(OutboundMessage).where(OutboundMessage.to == p.phone)))) == 2


def test_removal_is_final_except_by_applying_again(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        p = builders.provider(session, settings)
        boss = builders.supervisor(session)
        (row,) = reviews.run(session, period=_period(settings, "2026-10"), settings=settings)
        actor = Actor.of_staff(boss)
        reviews.decide(
            session, review=row, decision="remove", reason="fraud", actor=actor, staff=boss, settings=settings
        )
        assert p.status == "removed"
        with pytest.raises(Conflict, match="removal is final"):
            reviews.appeal(session, review=row, note="please", actor=actor)


def test_cli_review_run_json_shape_and_decide(db: Database, settings: Settings, cli) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        p = builders.provider(session, settings)
        builders.supervisor(session, name="赵敏")
        history(session, p, "2026-10", jobs=20, late=10)
    result = cli("review", "run", "--period", "2026-10", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["period"] == "2026-10"
    (proposal,) = out["proposals"]
    assert proposal["provider"] == {"id": p.id, "name": "南湖水电维修服务部", "kind": "company"}
    assert proposal["proposal"] == "warn" and proposal["rule"] == "on_time_warn"
    assert proposal["figures"]["completed"] == 20 and proposal["figures"]["on_time"] == 0.5
    again = json.loads(cli("review", "run", "--period", "2026-10", "--json").output)
    assert again["proposals"][0]["id"] == proposal["id"]
    refused = cli("review", "decide", str(proposal["id"]), "--confirm", "--reason", "ok")
    assert refused.exit_code == 2 and "--by" in refused.output
    done = cli("review", "decide", str(proposal["id"]), "--confirm", "--reason", "late too often", "--by", "赵敏")
    assert done.exit_code == 0, done.output
    shown = json.loads(cli("ratings", "show", str(p.id), "--json").output)
    assert shown["components"]["on_time"]["n"] == 20 and shown["components"]["on_time"]["count"] == 10
    text = cli("ratings", "show", str(p.id))  # the same as text, after the read session has closed
    assert text.exit_code == 0 and text.output.startswith(f"{p.id}  南湖水电维修服务部  active  rating "), text.output
    bad = cli("review", "run", "--period", "2026-13")
    assert bad.exit_code == 2 and "month 13" in bad.output


def test_the_scheduled_pass_reviews_the_last_whole_period(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        p = builders.provider(session, settings)
        history(session, p, "2026-10", jobs=20, late=10)
    job = scheduler.get_job("providers.reviews")
    with clock.freeze(dt.datetime(2026, 11, 5, 2, tzinfo=dt.UTC)):
        assert job.make(db, settings)() == 1
        assert job.make(db, settings)() == 1  # again: the same row, refreshed
    with db.read() as session:
        (row,) = reviews.list_reviews(session, provider_id=p.id)
        assert (row.period, row.proposal) == ("2026-10", "warn")


def test_a_record_of_the_satisfaction_kinds_alone_has_the_full_records_rating_and_jobs(
    db: Database, settings: Settings
) -> None:
    """The providers report compares with last period by rating and completed jobs only, and reads
    only those facts: the figures it shows must be the full record's."""
    with db.transaction() as session:
        provider = builders.provider(session, settings)
        history(session, provider, "2026-09", jobs=30, scores=[5, 4, 2, 5, 3], complaints=4, late=6, timed_out=7)
        period = _period(settings, "2026-09")
        full = reviews.period_records(session, period=period, provider_ids=[provider.id], settings=settings)
        narrow = reviews.period_records(
            session, period=period, provider_ids=[provider.id], settings=settings, kinds=ratings.SATISFACTION_KINDS
        )
    a, b = full[provider.id], narrow[provider.id]
    assert (b.rating, b.surveys, b.completed, b.on_time) == (a.rating, a.surveys, a.completed, a.on_time)
    assert (a.surveys, a.completed, a.on_time) == (5, 30, 24)
    assert (a.offers, a.complaints, a.timed_out) == (37, 4, 7) and (b.offers, b.complaints, b.timed_out) == (0, 0, 0)


@pytest.mark.parametrize("kinds", [None, ratings.SATISFACTION_KINDS])
def test_the_whole_pass_and_the_per_provider_read_give_the_same_records(
    db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch, kinds: frozenset[str] | None
) -> None:
    """Many providers are read in one pass over every provider's facts, the centre's mean summed
    from it; a few by their ids with the centre's mean asked apart. Both shrink towards the mean of
    every provider surveyed in the period, asked for or not."""
    with db.transaction() as session:
        asked = [builders.provider(session, settings, phone=f"+861385730020{i}", name=f"服务部{i}") for i in range(3)]
        other = builders.provider(session, settings, phone="+8613857300209", name="他人")  # surveyed, not asked
        history(session, asked[0], "2026-09", jobs=12, scores=[5, 5, 4, 2], complaints=1, late=3, timed_out=2)
        history(session, asked[1], "2026-09", jobs=3, scores=[1], overcharges=1)
        history(session, other, "2026-09", jobs=4, scores=[1, 1, 2, 1])
        history(session, asked[0], "2026-10", jobs=5, scores=[1, 1])  # outside the period
        period = _period(settings, "2026-09")
        ids = [p.id for p in asked]
        monkeypatch.setattr(ratings, "WHOLE_PASS", 1)
        whole = reviews.period_records(session, period=period, provider_ids=ids, settings=settings, kinds=kinds)
        monkeypatch.setattr(ratings, "WHOLE_PASS", 10**6)
        apart = reviews.period_records(session, period=period, provider_ids=ids, settings=settings, kinds=kinds)
        centre = ratings.centre_mean(session, since=period.start, until=period.end)
    assert whole == apart and sorted(whole) == ids
    assert centre == round((5 + 5 + 4 + 2 + 1 + 1 + 1 + 2 + 1) / 9, 3)
    assert whole[asked[2].id].surveys == 0 and whole[asked[2].id].rating == centre  # nobody's evidence: the mean
    assert whole[asked[0].id].surveys == 4 and whole[asked[0].id].completed == 12
