"""The administrators' screens: staff logins (``/admin/users``: create, disable, set a new
password) and API keys (``/admin/apikeys``: create, shown once, revoke). The same functions and
rules as ``hotline users`` / ``hotline apikeys``: ``users.manage`` / ``apikeys.manage`` from the
role table, never a login or key above the creator's own role (``roles.may_grant``), a new
password or a disabled login ends that person's open sessions. A key's secret is in the answer to
the POST that created it and nowhere else (only its hash is kept)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from config import logins, roles
from config import staff as staff_mod
from config.auth import Principal, require
from config.errors import Forbidden, HotlineError
from config.i18n import N_, gettext
from config.web import DatabaseDep, LocaleDep, render

router = APIRouter(prefix="/admin", include_in_schema=False)
UserAdmin = Annotated[Principal, Depends(require("users.manage"))]
KeyAdmin = Annotated[Principal, Depends(require("apikeys.manage"))]
DONE = {
    "created": N_("Login created."),
    "disabled": N_("Login disabled; their open sessions have ended."),
    "password": N_("Password set; their open sessions have ended."),
    "revoked": N_("API key revoked."),
}


def _grantable(who: Principal, locale: str) -> list[tuple[str, str]]:
    return [(r.name, gettext(locale, r.label)) for r in roles.TABLE if roles.may_grant(who.role, r.name)]


def _key_grantable(who: Principal, locale: str) -> list[tuple[str, str]]:
    """A key may also be a partner's (Open311 posts only), a role no staff login has."""
    extra = [(r.name, gettext(locale, r.label)) for r in roles.KEY_ONLY if roles.may_grant(who.role, r.name)]
    return extra + _grantable(who, locale)


def _users_page(
    request: Request, db: DatabaseDep, who: Principal, locale: str, *, error: str | None = None, status_code: int = 200
) -> HTMLResponse:
    with db.read() as session:
        people = [
            {
                "id": s.id,
                "name": s.name,
                "role": gettext(locale, roles.BY_NAME[s.role].label) if s.role in roles.BY_NAME else s.role,
                "extension": s.extension,
                "active": s.active,
                "can_log_in": s.active and s.password_hash is not None,
                "manageable": roles.may_grant(who.role, s.role) and (who.staff is None or who.staff.id != s.id),
            }
            for s in staff_mod.list_staff(session)
        ]
    done = request.query_params.get("done")
    context: dict[str, Any] = {
        "people": people,
        "role_choices": _grantable(who, locale),
        "notice": gettext(locale, DONE[done]) if done in DONE and not error else None,
        "error": error,
    }
    return render(request, "console/admin_users.html", context, status_code=status_code)


def _keys_page(
    request: Request,
    db: DatabaseDep,
    who: Principal,
    locale: str,
    *,
    secret: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with db.read() as session:
        keys = [
            {
                "name": k.name,
                "role": gettext(locale, roles.BY_NAME[k.role].label) if k.role in roles.BY_NAME else k.role,
                "prefix": k.prefix,
                "created_by": k.created_by,
                "created_at": k.created_at,
                "revoked": k.revoked_at is not None,
            }
            for k in logins.list_api_keys(session)
        ]
    done = request.query_params.get("done")
    context: dict[str, Any] = {
        "keys": keys,
        "role_choices": _key_grantable(who, locale),
        "secret": secret,
        "notice": gettext(locale, DONE[done]) if done in DONE and not error else None,
        "error": error,
    }
    response = render(request, "console/admin_apikeys.html", context, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"  # a page with a key on it is never kept
    return response


def _manage(session: Session, who: Principal, staff_id: int, what: str) -> staff_mod.Staff:
    member = staff_mod.get(session, staff_id=staff_id)
    if not roles.may_grant(who.role, member.role):
        raise Forbidden(f"a {who.role} may not {what} a {member.role}")
    return member


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, db: DatabaseDep, locale: LocaleDep, who: UserAdmin) -> HTMLResponse:
    return _users_page(request, db, who, locale)


@router.post("/users")
def create_user(
    request: Request,
    db: DatabaseDep,
    locale: LocaleDep,
    who: UserAdmin,
    name: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    extension: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
) -> Response:
    try:
        with db.transaction() as session:
            if not roles.may_grant(who.role, role):
                raise Forbidden(f"a {who.role} may not create a {role or 'login without a role'}")
            member = staff_mod.create(session, name=name.strip(), role=role, extension=extension.strip() or None)
            if password:
                staff_mod.set_password(member, password)
    except HotlineError as exc:
        return _users_page(request, db, who, locale, error=exc.message, status_code=exc.status_code)
    return RedirectResponse("/admin/users?done=created", status_code=303)


@router.post("/users/{staff_id}/disable")
def disable_user(request: Request, staff_id: int, db: DatabaseDep, locale: LocaleDep, who: UserAdmin) -> Response:
    try:
        with db.transaction() as session:
            member = _manage(session, who, staff_id, "disable")
            if who.staff is not None and who.staff.id == member.id:
                raise Forbidden("you cannot disable your own login")
            staff_mod.disable(member)
            logins.end_sessions_of(session, staff_id=member.id)
    except HotlineError as exc:
        return _users_page(request, db, who, locale, error=exc.message, status_code=exc.status_code)
    return RedirectResponse("/admin/users?done=disabled", status_code=303)


@router.post("/users/{staff_id}/password")
def reset_password(
    request: Request,
    staff_id: int,
    db: DatabaseDep,
    locale: LocaleDep,
    who: UserAdmin,
    password: Annotated[str, Form()] = "",
) -> Response:
    try:
        with db.transaction() as session:
            member = _manage(session, who, staff_id, "change the password of")
            staff_mod.set_password(member, password)
            logins.end_sessions_of(session, staff_id=member.id)
    except HotlineError as exc:
        return _users_page(request, db, who, locale, error=exc.message, status_code=exc.status_code)
    return RedirectResponse("/admin/users?done=password", status_code=303)


@router.get("/apikeys", response_class=HTMLResponse)
def keys_page(request: Request, db: DatabaseDep, locale: LocaleDep, who: KeyAdmin) -> HTMLResponse:
    return _keys_page(request, db, who, locale)


@router.post("/apikeys", response_class=HTMLResponse)
def create_key(
    request: Request,
    db: DatabaseDep,
    locale: LocaleDep,
    who: KeyAdmin,
    name: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """The new key is on this answer only: copy it now (the page says so)."""
    try:
        with db.transaction() as session:
            _, secret = logins.create_api_key(
                session, name=name, role=role, created_by=who.actor.ref, granter_role=who.role
            )
    except HotlineError as exc:
        return _keys_page(request, db, who, locale, error=exc.message, status_code=exc.status_code)
    return _keys_page(request, db, who, locale, secret=secret, status_code=201)


@router.post("/apikeys/revoke")
def revoke_key(
    request: Request, db: DatabaseDep, locale: LocaleDep, who: KeyAdmin, name: Annotated[str, Form()] = ""
) -> Response:
    try:
        with db.transaction() as session:
            logins.revoke_api_key(session, name=name)
    except HotlineError as exc:
        return _keys_page(request, db, who, locale, error=exc.message, status_code=exc.status_code)
    return RedirectResponse("/admin/apikeys?done=revoked", status_code=303)
