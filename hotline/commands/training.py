"""``hotline training``: a training centre on a database of its own, and who is ready."""

from __future__ import annotations

import click

from hotline.cli_base import CliContext, fail, print_json

DATABASE_HELP = "The training database (e.g. sqlite:///var/training.db); never the live one."


def _training(ctx: click.Context, database: str) -> CliContext:
    cli = ctx.ensure_object(CliContext)
    cli.overrides["database_url"] = database
    cli.overrides["training"] = True
    return cli


def _prepare(cli: CliContext) -> str:
    from hotline.commands.system import upgrade_and_load
    from hotline.training import flows

    upgrade_and_load(cli)
    with cli.db.transaction() as session:
        foreign = flows.foreign_residents(session)
        if foreign:
            fail(
                f"{cli.db.engine.url.render_as_string(hide_password=True)} holds {foreign} residents who are not "
                "training scenarios'; training needs a database of its own (e.g. sqlite:///var/training.db)"
            )
        return flows.seed(session, cli.settings)


@click.group("training", help="Training mode (上岗培训): scenarios on a training database, and scores.")
def training() -> None:
    pass


@training.command("seed")
@click.option("--database", required=True, help=DATABASE_HELP)
@click.pass_context
def seed(ctx: click.Context, database: str) -> None:
    """Set up the training database (schema, catalogue, training providers) and exit."""
    cli = _training(ctx, database)
    click.echo(f"training database {cli.db.engine.url.database}: {_prepare(cli)} added", err=True)


@training.command("serve")
@click.option("--database", required=True, help=DATABASE_HELP)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8010, show_default=True)
@click.pass_context
def serve(ctx: click.Context, database: str, host: str, port: int) -> None:
    """Serve the console on the training database, with /training and the phone simulator."""
    from hotline.commands.system import _serve

    cli = _training(ctx, database)
    added = _prepare(cli)
    click.echo(f"training centre: {added} added; trainees log in and open /training", err=True)
    _serve(cli, host, port)


@training.command("results")
@click.option("--database", required=True, help=DATABASE_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def results(ctx: click.Context, database: str, as_json: bool) -> None:
    """Each trainee's latest score per scenario and whether they are ready."""
    from hotline.training import results as readiness
    from hotline.training import scenarios, scoring

    cli = _training(ctx, database)
    with cli.db.read() as session:
        rows = readiness.by_trainee(session)
    if as_json:
        print_json({"ready_score": scoring.READY_SCORE, "trainees": [row.as_json() for row in rows]})
        return
    if not rows:
        click.echo("no finished training runs")
        return
    codes = [s.code for s in scenarios.SCENARIOS]
    click.echo("trainee".ljust(16) + "".join(code[:20].ljust(22) for code in codes) + "runs  ready")
    for row in rows:
        scores = "".join(str(row.latest.get(code, "-")).ljust(22) for code in codes)
        click.echo(f"{row.trainee[:15].ljust(16)}{scores}{str(row.runs).ljust(6)}{'yes' if row.ready else 'no'}")
