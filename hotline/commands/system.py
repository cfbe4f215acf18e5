"""``hotline db upgrade``, ``hotline serve``, ``hotline demo``."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import click

from config import areas, catalog
from hotline import db as migrations
from hotline.cli_base import CliContext, fail, pass_cli

if TYPE_CHECKING:
    from rich.progress import TaskID


@click.group("db", help="The database schema.")
def db() -> None:
    pass


def upgrade_and_load(cli: CliContext) -> tuple[int, int, int]:
    migrations.upgrade(cli.db)
    with cli.db.transaction() as session:
        categories, items = catalog.load(session)
        area_count = areas.load(session)
    return categories, items, area_count


@db.command("upgrade")
@pass_cli
def db_upgrade(cli: CliContext) -> None:
    """Apply migrations, then load the service catalogue and areas from config/."""
    categories, items, area_count = upgrade_and_load(cli)
    click.echo(
        f"database at {cli.db.engine.url.render_as_string(hide_password=True)} is up to date; "
        f"catalogue: {categories} categories, {items} items; {area_count} areas"
    )


def _log_to_console() -> None:
    """The hotline's own messages (texts sent by the console backend, AMI events, jobs) at INFO on
    stderr; other libraries only from WARNING."""
    import logging

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S"))
    for name in ("config", "sms", "providers", "dispatch", "callbacks", "hotline"):
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO)
        logger.addHandler(handler)
        logger.propagate = False


def _serve(cli: CliContext, host: str, port: int) -> None:
    import uvicorn

    from hotline.app import create_app

    script = migrations.alembic_config(cli.db.url)
    from alembic.script import ScriptDirectory

    expected = set(ScriptDirectory.from_config(script).get_heads())
    if migrations.current_heads(cli.db) != expected:
        fail("the database schema is not up to date; run: hotline db upgrade")
    _log_to_console()
    app = create_app(cli.settings, cli.db, background=True)
    click.echo(f"Hotline on http://{host}:{port}/  (API docs: /docs, health: /healthz)  Ctrl+C stops.", err=True)
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@pass_cli
def serve(cli: CliContext, host: str, port: int) -> None:
    """Run the hotline: web app and background work in one process."""
    _serve(cli, host, port)


DEMO_DATABASE = "sqlite:///var/demo.db"


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--no-serve", is_flag=True, help="Set up and seed only.")
@click.option(
    "--scale",
    type=click.FloatRange(0.01, 1.0),
    default=1.0,
    show_default=True,
    help="1: a centre the size of Jiaxing's.",
)
@click.pass_context
def demo(ctx: click.Context, host: str, port: int, no_serve: bool, scale: float) -> None:
    """Set up a demo centre (its own SQLite database, console SMS, 90 days of sample history),
    write its settings to ./.env so every hotline command in this directory uses it, and serve it."""
    from hotline import demo as demo_data
    from hotline import demo_env

    cli = ctx.ensure_object(CliContext)
    cli.overrides.setdefault("database_url", os.environ.get("HOTLINE_DATABASE_URL") or DEMO_DATABASE)
    cli.overrides.setdefault("demo", True)
    cli.overrides.setdefault("sms_backend", "console")
    cli.overrides.setdefault("dispatch", {"auto_categories": demo_data.AUTO_CATEGORIES})
    categories, items, area_count = upgrade_and_load(cli)
    with cli.db.transaction() as session:
        foreign = demo_data.foreign_data(session, cli.settings)
        if foreign:
            fail(
                f"{cli.db.engine.url.render_as_string(hide_password=True)} holds data the demo did not put there "
                f"({foreign}); demo mode would publish it. Point HOTLINE_DATABASE_URL at a database of its own "
                "(e.g. sqlite:///var/demo.db)"
            )
    started = time.monotonic()
    with demo_progress() as tell, cli.db.transaction() as session:
        seeded = demo_data.seed(session, cli.settings, scale=scale, progress=tell)
    env_file = demo_env.write(cli.settings)
    url = cli.db.engine.url.render_as_string(hide_password=True)
    click.echo(
        f"demo database {url}: {categories} categories, {items} items, {area_count} areas; "
        + (
            "seeded "
            + ", ".join(f"{n} {what}" for what, n in seeded.items())
            + f" in {time.monotonic() - started:.0f} s"
            if seeded
            else "sample data already present"
        ),
        err=True,
    )
    click.echo(
        f"settings written to {env_file}: hotline commands run in this directory use the demo database", err=True
    )
    click.echo(f"Open http://{host}:{port}/login and pick a demo login (no passwords):", err=True)
    for name, role in demo_data.iter_logins():
        click.echo(f"  {role:<11} {name}", err=True)
    if not no_serve:
        if host not in LOOPBACK:
            click.echo(
                f"hotline: warning: the demo listens on {host}: anyone who reaches it sees its pages and "
                "can log in with one click as any demo staff member",
                err=True,
            )
        _serve(cli, host, port)


@contextlib.contextmanager
def demo_progress() -> Iterator[Callable[[str, int, int], None]]:
    """A rich progress bar per seeding phase, on stderr."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    labels = {
        "providers": "providers",
        "residents": "residents",
        "history": "90 days of history",
        "recent": "the last two days",
    }
    with Progress(
        TextColumn("{task.description:<20}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=Console(stderr=True), transient=False,
    ) as bar:  # fmt: skip
        tasks: dict[str, TaskID] = {}

        def tell(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = bar.add_task(labels.get(phase, phase), total=total)
            bar.update(tasks[phase], completed=done, total=total)

        yield tell


LOOPBACK = ("127.0.0.1", "localhost", "::1")
