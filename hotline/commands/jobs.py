"""``hotline jobs``: the periodic sweepers that ``hotline serve`` runs, listed or run once by name."""

from __future__ import annotations

import datetime as dt

import click

from config import clock
from config.errors import InvalidInput
from hotline import scheduler
from hotline.cli_base import CliContext, group, pass_cli, print_json


@group("jobs", help="The periodic jobs hotline serve runs (run one now by name).")
def jobs() -> None:
    pass


@jobs.command("list")
@click.option("--json", "as_json", is_flag=True)
def jobs_list(as_json: bool) -> None:
    """The jobs, how often serve runs them, and what they do."""
    rows = [
        {"name": j.name, "every_seconds": int(j.every.total_seconds()), "summary": j.summary}
        for j in scheduler.JOBS.values()
    ]
    if as_json:
        print_json(rows)
        return
    for row in rows:
        click.echo(f"{row['name']:<30} every {row['every_seconds']:>4} s  {row['summary']}")


@jobs.command("run")
@click.argument("name")
@click.option("--at", "at", help="Run the pass as if it were this time (ISO 8601; no offset: the centre's zone).")
@pass_cli
def jobs_run(cli: CliContext, name: str, at: str | None) -> None:
    """Run one pass of a job now (e.g. after an outage), and say how many rows it handled."""
    job = scheduler.get_job(name)
    if at is None:
        handled = job.make(cli.db, cli.settings)()
    else:
        with clock.freeze(_instant(at, cli.settings.zone)):
            handled = job.make(cli.db, cli.settings)()
    click.echo(f"{job.name}: {handled} handled")


def _instant(text: str, zone: dt.tzinfo) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"--at {text!r} is not an ISO 8601 time such as 2026-11-27T14:30 or 2026-11-27T06:30Z"
        ) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)
