"""Logged-in clients for tests: a staff member of a role, with a live session cookie."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from config import logins
from config import staff as staff_mod
from config.auth import SESSION_COOKIE, signer
from config.db import Database
from config.settings import Settings

PASSWORD = "correct horse battery"
NAMES = {"observer": "孙丽", "operator": "王芳", "dispatcher": "Chen Jing", "supervisor": "赵敏", "admin": "周磊"}
EXTENSIONS = {"operator": "7001", "dispatcher": "7003"}


@dataclass
class Login:
    staff_id: int
    name: str
    role: str
    csrf: str
    cookie: str  # the signed cookie value


def staff_member(db: Database, role: str, *, name: str | None = None) -> staff_mod.Staff:
    """The staff member of ``role`` (created with ``PASSWORD`` the first time)."""
    name = name or NAMES[role]
    with db.transaction() as session:
        member = session.scalar(select(staff_mod.Staff).where(staff_mod.Staff.name == name))
        if member is None:
            member = staff_mod.create(session, name=name, role=role, extension=EXTENSIONS.get(role))
            staff_mod.set_password(member, PASSWORD)
            session.flush()
        session.expunge(member)
    return member


def log_in(client, db: Database, settings: Settings, role: str, *, name: str | None = None) -> Login:  # type: ignore[no-untyped-def]
    """Open a session for the staff member of ``role`` and put its cookie on ``client``."""
    member = staff_member(db, role, name=name)
    with db.transaction() as session:
        row, token = logins.open_session(session, member=session.get(staff_mod.Staff, member.id))
        csrf = row.csrf_token
    cookie = signer(settings).sign(token).decode()
    client.cookies.set(SESSION_COOKIE, cookie)
    return Login(member.id, member.name, role, csrf, cookie)


def browser_log_in(page, base: str, *, next_path: str = "/", role: str | None = None, name: str = "") -> None:  # type: ignore[no-untyped-def]
    """Log a Playwright page in: with one click for ``role`` (demo mode), or with ``name`` and ``PASSWORD``."""
    from urllib.parse import quote

    page.goto(f"{base}/login?next={quote(next_path)}")
    if role is not None:
        page.locator(f'button[data-role="{role}"]').first.click()
    else:
        page.fill('input[name="name"]', name)
        page.fill('input[name="password"]', PASSWORD)
        page.keyboard.press("Enter")
    page.wait_for_url(f"{base}{next_path}")
