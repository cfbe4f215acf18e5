"""The ``hotline`` command.

Commands are named here with where they live and their one-line help; a command's module is
imported only when it runs (``HotlineGroup.lazy``), so ``hotline --help`` imports click and
nothing else and ``hotline catalog list`` never loads the web app, the scheduler or Twilio
(``bench/cli_start.py`` measures both).
"""

from __future__ import annotations

import sys

import click

from config.errors import HotlineError
from hotline.cli_base import CliContext, HotlineGroup, pause_collector

COMMANDS: dict[str, tuple[str, str]] = {
    "apikeys": ("hotline.commands.users:apikeys", "Bearer tokens for the JSON API (/api/v1/)."),
    "areas": ("hotline.commands.reference:areas", "Districts, streets and communities (config/areas.toml)."),
    "callbacks-desk": (
        "hotline.commands.voice:callbacks_desk",
        "The callback list: missed and abandoned callers to ring back.",
    ),
    "calls": ("hotline.commands.voice:calls", "The call log (Asterisk and Twilio)."),
    "catalog": ("hotline.commands.reference:catalog", "The service catalogue (config/catalog.toml)."),
    "classifier": (
        "hotline.commands.classifier:classifier_group",
        "Train the text classifier from operators' labels, and measure it.",
    ),
    "classify": (
        "hotline.commands.classifier:classify",
        "The service item a text asks for, its confidence and the top 3 suggestions.",
    ),
    "complaints": (
        "hotline.commands.surveys:complaints",
        "Complaints: from surveys, texts and operators; owners, deadlines, outcomes.",
    ),
    "db": ("hotline.commands.system:db", "The database schema."),
    "demo": (
        "hotline.commands.system:demo",
        "Set up a demo centre (its own SQLite database, console SMS, 90 days of sample history), write its "
        "settings to ./.env so every hotline command in this directory uses it, and serve it.",
    ),
    "jobs": ("hotline.commands.jobs:jobs", "The periodic jobs hotline serve runs (run one now by name)."),
    "messages": ("hotline.commands.messages:messages", "Text messages in and out."),
    "providers": (
        "hotline.commands.providers:providers",
        "The service resource library: companies, individuals, volunteers.",
    ),
    "ratings": (
        "hotline.commands.reviews:ratings_group",
        "Providers' ratings with their evidence (from the performance ledger).",
    ),
    "report": (
        "hotline.commands.reviews:report",
        "Write the centre's report for a period as HTML (printable, charts inline), CSV or XLSX.",
    ),
    "review": (
        "hotline.commands.reviews:review",
        "Keep / warn / probation / remove proposals per period, decisions and appeals.",
    ),
    "residents": (
        "hotline.commands.residents:residents",
        "Residents: export or erase a resident's personal data (both audited); a stored preferred provider.",
    ),
    "serve": ("hotline.commands.system:serve", "Run the hotline: web app and background work in one process."),
    "sms": ("hotline.commands.messages:sms", "The SMS outbox."),
    "surveys": (
        "hotline.commands.surveys:surveys",
        "Satisfaction surveys after every service: replies, the call list, figures.",
    ),
    "ticket": ("hotline.commands.tickets:ticket", "Create, inspect and move tickets."),
    "training": (
        "hotline.commands.training:training",
        "Training mode (上岗培训): scenarios on a training database, and scores.",
    ),
    "users": (
        "hotline.commands.users:users",
        "Staff logins: observers, operators, dispatchers, supervisors, admins.",
    ),
}


@click.group(cls=HotlineGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option("0.1.0", prog_name="hotline")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Hotline: dispatch system for a community service hotline."""
    ctx.call_on_close(ctx.ensure_object(CliContext).close)


def main() -> None:
    pause_collector()  # until the command's module is imported (HotlineGroup.get_command)
    try:
        cli.main(prog_name="hotline")
    except HotlineError as exc:  # raised while click was still parsing (e.g. settings)
        click.echo(f"hotline: error: {exc.message}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
