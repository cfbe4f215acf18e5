"""What every CLI command shares: lazy settings and database, one-line errors, JSON output, and
groups whose commands are imported only when they run.

Start-up time is a feature (``bench/cli_start.py``): ``hotline --help`` imports click and nothing
else, and a command imports only its own module. So this module (which every command imports)
imports SQLAlchemy, pydantic and the settings inside the functions that need them.
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import sys
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any, NoReturn

import click

from config.errors import Forbidden, HotlineError, InvalidInput

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from config.db import Database
    from config.settings import Settings
    from config.staff import Actor, Staff


def reader_gone() -> NoReturn:
    """The reader of stdout went away (``hotline calls list | head``): stop quietly, as ``cat``
    does, instead of an error about a pipe. Python's own advice: point stdout at /dev/null so the
    interpreter's final flush cannot fail again, and exit 1."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(1)


class CliContext:
    def __init__(self, overrides: dict[str, Any] | None = None) -> None:
        self.overrides = overrides or {}

    @cached_property
    def settings(self) -> Settings:
        from config.settings import load_settings

        return load_settings(**self.overrides)

    @cached_property
    def db(self) -> Database:
        from config.db import Database

        return Database(self.settings.database_url)

    def close(self) -> None:
        if "db" in self.__dict__:
            self.db.dispose()


pass_cli = click.make_pass_decorator(CliContext, ensure=True)

_collector_paused = False


def pause_collector() -> None:
    """Turn the cyclic garbage collector off while the command starts (``hotline.cli.main``).

    Importing a command's module builds hundreds of thousands of objects that live as long as the
    process (SQLAlchemy, pydantic, the mapped models), and the collector would walk all of them
    again at every full collection: 10-20 % of a read command's CPU (``bench/cli_start.py``).
    ``resume_collector`` turns it back on once the module is imported."""
    global _collector_paused
    if gc.isenabled():
        gc.disable()
        _collector_paused = True


def resume_collector() -> None:
    """The collector back on, what start-up built frozen out of its way (``gc.freeze``: those
    objects live as long as the process anyway), so whatever the command runs for collects as usual."""
    global _collector_paused
    if _collector_paused:
        _collector_paused = False
        gc.freeze()
        gc.enable()


def fail(message: str) -> NoReturn:
    click.echo(f"hotline: error: {message}", err=True)
    sys.exit(2)


class HotlineGroup(click.Group):
    """Turns every error a user can act on into one line on stderr and exit status 2.

    ``lazy`` names commands by where they live (``{"show": ("hotline.commands.tickets:show",
    "Print a ticket and its history.")}``): the module is imported when the command runs or its
    own help is asked for; the group's help lists the short help given here, so listing commands
    imports nothing. ``tests/hotline/test_cli_lazy.py`` checks the texts match the commands'.
    """

    def __init__(self, *args: Any, lazy: dict[str, tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            module_name, _, attribute = self.lazy[cmd_name][0].partition(":")
            command = getattr(importlib.import_module(module_name), attribute)
            self.commands.setdefault(cmd_name, command)  # a module may have registered it already
        resume_collector()  # start-up is over: the command's code runs with the collector on
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        limit = formatter.width - 6 - max(len(name) for name in self.list_commands(ctx))
        rows = []
        for name in self.list_commands(ctx):
            if name in self.commands:
                command = self.commands[name]
                if command.hidden:
                    continue
                rows.append((name, command.get_short_help_str(limit)))
            else:
                rows.append((name, listed_help(self.lazy[name][1], limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except HotlineError as exc:
            fail(exc.message.replace("\n", "\n  ") if "\n" in exc.message else exc.message)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except BrokenPipeError:
            reader_gone()
        except Exception as exc:
            if os.environ.get("HOTLINE_DEBUG"):
                raise
            reason = _database_error(exc)
            if reason is not None:
                if "no such table" in reason or "does not exist" in reason:
                    fail(f"the database is not set up ({reason}); run: hotline db upgrade")
                fail(f"database error: {reason}")
            fail(f"unexpected {type(exc).__name__}: {exc} (set HOTLINE_DEBUG=1 for the traceback)")


def listed_help(text: str, limit: int) -> str:
    """What a group's help lists for a command whose help is ``text`` (click's own shortening)."""
    return click.Command(None, help=text).get_short_help_str(limit)


def _database_error(exc: Exception) -> str | None:
    """The first line of a database error's reason; None for anything else."""
    if "sqlalchemy" not in sys.modules:  # nothing touched a database
        return None
    from sqlalchemy.exc import OperationalError, ProgrammingError

    if not isinstance(exc, OperationalError | ProgrammingError):
        return None
    return str(exc.orig).splitlines()[0] if exc.orig else str(exc).splitlines()[0]


def print_json(value: Any) -> None:
    from pydantic import BaseModel

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


def group(
    name: str, help: str, lazy: dict[str, tuple[str, str]] | None = None
) -> Callable[[Callable[..., Any]], click.Group]:
    return click.group(name=name, cls=HotlineGroup, help=help, lazy=lazy)


BY_HELP = "Act as this staff member (name or extension); their role is checked. Without it: the local administrator."


def by_option(help: str = BY_HELP) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--by NAME|EXT`` (``--operator`` is kept as its alias: older scripts and the README use it)."""
    return click.option("--by", "--operator", "by", help=help)


def acting(session: Session, by: str | None, action: str) -> tuple[Actor, Staff | None]:
    """Who a command acts as. The CLI is the server administrator's tool: without ``--by`` it is
    the local administrator (``cli`` in audit trails); with it, that staff member, who must be
    active and whose role (``config.roles``) must allow ``action``."""
    from config import roles, staff
    from config.staff import Actor

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
