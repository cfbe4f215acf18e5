"""``/login``, ``/logout`` and, in demo mode, one-click logins for each role.

The login form is protected against cross-site posting by a double-submit token: a random
``hotline_pre`` cookie and, in the form, that value signed with a timestamp. A form left open
past ``LOGIN_FORM_MAX_AGE`` is not refused cryptically: the page comes back, fresh, saying so.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner
from sqlalchemy import select

from config import clock, logins, roles
from config.auth import SESSION_COOKIE, Principal, cookie_secure, principal_of, require, signer
from config.errors import NotFound
from config.i18n import N_, gettext
from config.staff import Staff
from config.web import DatabaseDep, LocaleDep, SettingsDep, render

router = APIRouter(include_in_schema=False)
PRE_COOKIE = "hotline_pre"
LOGIN_FORM_MAX_AGE = 2 * 3600


def safe_next(value: str | None) -> str:
    """Only a path on this site: never ``//evil`` or ``https://evil``."""
    if value and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return "/"


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class _ClockSigner(TimestampSigner):
    """Timestamps from ``config.clock`` (the one clock; tests freeze it)."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _form_signer(request: Request) -> TimestampSigner:
    return _ClockSigner(request.app.state.settings.secret_key, salt="hotline.login-form")


def _page(
    request: Request, db: DatabaseDep, settings: SettingsDep, *, next_path: str, error: str | None, status: int
) -> HTMLResponse:
    pre = request.cookies.get(PRE_COOKIE) or secrets.token_urlsafe(24)
    demo_staff: list[tuple[str, list[Staff]]] = []
    if settings.demo:
        with db.read() as session:
            members = list(session.scalars(select(Staff).where(Staff.active.is_(True)).order_by(Staff.id)))
            session.expunge_all()
        demo_staff = [(r.label, [m for m in members if m.role == r.name]) for r in roles.TABLE]
        demo_staff = [(label, ms) for label, ms in demo_staff if ms]
    response = render(
        request,
        "console/login.html",
        {
            "csrf": _form_signer(request).sign(pre).decode(),
            "next_path": next_path,
            "error": error,
            "demo_staff": demo_staff,
        },
        status_code=status,
    )
    response.set_cookie(PRE_COOKIE, pre, httponly=True, samesite="lax", secure=cookie_secure(settings))
    return response


def _form_is_fresh(request: Request, csrf: str) -> bool:
    """The signed token is recent and names the browser's own ``hotline_pre`` cookie."""
    try:
        value = _form_signer(request).unsign(csrf, max_age=LOGIN_FORM_MAX_AGE).decode()
    except (BadSignature, SignatureExpired):
        return False
    return secrets.compare_digest(value, request.cookies.get(PRE_COOKIE, ""))


def _logged_in(request: Request, settings: SettingsDep, token: str, next_path: str) -> Response:
    response = RedirectResponse(safe_next(next_path), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        signer(settings).sign(token).decode(),
        httponly=True,
        samesite="lax",
        secure=cookie_secure(settings),
    )
    return response


EXPIRED = N_("This login page had been open too long. It has been reloaded: please log in again.")


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, db: DatabaseDep, settings: SettingsDep, next: str = "/") -> Response:
    if principal_of(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _page(request, db, settings, next_path=safe_next(next), error=None, status=200)


@router.post("/login", response_class=HTMLResponse)
def log_in(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    locale: LocaleDep,
    name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    if not _form_is_fresh(request, csrf):
        return _page(request, db, settings, next_path=safe_next(next), error=gettext(locale, EXPIRED), status=400)
    refused: logins.LoginRefused | None = None
    with db.transaction() as session:  # a failure is committed: it counts towards the throttle
        try:
            _, token = logins.log_in(
                session,
                name=name,
                password=password,
                address=_address(request),
                user_agent=request.headers.get("user-agent", ""),
            )
        except logins.LoginRefused as exc:
            refused = exc
    if refused is not None:
        status = 429 if refused.message.startswith("Too many") else 401
        return _page(
            request, db, settings, next_path=safe_next(next), error=gettext(locale, refused.message), status=status
        )
    return _logged_in(request, settings, token, next)


@router.post("/login/demo", response_class=HTMLResponse)
def demo_log_in(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    locale: LocaleDep,
    staff_id: Annotated[int, Form()],
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Demo mode only: log in as a sample staff member without a password."""
    if not settings.demo:
        raise NotFound("one-click logins exist only in demo mode")
    if not _form_is_fresh(request, csrf):
        return _page(request, db, settings, next_path=safe_next(next), error=gettext(locale, EXPIRED), status=400)
    with db.transaction() as session:
        member = session.get(Staff, staff_id)
        if member is None:
            raise NotFound(f"no staff member with id {staff_id}")
        _, token = logins.open_session(session, member=member, address=_address(request))
    return _logged_in(request, settings, token, next)


@router.post("/logout")
def log_out(db: DatabaseDep, who: Annotated[Principal, Depends(require("console.view"))]) -> Response:
    if who.session_id is not None:
        with db.transaction() as session:
            logins.end_session(session, session_id=who.session_id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


# Messages raised by config.logins, marked here for extraction.
N_("Too many failed logins. Wait 15 minutes and try again.")
N_("Wrong name or password.")
