"""What every package's web views share: the request's Database and Settings, the locale,
and Jinja2 templates rendered in that locale. The app itself is assembled in ``hotline.app``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from config import clock, i18n, roles
from config.db import Database
from config.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def _template_dirs() -> list[str]:
    return [str(ROOT / p / "templates") for p in i18n.PACKAGES if (ROOT / p / "templates").is_dir()]


templates = Environment(
    loader=FileSystemLoader(_template_dirs()),
    autoescape=select_autoescape(["html"]),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)


# The dependencies that only read the request are ``async def``: FastAPI runs a plain ``def``
# dependency in its thread pool, and each hop there costs a thread switch (under CPU load, a wait
# for the scheduler) for what takes microseconds.
async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def read_session(db: Annotated[Database, Depends(get_database)]) -> Iterator[Session]:
    with db.read() as session:
        yield session


def write_session(db: Annotated[Database, Depends(get_database)]) -> Iterator[Session]:
    with db.transaction() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]
ReadSession = Annotated[Session, Depends(read_session)]
WriteSession = Annotated[Session, Depends(write_session)]


def request_locale(request: Request) -> str:
    """``?lang=`` first, then the ``lang`` cookie, then Accept-Language, then the centre's default."""
    asked = request.query_params.get("lang") or request.cookies.get("lang")
    if asked:
        return i18n.normalize_locale(asked)
    accept = request.headers.get("accept-language", "")
    for part in accept.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith(("zh", "en")):
            return i18n.normalize_locale(tag)
    return request.app.state.settings.locale


async def _locale(request: Request) -> str:
    return request_locale(request)


LocaleDep = Annotated[str, Depends(_locale)]


def render(request: Request, name: str, context: dict[str, Any], *, status_code: int = 200) -> HTMLResponse:
    settings: Settings = request.app.state.settings
    locale = request_locale(request)
    zone = settings.zone

    def local_time(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
        return value.astimezone(zone).strftime(fmt) if value else ""

    def short_time(value: dt.datetime | None) -> str:
        """A moment as short as it stays unambiguous: ``09:58`` today, ``08-01 09:58`` this year."""
        if value is None:
            return ""
        local, today = value.astimezone(zone), clock.now().astimezone(zone).date()
        fmt = "%H:%M" if local.date() == today else "%m-%d %H:%M" if local.year == today.year else "%Y-%m-%d %H:%M"
        return local.strftime(fmt)

    page = templates.get_template(name).render(
        **i18n.template_globals(locale),
        me=getattr(request.state, "principal", None),
        role_label=lambda role: (
            roles.BY_NAME[role].label if role in roles.BY_NAME else role
        ),  # resolved by config.auth.require, if it ran
        request=request,
        settings=settings,
        centre_name=settings.centre_name_en if locale == "en" else settings.centre_name_zh,
        local_time=local_time,
        short_time=short_time,
        **context,
    )
    response = HTMLResponse(page, status_code=status_code)
    if "lang" in request.query_params:
        response.set_cookie("lang", locale, max_age=365 * 24 * 3600, samesite="lax")
    return response
