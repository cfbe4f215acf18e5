"""Ranking: who comes first and why, deterministic, fair over a month, and what ``suggest`` says."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator

import pytest

from config import areas, catalog, clock
from config.db import Database
from config.settings import DispatchWeights, Settings
from dispatch import matching, offers, residents
from providers import ledger
from providers.eligibility import Eligibility
from providers.models import Provider
from providers.ratings import Record
from tests.dispatch import scene
from tests.dispatch.scene import NOW
from tests.providers import builders


@pytest.fixture(autouse=True)
def friday_morning() -> Iterator[None]:
    with clock.freeze(NOW):
        yield


def _record(provider_id: int, *, rating: float = 4.0, surveys: int = 0, offers_recent: int = 0) -> Record:
    return Record(
        provider_id=provider_id,
        rating=rating,
        surveys=surveys,
        mean_score=None,
        offers_recent=offers_recent,
        offers=offers_recent,
        accepted=offers_recent,
        acceptance_rate=0.8,
        completed=0,
        on_time_rate=0.8,
        complaints=0,
        overcharges=0,
    )


def _simulate(db: Database, settings: Settings, ratings: list[float], tickets: int = 1000) -> Counter[int]:
    """A month of tickets, each offered to the top candidate, who accepts and finishes before the
    next one arrives; the fairness component sees the offers made so far."""
    with db.transaction() as session:
        item = catalog.get_item(session, code="PE-PIPE-LEAK")
        community = areas.get_community(session, code=scene.COMMUNITY)
        providers = [
            Provider(id=n + 1, kind="company", name_zh=f"P{n}", phone=f"+861385730{n:04d}", capacity=2, areas=[])
            for n in range(len(ratings))
        ]
        made: Counter[int] = Counter()
        for _ in range(tickets):
            records = {
                p.id: _record(p.id, rating=r, surveys=30, offers_recent=made[p.id])
                for p, r in zip(providers, ratings, strict=True)
            }
            ranking = matching.rank(
                [(p, Eligibility(True, ())) for p in providers],
                records=records,
                open_jobs={},
                item=item,
                community=community,
                weights=settings.dispatch.weights,
            )
            assert ranking.top is not None
            made[ranking.top.provider.id] += 1
        session.expunge_all()
    return made


def test_twenty_equal_providers_share_a_month_of_work_evenly(db: Database, settings: Settings) -> None:
    made = _simulate(db, settings, [4.5] * 20)
    assert len(made) == 20 and sum(made.values()) == 1000
    assert max(made.values()) / min(made.values()) < 2


def test_a_provider_with_a_clearly_worse_record_gets_fewer_offers_but_never_none(
    db: Database, settings: Settings
) -> None:
    made = _simulate(db, settings, [4.5] * 19 + [2.5])
    poor = made[20]
    others = [made[n] for n in range(1, 20)]
    assert 0 < poor < min(others)


def test_the_ranking_is_deterministic_and_explains_itself(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        near = scene.plumber(session, settings, 0, area_codes=(scene.COMMUNITY,))
        scene.plumber(session, settings, 1)  # the street
        ticket = scene.leak(session, settings)
        for n in range(12):
            ledger.record(
                session, provider=near, kind="survey_score", value=5 if n % 3 else 4, ticket_ref=f"ticket:old{n}"
            )
        first = offers.suggest(session, ticket=ticket, settings=settings)
        again = offers.suggest(session, ticket=ticket, settings=settings)
    assert [c.provider.id for c in first.candidates] == [c.provider.id for c in again.candidates]
    top = first.candidates[0]
    assert top.provider.id == near.id
    codes = [r.code for r in top.reasons]
    assert codes[:2] == ["same_community", "rating"]
    rating = next(r for r in top.reasons if r.code == "rating")  # (4 x 5 prior + 8 x 5 + 4 x 4) / 17 = 4.47
    assert rating.text("en") == "Rating 4.5 from 12 surveys" and rating.text("zh_CN") == "12次回访评分4.5"
    assert first.candidates[1].components["proximity"]["level"] == "street"
    assert set(top.components) == {
        "rating",
        "acceptance",
        "on_time",
        "load",
        "fairness",
        "proximity",
        "welfare_volunteer",
    }


def test_welfare_items_prefer_a_volunteer_of_the_residents_own_community(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        builders.provider(
            session, settings, phone=scene.PLUMBERS[0], items=("EC-VISIT",), area_codes=(scene.COMMUNITY,)
        )
        volunteer = builders.provider(
            session,
            settings,
            kind="volunteer",
            phone=scene.PLUMBERS[1],
            name="志愿者",
            items=("EC-VISIT",),
            area_codes=(scene.COMMUNITY,),
        )
        ranking = offers.suggest(session, ticket=scene.leak(session, settings, item="EC-VISIT"), settings=settings)
    assert ranking.candidates[0].provider.id == volunteer.id
    assert "welfare_volunteer" in [r.code for r in ranking.candidates[0].reasons]


def test_a_preferred_provider_goes_first_when_eligible_and_is_explained_when_not(
    db: Database, settings: Settings
) -> None:
    with db.transaction() as session:
        scene.plumber(session, settings, 0, area_codes=(scene.COMMUNITY,))
        second = scene.plumber(session, settings, 1)
        paused = scene.plumber(session, settings, 2)
        paused.paused = True
        ticket = scene.leak(session, settings)
        asked = offers.suggest(session, ticket=ticket, settings=settings, prefer=second.id)
        assert asked.candidates[0].provider.id == second.id and asked.candidates[0].reasons[0].code == "preferred"
        residents.set_preferred_provider(session, resident=ticket.resident, provider_id=paused.id)
        stored = offers.suggest(session, ticket=ticket, settings=settings)
        assert stored.preferred is not None and stored.preferred.provider.id == paused.id
        assert [r.code for r in stored.preferred.reasons] == ["paused"]
        residents.set_preferred_provider(session, resident=ticket.resident, provider_id=second.id)
        by_resident = offers.suggest(session, ticket=ticket, settings=settings)
        assert by_resident.candidates[0].reasons[0].text("en") == "Asked for by the resident"


def test_weights_come_from_the_settings(db: Database, settings: Settings) -> None:
    only_rating = DispatchWeights(
        rating=1, acceptance=0, on_time=0, load=0, fairness=0, proximity=0, welfare_volunteer=0
    )
    with db.transaction() as session:
        scene.plumber(session, settings, 0, area_codes=(scene.COMMUNITY,))
        good = scene.plumber(session, settings, 1)
        for n in range(20):
            ledger.record(session, provider=good, kind="survey_score", value=5, ticket_ref=f"ticket:x{n}")
        tuned = settings.model_copy(update={"dispatch": settings.dispatch.model_copy(update={"weights": only_rating})})
        ranking = offers.suggest(session, ticket=scene.leak(session, settings), settings=tuned)
    assert ranking.candidates[0].provider.id == good.id


def test_suggest_prints_the_documented_json_and_words(db: Database, settings: Settings, cli) -> None:  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        scene.plumber(session, settings, 0, area_codes=(scene.COMMUNITY,))
        scene.plumber(session, settings, 1, status="suspended")
        number = scene.leak(session, settings).number
    result = cli("ticket", "suggest", number, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"ticket", "item_code", "community_code", "candidates", "excluded", "preferred"}
    (candidate,) = data["candidates"]
    assert set(candidate) == {"provider", "score", "components", "reasons"}
    assert set(candidate["provider"]) == {"id", "name", "kind"}
    assert candidate["reasons"][0] == {
        "code": "same_community",
        "text": "同社区",  # the centre's language
        "text_en": "Same community",
        "text_zh": "同社区",
    }
    (excluded,) = data["excluded"]
    assert excluded["reasons"][0]["code"] == "status"
    words = cli("ticket", "suggest", number)
    assert "同社区" in words.output and "Left out:" in words.output
    missing = cli("ticket", "suggest", "2611209999")
    assert missing.exit_code == 2 and "no ticket numbered" in missing.output
