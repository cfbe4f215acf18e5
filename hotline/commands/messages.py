"""``hotline messages list``, ``hotline sms send-pending``, ``hotline ticket classify``."""

from __future__ import annotations

import click

from config import catalog
from config.errors import InvalidInput
from config.staff import Actor
from dispatch import service
from hotline.cli_base import CliContext, acting, by_option, group, pass_cli, print_json
from hotline.commands.tickets import ticket
from hotline.intake import SUBJECT_PREFIX, ticket_number_of
from sms import outbox
from sms import service as sms_service
from sms.schemas import MessageOut
from sms.senders import sender_for


class MessageRecord(MessageOut):
    ticket: str | None  # the ticket number the message belongs to


@group("messages", help="Text messages in and out.")
def messages() -> None:
    pass


@messages.command("list")
@click.option("--phone", help="Only messages from or to this number.")
@click.option("--ticket", "number", help="Only messages about this ticket.")
@click.option("--status", "statuses", multiple=True, help="Repeatable: received, handled, queued, dead, ...")
@click.option("--limit", type=click.IntRange(1, 100_000), default=200, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the public JSON records.")
@pass_cli
def list_(
    cli: CliContext, phone: str | None, number: str | None, statuses: tuple[str, ...], limit: int, as_json: bool
) -> None:
    """Inbound and outbound texts, oldest first."""
    e164 = cli.settings.normalize_phone(phone) if phone else None
    with cli.db.read() as session:
        if number:
            number = service.get_ticket(session, number=number).number
        rows = sms_service.list_messages(
            session, phone=e164, subject=SUBJECT_PREFIX + number if number else None, statuses=statuses, limit=limit
        )
        records = [MessageRecord(**MessageOut.of(m).model_dump(), ticket=ticket_number_of(m.subject)) for m in rows]
    if as_json:
        print_json(records)
        return
    zone = cli.settings.zone
    for r in records:
        arrow = "<-" if r.direction == "inbound" else "->"
        click.echo(
            f"{r.created_at.astimezone(zone):%m-%d %H:%M}  {arrow} {r.phone or r.from_raw or '?':<15} "
            f"{r.status:<10} {r.ticket or '-':<10} {r.body[:60]}"
        )
    if not records:
        click.echo("no messages", err=True)


@group("sms", help="The SMS outbox.")
def sms() -> None:
    pass


@sms.command("send-pending")
@pass_cli
def send_pending(cli: CliContext) -> None:
    """Run the sender once: deliver every text that is due (what `hotline serve` does every second)."""
    sender = sender_for(cli.settings)
    policy = outbox.Policy.of(cli.settings)
    total = outbox.PassReport()
    while True:
        report = outbox.deliver_due(cli.db, sender, policy=policy)
        total.sent, total.retrying, total.dead = (
            total.sent + report.sent,
            total.retrying + report.retrying,
            total.dead + report.dead,
        )
        total.errors += report.errors
        if report.claimed < policy.batch:
            break
    for error in total.errors:
        click.echo(f"  {error}", err=True)
    click.echo(f"sent {total.sent}, retrying later {total.retrying}, dead {total.dead} (via {sender.name})")


@ticket.command("classify")
@click.argument("number")
@click.argument("item_code", required=False)
@by_option()
@pass_cli
def classify(cli: CliContext, number: str, item_code: str | None, by: str | None) -> None:
    """Confirm or correct a ticket's service item; without ITEM_CODE, show the classifier's top 3."""
    with cli.db.transaction() as session:
        record = service.get_ticket(session, number=number)
        if item_code is None:
            from dispatch import classifier  # lazy: numpy and the model only for this command

            model, _finder = classifier.for_session(session, precision_target=cli.settings.classifier_precision_target)
            current = record.item.code if record.item else "(awaiting triage)"
            click.echo(f"{record.number}: {current}   text: {record.description[:70]}")
            suggestions = model.classify(record.description).suggestions
            for s in suggestions:
                item = catalog.get_item(session, code=s.code)
                click.echo(f"  {s.code:<24} {s.confidence:5.2f}  {item.name_zh} / {item.name_en}")
            if not suggestions:
                click.echo("  no suggestion")
            return
        item = catalog.get_item(session, code=item_code)
        if not item.active:
            raise InvalidInput(f"service item {item.code} is no longer offered")
        actor: Actor = acting(session, by, "ticket.triage")[0]
        before = record.item.code if record.item else None
        service.confirm_item(session, ticket=record, item=item, actor=actor)
        verb = "confirmed" if before == item.code else f"{before or 'awaiting triage'} ->"
        click.echo(f"{record.number}: {verb} {item.code} (kept as a labelled example)")
