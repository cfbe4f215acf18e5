"""The ``hotline`` command."""

from __future__ import annotations

import sys

import click

from config.errors import HotlineError
from hotline.cli_base import CliContext, HotlineGroup
from hotline.commands import (  # dispatching adds suggest, offer ... to the ticket group
    classifier,
    dispatching,  # noqa: F401
    jobs,
    messages,
    providers,
    reference,
    residents,
    reviews,
    surveys,
    system,
    tickets,
    training,
    users,
    voice,
)


@click.group(cls=HotlineGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option("0.1.0", prog_name="hotline")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Hotline: dispatch system for a community service hotline."""
    ctx.call_on_close(ctx.ensure_object(CliContext).close)


for command in (
    tickets.ticket,
    messages.messages,
    messages.sms,
    classifier.classify,
    classifier.classifier_group,
    reference.catalog,
    reference.areas,
    users.users,
    users.apikeys,
    providers.providers,
    residents.residents,
    system.db,
    jobs.jobs,
    system.serve,
    system.demo,
    voice.calls,
    voice.callbacks_desk,
    surveys.surveys,
    surveys.complaints,
    training.training,
    reviews.ratings_group,
    reviews.review,
    reviews.report,
):
    cli.add_command(command)


def main() -> None:
    try:
        cli.main(prog_name="hotline")
    except HotlineError as exc:  # raised while click was still parsing (e.g. settings)
        click.echo(f"hotline: error: {exc.message}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
