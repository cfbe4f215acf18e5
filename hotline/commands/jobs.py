"""``hotline jobs``: the periodic sweepers that ``hotline serve`` runs, listed or run once by name."""

from __future__ import annotations

import click

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
@pass_cli
def jobs_run(cli: CliContext, name: str) -> None:
    """Run one pass of a job now (e.g. after an outage), and say how many rows it handled."""
    job = scheduler.get_job(name)
    handled = job.make(cli.db, cli.settings)()
    click.echo(f"{job.name}: {handled} handled")
