"""Who may be offered a job now, and why not: one function, machine codes and translated text."""

from __future__ import annotations

import datetime as dt

from config import areas, catalog, clock
from config.db import Database
from config.settings import Settings
from config.staff import Actor
from providers import eligibility, ledger, service
from tests.providers import builders
from tests.providers.builders import WORKDAY_MORNING


def _verdict(session, settings, p, *, at=WORKDAY_MORNING, item="PE-PIPE-LEAK", community="330402003001", open_jobs=0):  # type: ignore[no-untyped-def]
    return eligibility.check(
        p,
        at=at,
        zone=settings.zone,
        item=catalog.get_item(session, code=item),
        community=areas.get(session, code=community),
        open_jobs=open_jobs,
    )


def test_a_vetted_plumber_covering_the_street_may_take_a_leak_in_one_of_its_communities(
    db: Database, settings: Settings
) -> None:
    with db.transaction() as session:
        p = builders.provider(session, settings, area_codes=("330402003",))  # 南湖街道
        verdict = _verdict(session, settings, p, community="330402003001")
    assert verdict.eligible and verdict.reasons == ()


def test_every_reason_is_given_at_once_with_code_and_text_in_both_languages(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        p = builders.provider(
            session,
            settings,
            status="vetting",
            documents_valid_until=None,
            trained_on=None,
            capacity=1,
            area_codes=("330411001",),
        )
        service.set_paused(session, provider=p, paused=True, actor=Actor.provider(p.id))
        saturday_night = dt.datetime(2026, 11, 21, 14, 0, tzinfo=dt.UTC)  # 22:00 in Shanghai
        verdict = _verdict(session, settings, p, at=saturday_night, item="EH-UNLOCK", open_jobs=1)
    assert not verdict.eligible
    assert verdict.codes() == [
        "status",
        "paused",
        "document_missing",
        "document_missing",
        "training_missing",
        "training_missing",
        "training_missing",
        "item_not_offered",
        "area_not_covered",
        "outside_hours",
        "at_capacity",
    ]
    texts = {r.code: (r.text("en"), r.text("zh_CN")) for r in verdict.reasons}
    assert texts["status"] == (
        "Status is Vetting: only active or probation providers get offers",
        "状态为“审核中”：只有正常或考察期的服务商可以接单",
    )
    assert texts["at_capacity"] == ("At capacity: 1 of 1 jobs open", "接单已满：1/1 单进行中")
    assert texts["outside_hours"][0] == "Outside working hours (mon-fri 08:00-18:00)"
    assert [r.text("zh_CN") for r in verdict.reasons][2:4] == ["缺少营业执照", "缺少责任保险"]


def _renew(session, settings, p) -> None:  # type: ignore[no-untyped-def]
    """Renew the licence and insurance to 2027-11-19 and the safety course on 2026-11-18."""
    for kind in ("business_licence", "insurance"):
        service.add_document(
            session, provider=p, kind=kind, expires_on=dt.date(2027, 11, 19), actor=Actor.system(), zone=settings.zone
        )
    service.add_training(
        session,
        provider=p,
        course="safety",
        completed_on=dt.date(2026, 11, 18),
        actor=Actor.system(),
        zone=settings.zone,
    )


def test_an_expired_insurance_or_safety_course_makes_a_provider_ineligible_that_day(
    db: Database, settings: Settings
) -> None:
    with db.transaction() as session:
        p = builders.provider(
            session, settings, documents_valid_until=dt.date(2026, 11, 19), trained_on=dt.date(2025, 11, 1)
        )
        verdict = _verdict(session, settings, p)
        assert verdict.codes() == ["document_expired", "document_expired", "training_expired"]
        assert verdict.reasons[1].text("en") == "Liability insurance expired on 2026-11-19"
        assert verdict.reasons[2].text("zh_CN") == "安全培训已于2026-11-01过期"
        # the renewal replaces the old document
        _renew(session, settings, p)
        assert _verdict(session, settings, p).eligible


def test_papers_read_as_rows_give_the_verdicts_of_the_loaded_collections(db: Database, settings: Settings) -> None:
    """Ranking reads documents and courses as plain rows (eligibility.papers); renewals, expiries
    and a missing course must come out exactly as from the ORM collections."""
    with db.transaction() as session:
        expired = builders.provider(
            session, settings, documents_valid_until=dt.date(2026, 11, 19), trained_on=dt.date(2025, 11, 1)
        )
        renewed = builders.provider(
            session,
            settings,
            phone="+8613857300102",
            name="南湖家电维修部",
            documents_valid_until=dt.date(2026, 11, 19),
            trained_on=dt.date(2025, 11, 1),
        )
        _renew(session, settings, renewed)
        untrained = builders.provider(session, settings, phone="+8613857300103", name="城南水电", trained_on=None)
        ids = [expired.id, renewed.id, untrained.id]
        rows = eligibility.papers(session, provider_ids=[*ids, 999_999])
        assert rows[999_999] == eligibility.Papers({}, {})
        for p in (expired, renewed, untrained):
            loaded = _verdict(session, settings, p)
            read = eligibility.check(
                p,
                at=WORKDAY_MORNING,
                zone=settings.zone,
                item=catalog.get_item(session, code="PE-PIPE-LEAK"),
                community=areas.get(session, code="330402003001"),
                open_jobs=0,
                papers=rows[p.id],
            )
            assert read == loaded
        assert [_verdict(session, settings, p).codes() for p in (expired, renewed, untrained)] == [
            ["document_expired", "document_expired", "training_expired"],
            [],
            ["training_missing"] * 3,  # induction, etiquette, safety
        ]


def test_hours_are_read_in_the_centres_zone_and_days_off_count(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        p = builders.provider(session, settings, span="mon-fri 08:00-18:00")
        # 23:30 UTC Thursday is 07:30 Friday in Shanghai: not yet; 00:30 UTC is 08:30: yes
        assert _verdict(session, settings, p, at=dt.datetime(2026, 11, 19, 23, 30, tzinfo=dt.UTC)).codes() == [
            "outside_hours"
        ]
        assert _verdict(session, settings, p, at=dt.datetime(2026, 11, 20, 0, 30, tzinfo=dt.UTC)).eligible
        p.days_off = ["2026-11-20"]
        assert _verdict(session, settings, p).codes() == ["day_off"]


def test_capacity_counts_open_jobs_from_the_ledger_unless_dispatch_passes_its_own(
    db: Database, settings: Settings
) -> None:
    with db.transaction() as session:
        p = builders.provider(session, settings, capacity=2)
        item = catalog.get_item(session, code="PE-PIPE-LEAK")
        community = areas.get(session, code="330402003001")
        with clock.freeze(WORKDAY_MORNING - dt.timedelta(hours=1)):
            ledger.record(session, provider=p, kind="accepted", ticket_ref="ticket:2611200001")
            ledger.record(session, provider=p, kind="accepted", ticket_ref="ticket:2611200002")
            ledger.record(session, provider=p, kind="accepted", ticket_ref="ticket:2611200003")
            ledger.record(session, provider=p, kind="completed_on_time", ticket_ref="ticket:2611200003")

        def codes(open_jobs=None):  # type: ignore[no-untyped-def]
            [(_, verdict)] = eligibility.assess(
                session,
                providers=[p],
                at=WORKDAY_MORNING,
                zone=settings.zone,
                item=item,
                community=community,
                open_jobs=open_jobs,
            )
            return verdict.codes()

        assert codes() == ["at_capacity"]  # two accepted and not completed
        assert codes({p.id: 1}) == []  # dispatch knows better
        ledger.record(session, provider=p, kind="completed_late", ticket_ref="ticket:2611200001")
        assert codes() == []
        later = WORKDAY_MORNING + ledger.OPEN_JOB_HORIZON + dt.timedelta(hours=1)
        assert ledger.open_jobs(session, provider_ids=[p.id], at=later) == {}


def test_the_query_returns_only_providers_who_may_take_the_ticket_now(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        street = builders.provider(session, settings, phone="+8613800000001", area_codes=("330402003",))
        district = builders.provider(session, settings, phone="+8613800000002", area_codes=("330402",))
        builders.provider(session, settings, phone="+8613800000003", area_codes=("330402003002",))  # other community
        builders.provider(session, settings, phone="+8613800000004", items=("EH-UNLOCK",))
        builders.provider(session, settings, phone="+8613800000005", status="suspended")
        builders.provider(session, settings, phone="+8613800000006", documents_valid_until=dt.date(2026, 1, 1))
        paused = builders.provider(session, settings, phone="+8613800000007")
        service.set_paused(session, provider=paused, paused=True, actor=Actor.provider(paused.id))
        found = eligibility.eligible_providers(
            session,
            item=catalog.get_item(session, code="PE-PIPE-LEAK"),
            community=areas.get_community(session, code="330402003001"),
            at=WORKDAY_MORNING,
            zone=settings.zone,
        )
        assert [p.id for p in found] == [street.id, district.id]
