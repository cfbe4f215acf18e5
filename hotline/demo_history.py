"""90 days of a demo centre's history, bulk-inserted with Core statements: the tickets and every
row the real steps would have left behind them (audit events, offers, ledger facts, surveys and
their events, complaints, result notices, the day counters). The job specs are drawn here;
``hotline.demo_rows`` turns them into rows. Everything comes from one seeded ``random.Random``."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from config.settings import Settings
from providers.demo_roster import Member
from providers.demo_trades import MONTHLY, PROFILES

DAYS = 90
RECENT = dt.timedelta(days=2)  # the last days go through the real code paths (hotline.demo)
MARGIN = dt.timedelta(days=4)  # a flagged provider's month ends this early: surveys and complaints land in it
FIRST_CONTACT_ITEMS = (
    "LC-LEASE", "LC-LABOUR", "LC-CONSUMER", "LC-ANTI-FRAUD", "CA-RESIDENCE-PERMIT", "CA-SOCIAL-INSURANCE",
    "CA-PENSION-CERT", "CA-ELDERLY-CARD", "CA-SUBSISTENCE", "CA-PROPERTY-COMPLAINT", "CA-GARBAGE",
    "EM-UNEMPLOY-REG", "EM-SUBSIDY", "EM-JOB-MATCH",
)  # fmt: skip
RESOLUTIONS = (
    "已告知办理地点、所需材料和办公时间",
    "已转社区居委会跟进，并告知联系电话",
    "已解答政策问题，居民表示清楚了",
    "已告知12345热线及物业联系方式",
)
COMMENTS = {
    5: ("师傅很准时，干活仔细", "非常满意，谢谢热线", "服务态度很好", "很快就修好了"),
    4: ("还可以", "挺好的，就是来得有点晚", "满意"),
    3: ("一般", "修好了，但是收拾得不干净", "还行吧"),
    2: ("等了很久才来", "态度不太好", "修了一次又坏了"),
    1: ("师傅态度很差，还乱收费", "根本没修好，很不满意", "迟到两个小时，电话也不接"),
}
COMPLAINT_TEXTS = ("师傅把地板划坏了，不肯赔", "说好的价格到了现场又加钱", "搬家时打碎了东西", "师傅抽烟，态度恶劣")


@dataclass
class OfferSpec:
    member: Member
    outcome: str  # accepted, declined, expired, withdrawn
    offered_at: dt.datetime
    answered_at: dt.datetime | None


@dataclass
class JobSpec:
    """One history ticket: who asked, what, when, and how it went."""

    created_at: dt.datetime
    resident: Any  # a row of the residents drawn by hotline.demo
    community_id: int
    item: Any  # config.catalog.ServiceItem
    channel: str
    urgency: str
    operator_id: int | None
    description: str
    fate: str  # closed, surveyed, completed, cancelled, resolved
    offers: list[OfferSpec] = field(default_factory=list)
    provider: Member | None = None
    accepted_at: dt.datetime | None = None
    expected_at: dt.datetime | None = None
    arrived_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    on_time: bool = True
    charged: float | None = None
    hours: float | None = None
    overcharge: float | None = None
    survey: dict[str, Any] | None = None
    complaint: dict[str, Any] | None = None
    closed_at: dt.datetime | None = None
    closed_by: int | None = None
    number: str = ""


class Drafter:
    """Draws the history's job specs (no database here: the caller passes what it loaded)."""

    def __init__(
        self,
        rng: random.Random,
        settings: Settings,
        *,
        now: dt.datetime,
        members: Sequence[Member],
        residents_by_community: dict[int, list[Any]],
        communities_under: dict[str, list[int]],
        items: dict[str, Any],
        operators: Sequence[int],
        describe: Callable[[Any, random.Random], str],
        survey_channel: Callable[[Any, Any], str],
        scale: float,
    ) -> None:
        self.rng, self.settings, self.now, self.scale = rng, settings, now, scale
        self.members = [m for m in members if m.status in ("active", "probation") and m.items]
        self.residents_by_community = residents_by_community
        self.communities_under = communities_under
        self.items, self.operators, self.describe = items, operators, describe
        self.survey_channel = survey_channel
        self.good = [m for m in self.members if m.profile == "good"]
        self.by_item: dict[str, list[Member]] = {}
        for member in self.members:
            for code in member.items:
                self.by_item.setdefault(code, []).append(member)

    # --- drawing -------------------------------------------------------------------------------

    def jobs(self) -> list[JobSpec]:
        specs: list[JobSpec] = []
        for member in self.members:
            if member.profile in MONTHLY:
                specs += self._flagged(member)
                continue
            expected = member.weight * self.scale
            count = int(expected) + (self.rng.random() < expected - int(expected))
            specs += [self._job(member) for _ in range(count)]
        extra = round(len(specs) * 0.12)
        specs += [self._first_contact() for _ in range(extra)]
        specs += [self._cancelled() for _ in range(round(len(specs) * 0.05))]
        specs.sort(key=lambda s: s.created_at)
        return specs

    def _months(self, record: int | None) -> list[tuple[dt.date, dt.date, float]]:
        """A flagged provider's months: (first day, last day, share of the month drawn), from the
        start of its record (the 90 days, or ``record`` months back) to the recent days; each
        month stops MARGIN before its end."""
        zone = self.settings.zone
        last = (self.now - RECENT).astimezone(zone).date()
        first = last - dt.timedelta(days=DAYS - 3)
        if record is not None:
            first = self.now.astimezone(zone).date().replace(day=1)
            for _ in range(record):
                first = (first - dt.timedelta(days=1)).replace(day=1)
        months, day = [], first
        while day <= last:
            start = day.replace(day=1)
            ends = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            stop = min(ends - MARGIN, last)
            if stop >= day:
                months.append((day, stop, ((stop - day).days + 1) / ((ends - MARGIN - start).days + 1)))
            day = ends + dt.timedelta(days=1)
        return months

    def _flagged(self, member: Member) -> list[JobSpec]:
        """Exact monthly counts (MONTHLY) for a provider with a part in the reviews."""
        rng, plan, specs = self.rng, MONTHLY[member.profile], []
        for first, last, share in self._months(member.record):
            count = {key: round(value * share * self.scale) for key, value in plan.items()}
            jobs = count["jobs"]
            marks = {
                key: set(rng.sample(range(jobs), min(jobs, count.get(key, 0)))) for key in ("late", "over", "upheld")
            }
            for n in range(jobs):
                specs.append(
                    self._job(member, when=(first, last), late=n in marks["late"], over=n in marks["over"],
                              upheld=n in marks["upheld"])
                )  # fmt: skip
            for outcome in ("expired", "declined"):
                specs += [
                    self._job(None, failing=member, when=(first, last), outcome=outcome)
                    for _ in range(count.get(outcome, 0))
                ]
        return specs

    def _when(self, window: tuple[dt.date, dt.date] | None = None) -> dt.datetime:
        """A moment in the 90 days before the recent ones (or in the window of days), in the
        centre's busy hours."""
        zone = self.settings.zone
        if window is None:
            day = (self.now - RECENT).astimezone(zone).date() - dt.timedelta(days=self.rng.randrange(DAYS - 2))
        else:
            day = window[0] + dt.timedelta(days=self.rng.randrange((window[1] - window[0]).days + 1))
        hour = self.rng.choices(
            range(24), [1, 1, 1, 1, 1, 2, 4, 8, 12, 12, 11, 9, 7, 8, 10, 10, 9, 8, 7, 6, 5, 3, 2, 1]
        )[0]
        local = dt.datetime.combine(day, dt.time(hour, self.rng.randrange(60), self.rng.randrange(60)), tzinfo=zone)
        return min(local.astimezone(dt.UTC), self.now - RECENT)

    def _place(self, member: Member) -> tuple[int, Any]:
        communities = [c for code in member.areas for c in self.communities_under.get(code, [])]
        for _ in range(10):
            community = self.rng.choice(communities)
            if self.residents_by_community.get(community):
                return community, self.rng.choice(self.residents_by_community[community])
        community = self.rng.choice(list(self.residents_by_community))
        return community, self.rng.choice(self.residents_by_community[community])

    def _base(self, item: Any, community: int, resident: Any, created: dt.datetime, fate: str) -> JobSpec:
        channel = self.rng.choices(("phone", "sms", "web", "walk_in"), (60, 25, 10, 5))[0]
        if not resident.mobile and channel == "sms":
            channel = "phone"
        urgency = "normal"
        if item.code.startswith("EH-"):
            urgency = "emergency" if item.sla_minutes <= 15 else "urgent"
        elif self.rng.random() < 0.07:
            urgency = "urgent"
        operator = self.rng.choice(self.operators) if channel in ("phone", "walk_in") else None
        return JobSpec(
            created_at=created,
            resident=resident,
            community_id=community,
            item=item,
            channel=channel,
            urgency=urgency,
            operator_id=operator,
            description=self.describe(item, self.rng),
            fate=fate,
        )

    def _job(
        self,
        member: Member | None,
        *,
        failing: Member | None = None,
        when: tuple[dt.date, dt.date] | None = None,
        outcome: str | None = None,
        late: bool | None = None,
        over: bool | None = None,
        upheld: bool = False,
    ) -> JobSpec:
        """A job done by ``member``, or first offered to ``failing`` who let it expire or declined
        it (``outcome``); ``late``, ``over`` and ``upheld`` set what is otherwise drawn."""
        rng = self.rng
        anchor = member or failing
        assert anchor is not None
        code = rng.choice([c for c in anchor.items if c in self.items])
        community, resident = self._place(anchor)
        created = self._when(when)
        spec = self._base(self.items[code], community, resident, created, "closed")
        window = self.settings.dispatch.window(spec.urgency)
        at = created + dt.timedelta(minutes=rng.randint(2, 25))
        if failing is not None:
            answered = at + (window if outcome == "expired" else dt.timedelta(minutes=rng.randint(1, 15)))
            spec.offers.append(OfferSpec(failing, outcome or "declined", at, answered))
            at = answered + dt.timedelta(seconds=rng.randint(1, 30))
            others = [m for m in self.by_item.get(code, []) if m.id != failing.id and m.profile == "good"]
            if not others:
                spec.fate = "cancelled"
                return self._cancel(spec, at)
            member = rng.choice(others)
        elif rng.random() < 0.15:  # somebody else was asked first and said no
            others = [m for m in self.by_item.get(code, []) if m.id != member.id and m.profile == "good"]  # type: ignore[union-attr]
            if others:
                other = rng.choice(others)
                said_no = at + dt.timedelta(minutes=rng.randint(1, 12))
                spec.offers.append(OfferSpec(other, "declined", at, said_no))
                at = said_no + dt.timedelta(seconds=rng.randint(1, 30))
        assert member is not None
        profile = PROFILES.get(member.profile, PROFILES["good"])
        accepted = at + dt.timedelta(minutes=rng.uniform(0.5, window.total_seconds() / 60 * 0.8))
        spec.offers.append(OfferSpec(member, "accepted", at, accepted))
        spec.provider, spec.accepted_at = member, accepted
        spec.expected_at = accepted + self.settings.dispatch.arrival(spec.urgency)
        spec.on_time = not late if late is not None else rng.random() < profile["on_time"]
        early = dt.timedelta(minutes=rng.randint(5, 90))
        delay = dt.timedelta(minutes=rng.randint(15, 150))
        spec.arrived_at = spec.expected_at - early if spec.on_time else spec.expected_at + delay
        spec.arrived_at = max(spec.arrived_at, accepted + dt.timedelta(minutes=10))
        spec.completed_at = spec.arrived_at + dt.timedelta(minutes=rng.randint(30, 240))
        item = spec.item
        if member.kind == "volunteer":
            spec.hours = float(rng.choice((1, 1.5, 2, 3)))
        else:
            units = rng.choice((2, 3, 4)) if item.unit == "hour" else 1
            spec.hours = float(units) if item.unit == "hour" else None
            spec.charged = float(item.price) * units
            if item.price and (over if over is not None else rng.random() < profile["over"]):
                spec.overcharge = float(rng.choice((20, 30, 50, 80)))
                spec.charged += spec.overcharge
        self._survey(spec, profile, upheld=upheld)
        return spec

    def _survey(self, spec: JobSpec, profile: dict[str, Any], *, upheld: bool = False) -> None:
        rng, completed = self.rng, spec.completed_at
        assert completed is not None and spec.provider is not None
        channel = self.survey_channel(spec.resident, spec.item)
        due = completed + (dt.timedelta(hours=2) if channel == "sms" else dt.timedelta(hours=rng.randint(16, 26)))
        recent = completed > self.now - dt.timedelta(days=3)
        answered = recent or rng.random() < (0.72 if channel == "sms" else 0.86)
        score = rng.choices((1, 2, 3, 4, 5), profile["scores"])[0]
        answer_at = due + (dt.timedelta(minutes=rng.randint(3, 360)) if channel == "sms" else dt.timedelta(0))
        spec.survey = {
            "channel": channel,
            "due_at": due,
            "sent_at": due,
            "answered_at": answer_at if answered else None,
            "score": score if answered else None,
            "comment": rng.choice(COMMENTS[score]) if answered and rng.random() < 0.5 else None,
            "expired_at": None if answered else due + dt.timedelta(hours=self.settings.callbacks.answer_hours),
        }
        low = answered and score <= self.settings.callbacks.low_score
        kind = spec.provider.profile
        if low or upheld:
            low = low and not upheld
            opened = answer_at if low else completed + dt.timedelta(hours=rng.randint(3, 30))
            if upheld:
                outcome = "upheld"
            elif kind in ("good", "busy", "poor"):
                outcome = rng.choices(
                    ("upheld", "not_upheld", "withdrawn"), (80, 15, 5) if kind == "poor" else (30, 60, 10)
                )[0]
            else:  # the flagged providers' own complaints are counted exactly (MONTHLY)
                outcome = rng.choice(("not_upheld", "withdrawn"))
            decided = opened + dt.timedelta(hours=rng.randint(4, 60))
            spec.complaint = {
                "source": "survey" if low else "sms",
                "text": (spec.survey["comment"] or f"score {score}") if low else rng.choice(COMPLAINT_TEXTS),
                "opened_at": opened,
                "decided_at": decided if decided < self.now - dt.timedelta(hours=6) else None,
                "outcome": outcome,
            }
        ended = spec.survey["answered_at"] or spec.survey["expired_at"]
        if spec.survey["answered_at"] is not None:
            spec.fate = "surveyed"
        else:
            spec.fate = "completed"
        if ended < self.now - dt.timedelta(days=2) and rng.random() < 0.95:
            spec.fate = "closed"
            spec.closed_at = ended + dt.timedelta(minutes=rng.randint(30, 1440))
            spec.closed_by = rng.choice(self.operators)

    def _first_contact(self) -> JobSpec:
        code = self.rng.choice([c for c in FIRST_CONTACT_ITEMS if c in self.items])
        community = self.rng.choice(list(self.residents_by_community))
        resident = self.rng.choice(self.residents_by_community[community])
        spec = self._base(self.items[code], community, resident, self._when(), "resolved")
        spec.channel, spec.operator_id = "phone", self.rng.choice(self.operators)
        spec.closed_at = spec.created_at + dt.timedelta(minutes=self.rng.randint(2, 9))
        spec.closed_by = spec.operator_id
        return spec

    def _cancelled(self) -> JobSpec:
        member = self.rng.choice(self.good)
        community, resident = self._place(member)
        code = self.rng.choice([c for c in member.items if c in self.items])
        spec = self._base(self.items[code], community, resident, self._when(), "cancelled")
        at = spec.created_at + dt.timedelta(minutes=self.rng.randint(3, 30))
        if self.rng.random() < 0.5:
            spec.offers.append(OfferSpec(member, "withdrawn", at, None))
        return self._cancel(spec, at + dt.timedelta(minutes=self.rng.randint(5, 60)))

    def _cancel(self, spec: JobSpec, at: dt.datetime) -> JobSpec:
        spec.fate, spec.closed_at = "cancelled", at
        spec.closed_by = self.rng.choice(self.operators)
        for offer in spec.offers:
            if offer.outcome == "withdrawn":
                offer.answered_at = at
        return spec
