"""What every CLI command shares: lazy settings and database, one-line errors, JSON output."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from functools import cached_property
from typing import Any, NoReturn

import click
from pydantic import BaseModel
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from config import roles, staff
from config.db import Database
from config.errors import Forbidden, HotlineError, InvalidInput
from config.settings import Settings, load_settings
from config.staff import Actor, Staff


class CliContext:
    def __init__(self, overrides: dict[str, Any] | None = None) -> None:
        self.overrides = overrides or {}

    @cached_property
    def settings(self) -> Settings:
        return load_settings(**self.overrides)

    @cached_property
    def db(self) -> Database:
        return Database(self.settings.database_url)

    def close(self) -> None:
        if "db" in self.__dict__:
            self.db.dispose()


pass_cli = click.make_pass_decorator(CliContext, ensure=True)


def fail(message: str) -> NoReturn:
    click.echo(f"hotline: error: {message}", err=True)
    sys.exit(2)


class HotlineGroup(click.Group):
    """Turns every error a user can act on into one line on stderr and exit status 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except HotlineError as exc:
            fail(exc.message.replace("\n", "\n  ") if "\n" in exc.message else exc.message)
        except (OperationalError, ProgrammingError) as exc:
            if os.environ.get("HOTLINE_DEBUG"):
                raise
            reason = str(exc.orig).splitlines()[0] if exc.orig else str(exc).splitlines()[0]
            if "no such table" in reason or "does not exist" in reason:
                fail(f"the database is not set up ({reason}); run: hotline db upgrade")
            fail(f"database error: {reason}")
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except Exception as exc:
            if os.environ.get("HOTLINE_DEBUG"):
                raise
            fail(f"unexpected {type(exc).__name__}: {exc} (set HOTLINE_DEBUG=1 for the traceback)")


def print_json(value: Any) -> None:
    def default(obj: Any) -> Any:
        if isinstance(obj, BaseModel):
            return obj.model_dump(mode="json")
        if hasattr(obj, "isoformat"):
            return obj.isoformat()
        raise TypeError(f"cannot serialise {type(obj).__name__}")

    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    elif isinstance(value, list):
        value = [v.model_dump(mode="json") if isinstance(v, BaseModel) else v for v in value]
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=default))


def group(name: str, help: str) -> Callable[[Callable[..., Any]], click.Group]:
    return click.group(name=name, cls=HotlineGroup, help=help)


BY_HELP = "Act as this staff member (name or extension); their role is checked. Without it: the local administrator."


def by_option(help: str = BY_HELP) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--by NAME|EXT`` (``--operator`` is kept as its alias: older scripts and the README use it)."""
    return click.option("--by", "--operator", "by", help=help)


def acting(session: Session, by: str | None, action: str) -> tuple[Actor, Staff | None]:
    """Who a command acts as. The CLI is the server administrator's tool: without ``--by`` it is
    the local administrator (``cli`` in audit trails); with it, that staff member, who must be
    active and whose role (``config.roles``) must allow ``action``."""
    if not by:
        return Actor("cli"), None
    member = staff.find(session, who=by)
    if not member.active:
        raise Forbidden(f"{member.name} is disabled")
    roles.require(member.role, action, who=member.name)
    return Actor.of_staff(member), member


def acting_member(session: Session, by: str, action: str) -> tuple[Actor, Staff]:
    """As ``acting``, for decisions that must name a person (``--by`` required)."""
    actor, member = acting(session, by, action)
    if member is None:
        raise InvalidInput("name who decides with --by NAME|EXT")
    return actor, member
