"""Report pages (printable, charts inline) and the review pages: supervisors confirm or override
each proposal with a reason; observers (social supervisors) read. Every POST is checked against
the role table and the session's CSRF token (``config.auth.require``) and runs the same service
functions as ``hotline review``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from config import clock, periods
from config.auth import Principal, require
from config.errors import Forbidden, HotlineError, NotFound
from config.i18n import gettext
from config.settings import Settings
from config.web import DatabaseDep, LocaleDep, ReadSession, SettingsDep, render
from hotline.reports import render as report_render
from providers import reviews

router = APIRouter(include_in_schema=False, dependencies=[Depends(require("reports.view"))])
Decider = Annotated[Principal, Depends(require("review.decide"))]
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _period(settings: Settings, key: str, default: str = "month") -> periods.Period:
    today = clock.now().astimezone(settings.zone).date()
    return periods.choose(settings.zone, period=key or None, default=default, today=today)


@router.get("/reports", response_class=HTMLResponse)
def reports_home() -> Response:
    return RedirectResponse("/reports/centre", status_code=303)


@router.get("/reports/{kind}.{fmt}")
def report_file(
    kind: str, fmt: str, session: ReadSession, settings: SettingsDep, locale: LocaleDep, period: str = ""
) -> Response:
    if kind not in report_render.KINDS or fmt not in MEDIA:
        raise NotFound(f"no report {kind}.{fmt}")
    chosen = _period(settings, period, "quarter" if kind == "packet" else "month")
    ctx = report_render.context(session, kind=kind, period=chosen, settings=settings, locale=locale)
    data = report_render.to_csv(ctx, locale).encode() if fmt == "csv" else report_render.to_xlsx(ctx, locale)
    name = f"{kind}-{chosen.key}.{fmt}"
    return Response(data, media_type=MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/reports/{kind}", response_class=HTMLResponse)
def report_page(
    request: Request, kind: str, session: ReadSession, settings: SettingsDep, locale: LocaleDep, period: str = ""
) -> HTMLResponse:
    if kind not in report_render.KINDS:
        raise NotFound(f"no report named {kind!r} (one of {', '.join(report_render.KINDS)})")
    error = None
    try:
        chosen = _period(settings, period, "quarter" if kind == "packet" else "month")
    except HotlineError as exc:
        error, chosen = exc.message, _period(settings, "", "quarter" if kind == "packet" else "month")
    ctx = report_render.context(session, kind=kind, period=chosen, settings=settings, locale=locale)
    ctx |= {
        "title": gettext(locale, report_render.KIND_LABELS[kind]),
        "kinds": [(k, gettext(locale, label)) for k, label in report_render.KIND_LABELS.items()],
        "css": Markup(report_render.REPORT_CSS),
        "error": error,
    }
    return render(request, "reports/page.html", ctx, status_code=400 if error else 200)


def _review_row(r: Any, locale: str) -> dict[str, Any]:
    return {
        "r": r,
        "name": r.provider.name(locale),
        "proposal": gettext(locale, reviews.LABELS[r.proposal]),
        "decision": gettext(locale, reviews.LABELS[r.decision]) if r.decision else "",
        "rule": gettext(locale, reviews.RULES.get(r.rule, r.rule)),
        "status": gettext(locale, reviews.REVIEW_STATUS_LABELS[r.status]),
    }


def render_reviews(
    request: Request,
    session: Any,
    settings: Settings,
    locale: str,
    period: str,
    error: str | None = None,
    code: int = 200,
    everyone: bool = False,
) -> HTMLResponse:
    chosen = _period(settings, period, settings.reviews.period)
    rows = reviews.list_reviews(session, period=chosen.key)
    rows.sort(key=lambda r: (r.status != "proposed", -reviews.LEVELS[r.proposal], r.provider_id))
    # Providers with too little evidence to judge (most, in a month) are kept: counted, not listed.
    quiet = [r for r in rows if r.rule == "too_little_evidence" and r.status == "proposed"]
    if not everyone:
        rows = [r for r in rows if not (r.rule == "too_little_evidence" and r.status == "proposed")]
    context = {
        "period": chosen,
        "quiet": len(quiet),
        "everyone": everyone,
        "rows": [_review_row(r, locale) for r in rows],
        "decisions": [(d, gettext(locale, reviews.LABELS[d])) for d in reviews.DECISIONS],
        "error": error,
        "css": Markup(report_render.REPORT_CSS),
    }
    return render(request, "reports/reviews.html", context, status_code=code)


@router.get("/reviews", response_class=HTMLResponse)
def reviews_page(
    request: Request,
    session: ReadSession,
    settings: SettingsDep,
    locale: LocaleDep,
    period: str = "",
    show: str = "",  # ?show=all lists the providers with too little evidence too
) -> HTMLResponse:
    try:
        return render_reviews(request, session, settings, locale, period, everyone=show == "all")
    except HotlineError as exc:
        return render_reviews(request, session, settings, locale, "", error=exc.message, code=exc.status_code)


def _act(request: Request, db: DatabaseDep, settings: Settings, locale: str, period: str, action: Any) -> Response:
    try:
        with db.transaction() as session:
            action(session)
    except HotlineError as exc:
        with db.read() as session:
            return render_reviews(request, session, settings, locale, period, error=exc.message, code=exc.status_code)
    return RedirectResponse(f"/reviews?period={period}", status_code=303)


def _member(session: Any, who: Principal) -> Any:
    if who.staff is None:
        raise Forbidden("review decisions are recorded with a person: log in as a staff member")
    return session.merge(who.staff)


@router.post("/reviews/run")
def reviews_run(
    request: Request, db: DatabaseDep, settings: SettingsDep, locale: LocaleDep, who: Decider,
    period: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    def action(session: Any) -> None:
        reviews.run(session, period=_period(settings, period, settings.reviews.period), settings=settings)

    return _act(request, db, settings, locale, period, action)


@router.post("/reviews/{review_id}/decide")
def review_decide(
    request: Request, review_id: int, db: DatabaseDep, settings: SettingsDep, locale: LocaleDep, who: Decider,
    decision: Annotated[str, Form()] = "", reason: Annotated[str, Form()] = "", period: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    def action(session: Any) -> None:
        row = reviews.get_review(session, review_id=review_id)
        reviews.decide(
            session, review=row, decision=decision, reason=reason, actor=who.actor, staff=_member(session, who),
            settings=settings,
        )  # fmt: skip

    return _act(request, db, settings, locale, period, action)


@router.post("/reviews/{review_id}/appeal")
def review_appeal(
    request: Request, review_id: int, db: DatabaseDep, settings: SettingsDep, locale: LocaleDep, who: Decider,
    note: Annotated[str, Form()] = "", period: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    def action(session: Any) -> None:
        reviews.appeal(session, review=reviews.get_review(session, review_id=review_id), note=note, actor=who.actor)

    return _act(request, db, settings, locale, period, action)


@router.post("/reviews/{review_id}/reinstate")
def review_reinstate(
    request: Request, review_id: int, db: DatabaseDep, settings: SettingsDep, locale: LocaleDep, who: Decider,
    reason: Annotated[str, Form()] = "", period: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    def action(session: Any) -> None:
        reviews.reinstate(
            session, review=reviews.get_review(session, review_id=review_id), reason=reason, actor=who.actor,
            staff=_member(session, who), settings=settings,
        )  # fmt: skip

    return _act(request, db, settings, locale, period, action)
