"""Supervisor pages: the provider list with filters, a provider's profile, the vetting queue.
Staff only (``console.view``); providers' phone numbers are shown masked."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from config import areas, catalog, charts, clock, phones
from config.auth import principal_of, require
from config.errors import NotFound
from config.i18n import N_, gettext
from config.settings import Settings
from config.web import LocaleDep, ReadSession, SettingsDep, render
from providers import eligibility, ledger, ratings, reviews, service
from providers import hours as working_hours
from providers.models import Provider, ProviderEvent
from providers.states import (
    CHECK_LABELS,
    CHECKLIST,
    COURSE_LABELS,
    DISPATCHABLE,
    DOCUMENT_LABELS,
    KIND_LABELS,
    KINDS,
    LABELS,
    STATUSES,
    TRANSITIONS,
)

router = APIRouter(prefix="/providers", dependencies=[Depends(require("console.view"))])
PAGE = 200
T = TypeVar("T")


def _or_none(find: Callable[[], T]) -> T | None:
    """A filter naming an unknown code shows everything rather than an error page."""
    try:
        return find()
    except NotFound:
        return None


def _phone_shown(request: Request, settings: Settings) -> Callable[[str], str]:
    """A provider's phone as the reader may see it: in full, grouped, for the staff who call people
    (``resident.phone``: a dispatcher rings a provider who has not answered), masked for observers."""
    who = principal_of(request)
    full = who is not None and who.can("resident.phone")
    return functools.partial(phones.on_screen, full=full, region=settings.default_region)


def _row(
    provider: Provider, verdict: eligibility.Eligibility, locale: str, shown: Callable[[str], str]
) -> dict[str, object]:
    return {
        "id": provider.id,
        "name": provider.name(locale),
        "kind": gettext(locale, KIND_LABELS[provider.kind]),
        "status": gettext(locale, LABELS[provider.status]),
        "status_code": provider.status,
        "phone": shown(provider.phone),
        "services": [item.name(locale) for item in provider.items],
        "area_names": [area.name(locale) for area in provider.areas],
        "paused": provider.paused,
        "eligible": verdict.eligible,
        "reasons": [reason.text(locale) for reason in verdict.reasons],
    }


@router.get("", response_class=HTMLResponse, include_in_schema=False)
def provider_list_page(
    request: Request,
    session: ReadSession,
    settings: SettingsDep,
    locale: LocaleDep,
    kind: str = "",
    status: str = "",
    item: str = "",
    area: str = "",
    eligible: str = "",
) -> HTMLResponse:
    now = clock.now()
    chosen_item = _or_none(lambda: catalog.get_item(session, code=item)) if item else None
    chosen_area = _or_none(lambda: areas.get(session, code=area)) if area else None
    if eligible and chosen_item is not None and chosen_area is not None:
        rows = eligibility.eligible_providers(
            session, item=chosen_item, community=chosen_area, at=now, zone=settings.zone
        )
        rows = [p for p in rows if (not kind or p.kind == kind) and (not status or p.status == status)]
    else:
        statuses = [status] if status in STATUSES else (sorted(DISPATCHABLE) if eligible else [])
        rows = service.list_providers(
            session, kinds=[kind] if kind in KINDS else [], statuses=statuses, item=chosen_item, area=chosen_area
        )
        if eligible:
            rows = [p for p in rows if not p.paused]
    assessed = eligibility.assess(
        session, providers=rows[: PAGE * 5], at=now, zone=settings.zone, item=chosen_item, community=chosen_area
    )
    phone = _phone_shown(request, settings)
    shown = [_row(p, v, locale, phone) for p, v in assessed if v.eligible or not eligible][:PAGE]
    context = {
        "providers": shown,
        "total": len(rows),
        "page": PAGE,
        "filters": {"kind": kind, "status": status, "item": item, "area": area, "eligible": bool(eligible)},
        "kinds": [(code, gettext(locale, KIND_LABELS[code])) for code in KINDS],
        "statuses": [(code, gettext(locale, LABELS[code])) for code in STATUSES],
        "items": [(i.code, f"{i.code} {i.name(locale)}") for i in catalog.list_items(session)],
        "areas": [
            (a.code, ("· " * ["district", "street", "community"].index(a.level)) + a.name(locale))
            for a in areas.list_areas(session)
        ],
        "now": now,
    }
    return render(request, "providers/list.html", context)


@router.get("/vetting", response_class=HTMLResponse, include_in_schema=False)
def vetting_queue_page(
    request: Request, session: ReadSession, settings: SettingsDep, locale: LocaleDep
) -> HTMLResponse:
    queue = []
    for p in service.list_providers(session, statuses=["applicant", "vetting"]):
        done = {check.item for check in p.checks}
        queue.append(
            {
                "id": p.id,
                "name": p.name(locale),
                "kind": gettext(locale, KIND_LABELS[p.kind]),
                "status": gettext(locale, LABELS[p.status]),
                "status_code": p.status,
                "since": p.created_at,
                "checks": [(gettext(locale, CHECK_LABELS[c]), c in done) for c in CHECKLIST[p.kind]],
                "done": len(done),
                "total": len(CHECKLIST[p.kind]),
            }
        )
    return render(request, "providers/vetting.html", {"queue": queue})


EVENT_TEXT = {
    "paused": N_("Paused offers"),
    "resumed": N_("Resumed offers"),
    "document": N_("Document recorded: {what}, expires {date}"),
    "training": N_("Training recorded: {what}, completed {date}"),
    "vetting_check": N_("Checked: {what}"),
}


def _event_row(event: ProviderEvent, locale: str) -> dict[str, object]:
    data = event.data or {}
    if event.to_status:
        before = gettext(locale, LABELS[event.from_status]) if event.from_status else ""
        what = f"{before} → {gettext(locale, LABELS[event.to_status])}".strip()
    elif event.kind == "document":
        label = gettext(locale, DOCUMENT_LABELS.get(data.get("kind", ""), str(data.get("kind"))))
        message = EVENT_TEXT[event.kind]
        what = gettext(locale, message, what=label, date=data.get("expires_on") or "–")
    elif event.kind == "training":
        label = gettext(locale, COURSE_LABELS.get(data.get("course", ""), str(data.get("course"))))
        message = EVENT_TEXT[event.kind]
        what = gettext(locale, message, what=label, date=data.get("completed_on"))
    elif event.kind == "vetting_check":
        label = gettext(locale, CHECK_LABELS.get(data.get("item", ""), str(data.get("item"))))
        message = EVENT_TEXT[event.kind]
        what = gettext(locale, message, what=label)
    else:
        what = gettext(locale, EVENT_TEXT[event.kind]) if event.kind in EVENT_TEXT else event.kind
    if event.staff is not None:
        who = event.staff.name
    elif event.actor.startswith("provider:"):
        who = gettext(locale, "The provider")
    elif event.actor == "system":
        who = gettext(locale, "System")
    else:
        who = event.actor
    return {"at": event.at, "who": who, "what": what, "note": event.note}


def _profile(
    session: Session, provider: Provider, settings: Settings, locale: str, shown: Callable[[str], str]
) -> dict[str, object]:
    now = clock.now()
    today = now.astimezone(settings.zone).date()
    verdict = eligibility.assess(session, providers=[provider], at=now, zone=settings.zone)[0][1]
    documents = service.latest_documents(provider)
    trainings = service.latest_trainings(provider)

    def state(expires: dt.date | None) -> str:
        if expires is None:
            return "ok"
        return "expired" if expires < today else ("soon" if (expires - today).days <= 30 else "ok")

    summary = ledger.summary(session, provider=provider, since=now - dt.timedelta(days=365))
    rating = rating_evidence(session, provider, settings, locale, now)
    done = {check.item: check for check in provider.checks}
    return {
        "p": provider,
        "name": provider.name(locale),
        "kind": gettext(locale, KIND_LABELS[provider.kind]),
        "status": gettext(locale, LABELS[provider.status]),
        "phone": shown(provider.phone),
        "hours": working_hours.format(provider.hours, locale),
        "items": [f"{i.code} {i.name(locale)}" for i in provider.items],
        "areas": [a.path(locale) for a in provider.areas],
        "verdict": verdict,
        "reasons": [r.text(locale) for r in verdict.reasons],
        "documents": [
            (gettext(locale, DOCUMENT_LABELS[k]), d.number, d.expires_on, state(d.expires_on))
            for k, d in documents.items()
        ],
        "trainings": [
            (gettext(locale, COURSE_LABELS[c]), t.completed_on, t.expires_on, state(t.expires_on))
            for c, t in trainings.items()
        ],
        "checks": [(gettext(locale, CHECK_LABELS[c]), done.get(c)) for c in CHECKLIST[provider.kind]],
        "events": [_event_row(e, locale) for e in service.events_of(session, provider=provider)],
        "summary": summary,
        **rating,
    }


COMPONENTS = {
    "satisfaction": N_("Satisfaction (1-5, shrunk towards the centre mean)"),
    "satisfied": N_("Satisfied residents (scores 4-5)"),
    "acceptance": N_("Offers accepted"),
    "expired": N_("Offers left to expire"),
    "on_time": N_("Jobs completed on time"),
    "complaints_per_100": N_("Upheld complaints per 100 jobs"),
    "overcharges_per_100": N_("Overcharges per 100 jobs"),
}


def rating_evidence(
    session: Session, provider: Provider, settings: Settings, locale: str, now: dt.datetime
) -> dict[str, object]:
    """The rating with its evidence (last 12 months): each component with its sample size and 95 %
    range, the reviews so far, and the monthly trend as server-drawn SVG."""
    prior = ratings.centre_mean(session, since=now - ratings.HISTORY, until=now)
    record = ratings.records(
        session,
        provider_ids=[provider.id],
        prior_mean=prior if prior is not None else settings.dispatch.rating_prior_mean,
        prior_weight=settings.reviews.prior_weight,
        at=now,
    )[provider.id]
    months = ratings.trend(session, provider_id=provider.id, zone=settings.zone, at=now)
    evidence = record.evidence()
    rows = []
    for key, label in COMPONENTS.items():
        c = evidence[key]
        percent = key not in ("satisfaction", "complaints_per_100", "overcharges_per_100")
        rows.append({"label": gettext(locale, label), "percent": percent, "key": key, **c})
    return {
        "rating": record,
        "rating_prior": prior if prior is not None else settings.dispatch.rating_prior_mean,
        "evidence": rows,
        "trend_charts": [
            charts.line(
                gettext(locale, "Mean survey score by month"),
                [(m.month, m.mean_score) for m in months],
            ),
            charts.line(
                gettext(locale, "Jobs completed by month"),
                [(m.month, float(m.completed)) for m in months],
            ),
            charts.line(
                gettext(locale, "On time by month"),
                [(m.month, m.on_time / m.completed if m.completed else None) for m in months],
                percent=True,
            ),
        ],
        "months": months,
        "reviews": [
            {
                "period": r.period,
                "proposal": gettext(locale, reviews.LABELS[r.proposal]),
                "rule": gettext(locale, reviews.RULES.get(r.rule, r.rule)),
                "decision": gettext(locale, reviews.LABELS[r.decision]) if r.decision else "",
                "status": gettext(locale, reviews.REVIEW_STATUS_LABELS[r.status]),
                "reason": r.reason or "",
            }
            for r in reviews.list_reviews(session, provider_id=provider.id)[:12]
        ],
    }


def render_profile(
    request: Request,
    session: Session,
    *,
    provider_id: int,
    settings: Settings,
    locale: str,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    provider = service.get_provider(session, provider_id=provider_id)
    context = _profile(session, provider, settings, locale, _phone_shown(request, settings))
    context["error"] = error
    context["next_statuses"] = [
        (code, gettext(locale, LABELS[code])) for code in STATUSES if code in TRANSITIONS[provider.status]
    ]
    context["course_choices"] = [(c, gettext(locale, COURSE_LABELS[c])) for c in COURSE_LABELS]
    context["document_choices"] = [(k, gettext(locale, DOCUMENT_LABELS[k])) for k in DOCUMENT_LABELS]
    context["check_choices"] = [(c, gettext(locale, CHECK_LABELS[c])) for c in CHECKLIST[provider.kind]]
    return render(request, "providers/profile.html", context, status_code=status_code)


@router.get("/{provider_id}", response_class=HTMLResponse, include_in_schema=False)
def provider_profile_page(
    request: Request, provider_id: int, session: ReadSession, settings: SettingsDep, locale: LocaleDep
) -> HTMLResponse:
    return render_profile(request, session, provider_id=provider_id, settings=settings, locale=locale)
