"""Who is asking, and may they: the dependencies every protected route uses.

A request is a staff member's when it carries the signed session cookie of a live session, or
an API client's when it carries ``Authorization: Bearer <key>``. ``require(action)`` resolves
the principal, checks the role table (``config.roles``) and, for a state-changing request made
with the cookie, the session's CSRF token (form field ``csrf`` or header ``X-CSRF-Token``).
Bearer requests carry no ambient credential, so they need no CSRF token.

Anonymous browsers asking for a page are sent to ``/login``; everything else gets 401.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Request
from itsdangerous import BadSignature, Signer

from config import logins, roles
from config.db import Database
from config.errors import Forbidden, HotlineError
from config.settings import Settings
from config.staff import Actor, Staff

SESSION_COOKIE = "hotline_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class LoginRequired(HotlineError):
    status_code = 401


class CsrfRefused(Forbidden):
    """A state-changing form without its session's token (an old tab, or another site)."""


@dataclass(frozen=True)
class Principal:
    name: str
    role: str
    actor: Actor
    staff: Staff | None = None  # a logged-in staff member (None: an API key)
    session_id: int | None = None
    csrf: str | None = None

    def can(self, action: str) -> bool:
        return roles.allows(self.role, action)


def signer(settings: Settings) -> Signer:
    return Signer(settings.secret_key, salt="hotline.session")


def cookie_secure(settings: Settings) -> bool:
    return settings.public_url.startswith("https://")


def _from_cookie(request: Request, db: Database, settings: Settings) -> Principal | None:
    raw = request.cookies.get(SESSION_COOKIE)
    if not raw:
        return None
    try:
        token = signer(settings).unsign(raw).decode()
    except BadSignature:
        return None
    idle = dt.timedelta(minutes=settings.session_idle_minutes)
    with db.read() as session:
        row = logins.current_session(session, token=token, idle=idle)
        if row is None:
            return None
        member = row.staff
        session.expunge_all()
        stale = logins.needs_touch(row)
        found = Principal(member.name, member.role, Actor.of_staff(member), member, row.id, row.csrf_token)
    if stale:
        with db.transaction() as session:
            logins.touch(session, session_id=row.id)
    return found


def _from_bearer(request: Request, db: Database) -> Principal | None:
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    with db.read() as session:
        key = logins.api_key_for(session, secret=secret.strip())
        if key is None:
            raise LoginRequired("unknown or revoked API key")
        return Principal(f"key:{key.name}", key.role, Actor(f"apikey:{key.id}"))


def principal_of(request: Request) -> Principal | None:
    """The request's principal, or None when anonymous (resolved once per request)."""
    if hasattr(request.state, "principal"):
        known: Principal | None = request.state.principal
        return known
    db: Database = request.app.state.db
    settings: Settings = request.app.state.settings
    found = _from_bearer(request, db) or _from_cookie(request, db, settings)
    request.state.principal = found
    return found


def require(action: str) -> Callable[[Request], Awaitable[Principal]]:
    """Dependency: the principal, allowed to ``action``; CSRF-checked when it changes state."""
    if action not in roles.ACTIONS:
        raise KeyError(f"unknown action {action!r}")

    async def dependency(request: Request) -> Principal:
        from starlette.concurrency import run_in_threadpool

        who = await run_in_threadpool(principal_of, request)
        if who is None:
            raise LoginRequired("log in first (or send Authorization: Bearer <API key>)")
        if request.method not in SAFE_METHODS and who.session_id is not None:
            await check_csrf(request, who)
        roles.require(who.role, action, who=who.name)
        return who

    dependency.__name__ = f"require_{action.replace('.', '_')}"
    return dependency


async def check_csrf(request: Request, who: Principal) -> None:
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf")
        sent = value if isinstance(value, str) else None
    if not sent or not who.csrf or not hmac.compare_digest(sent, who.csrf):
        raise CsrfRefused("this form has expired or did not come from this console; reload the page and try again")
