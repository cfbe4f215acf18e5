"""``hotline ticket ...``: create, show, move and list tickets from the command line."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from config import areas, catalog
from config.errors import InvalidInput
from dispatch import residents, service
from dispatch.schemas import TicketOut
from dispatch.states import CHANNELS, STATUSES, URGENCIES, check_transition
from hotline.cli_base import CliContext, acting, by_option, group, pass_cli, print_json
from sms import service as sms_service
from sms.schemas import MessageOut

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from config.staff import Staff
    from dispatch.models import Ticket
    from hotline.voice.models import Call

DISPATCH_STEPS = {
    "offered": "reached by offering the job: hotline ticket offer NUMBER",
    "accepted": "reached when the provider texts Y and the offer's code",
    "in_service": "reached when the provider texts ARRIVED and the code (or DONE)",
    "completed": "reached when the provider texts DONE and the code, or: hotline ticket complete NUMBER",
}
SLA_MARKS = {"ok": "  ", "at_risk": "! ", "breached": "!!"}  # ticket list: response time; ^ escalated


@group(
    "ticket",
    help="Create, inspect and move tickets.",
    lazy={  # commands of this group that live in other modules (imported when they run)
        "suggest": (
            "hotline.commands.dispatching:suggest",
            "The providers who may take the ticket, best first, with the score's parts and reasons; "
            "then those left out and why.",
        ),
        "offer": (
            "hotline.commands.dispatching:offer",
            "Text the job to the top candidate (or the named one, or the top N).",
        ),
        "locate": ("hotline.commands.dispatching:locate", "Set where the service is needed (community and address)."),
        "resolve": (
            "hotline.commands.dispatching:resolve",
            "Close a request answered during the contact itself (information, consulting).",
        ),
        "complete": (
            "hotline.commands.dispatching:complete",
            "Record the job done (when the provider could not text DONE).",
        ),
        "cancel": (
            "hotline.commands.dispatching:cancel",
            "Cancel a ticket; live offers and a job in hand are withdrawn and the providers told.",
        ),
        "classify": (
            "hotline.commands.messages:classify",
            "Confirm or correct a ticket's service item; without ITEM_CODE, show the classifier's top 3.",
        ),
    },
)
def ticket() -> None:
    pass


@ticket.command("create")
@click.option("--phone", required=True, help="Resident's phone as given: 13800138000, 0573-82123456, ...")
@click.option("--item", "item_code", required=True, help="Service item code (hotline catalog list).")
@click.option("--text", "description", required=True, help="What the resident asked for.")
@click.option("--community", help="Community code (hotline areas list).")
@click.option("--address")
@click.option("--urgency", type=click.Choice(URGENCIES), default="normal", show_default=True)
@click.option("--channel", type=click.Choice(CHANNELS), default="phone", show_default=True)
@click.option("--name", "resident_name", help="Resident's name, if new.")
@by_option()
@pass_cli
def create(
    cli: CliContext,
    phone: str,
    item_code: str,
    description: str,
    community: str | None,
    address: str | None,
    urgency: str,
    channel: str,
    resident_name: str | None,
    by: str | None,
) -> None:
    """Open a ticket and print its number. A second open request from the same resident for the
    same item within 24 hours is added to the first ticket instead."""
    e164 = cli.settings.normalize_phone(phone)
    with cli.db.transaction() as session:
        item = catalog.get_item(session, code=item_code)
        area = areas.get_community(session, code=community) if community else None
        actor, member = acting(session, by, "ticket.create")
        resident = residents.get_or_create_resident(
            session, phone=e164, name=resident_name, community=area, address=address, language=cli.settings.locale
        )
        ticket, created = service.create_ticket(
            session,
            resident=resident,
            channel=channel,
            description=description,
            zone=cli.settings.zone,
            actor=actor,
            item=item,
            community=area,
            address=address,
            urgency=urgency,
            operator=member,
        )
        number = ticket.number
        call = _link_live_call(session, member, ticket)
    if call is not None:
        click.echo(f"linked to call {call.id} (the call {by} is on)", err=True)
    if not created:
        click.echo(f"linked to open ticket {number} (same resident and item within 24 hours)", err=True)
    click.echo(number)


@ticket.command("show")
@click.argument("number")
@click.option("--json", "as_json", is_flag=True, help="Print the public JSON record.")
@pass_cli
def show(cli: CliContext, number: str, as_json: bool) -> None:
    """Print a ticket and its history."""
    with cli.db.read() as session:
        record = TicketOut.of(
            service.get_ticket(session, number=number), at_risk_share=cli.settings.dispatch.at_risk_share
        )
        texts = [MessageOut.of(m) for m in sms_service.list_messages(session, subject=f"ticket:{record.number}")]
    if as_json:
        print_json(record)
        return
    zone = cli.settings.zone
    fmt = "%Y-%m-%d %H:%M"
    lines = [
        f"Ticket {record.number}   status: {record.status}   urgency: {record.urgency}   channel: {record.channel}",
        f"Resident:  {record.phone}"
        + (f"  {record.resident_name}" if record.resident_name else "")
        + (f"  [{', '.join(record.resident_tags)}]" if record.resident_tags else ""),
        f"Service:   {record.item_code or '(awaiting triage)'}"
        + (f"  {record.item_name_zh} / {record.item_name_en}" if record.item_code else ""),
        f"Where:     {_where(record)}",
        f"Received:  {record.created_at.astimezone(zone).strftime(fmt)}"
        + (f"   due: {record.due_at.astimezone(zone).strftime(fmt)}" if record.due_at else ""),
        f"Request:   {record.description}",
        f"Dispatch:  {_dispatch_line(record)}",
    ]
    if record.resolution:
        lines.append(f"Resolved:  {record.resolution}")
    for o in record.offers:
        answered = f", answered {o.answered_at.astimezone(zone).strftime(fmt)}" if o.answered_at else ""
        lines.append(
            f"  offer {o.code} to #{o.provider.id} {o.provider.name}: {o.status} "
            f"(round {o.round}, sent {o.offered_at.astimezone(zone).strftime(fmt)}, "
            f"expires {o.expires_at.astimezone(zone).strftime(fmt)}{answered})"
        )
    lines.append("History:")
    for event in record.events:
        step = f"{event.from_status or ''} -> {event.to_status}" if event.to_status else event.kind
        lines.append(
            f"  {event.at.astimezone(zone).strftime(fmt)}  {event.actor:<10} {step}"
            + (f"  {event.note}" if event.note else "")
        )
    if texts:
        lines.append("Texts:")
        for text in texts:
            arrow = "<-" if text.direction == "inbound" else "->"
            lines.append(f"  {text.created_at.astimezone(zone).strftime(fmt)}  {arrow} {text.status:<10} {text.body}")
    click.echo("\n".join(lines))


def _link_live_call(session: Session, member: Staff | None, ticket: Ticket) -> Call | None:
    """The call the staff member acting is on, linked to the ticket (none without ``--by``).
    The call log's models are imported here: reading a ticket need not map and configure them."""
    if member is None:
        return None
    from hotline.voice import service as voice_service

    return voice_service.link_live_call(session, operator=member, ticket=ticket)


def _dispatch_line(record: TicketOut) -> str:
    """``SLA at_risk, escalated to dispatcher; provider #2 南湖水电维修服务部 +86…; charged 80.00``."""
    parts = [f"SLA {record.sla_state}"]
    if record.escalated:
        parts[0] += f", escalated to {record.escalation}"
    if record.provider:
        parts.append(f"provider #{record.provider.id} {record.provider.name} {record.provider.phone}")
    if record.charged is not None:
        parts.append(f"charged {record.charged}" + (" (above the standard price)" if record.overcharged else ""))
    if record.service_hours is not None:
        parts.append(f"{record.service_hours:g} service hours")
    return "; ".join(parts)


def _where(record: TicketOut) -> str:
    """``禾兴社区 / Hexing Community (330402001002)  3幢401``, or ``-`` when nothing is known."""
    community = (
        f"{record.community_name_zh} / {record.community_name_en} ({record.community_code})"
        if record.community_code
        else ""
    )
    return f"{community}  {record.address or ''}".strip() or "-"


@ticket.command("move")
@click.argument("number")
@click.argument("status", type=click.Choice(STATUSES))
@click.option("--note", help="Why, for the audit trail.")
@by_option()
@pass_cli
def move(cli: CliContext, number: str, status: str, note: str | None, by: str | None) -> None:
    """Perform one lifecycle step (an illegal step is refused). Offers, acceptance, arrival and
    completion have commands of their own (offer, the provider's texts, complete); cancelling
    withdraws the ticket's offers."""
    with cli.db.transaction() as session:
        ticket_row = service.get_ticket(session, number=number)
        action = {"cancelled": "ticket.cancel", "reopened": "ticket.reopen"}.get(status, "ticket.triage")
        actor, member = acting(session, by, action)
        check_transition(ticket_row.status, status)
        if status in DISPATCH_STEPS:
            raise InvalidInput(f"{status} is {DISPATCH_STEPS[status]}")
        if status == "cancelled":
            from dispatch import lifecycle  # brings offers and the outbox: `ticket show` need not wait for them

            lifecycle.cancel(session, ticket=ticket_row, settings=cli.settings, actor=actor, note=note or "cancelled")
            event = ticket_row.events[-1]
        else:
            event = service.move_ticket(session, ticket=ticket_row, to=status, actor=actor, note=note)
        call = _link_live_call(session, member, ticket_row)
        click.echo(f"{ticket_row.number}: {event.from_status} -> {event.to_status}")
    if call is not None:
        click.echo(f"linked to call {call.id} (the call {by} is on)", err=True)


@ticket.command("list")
@click.option("--status", "statuses", multiple=True, type=click.Choice(STATUSES), help="Repeatable.")
@click.option("--phone", help="Only this resident's tickets.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=200, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the public JSON records.")
@pass_cli
def list_(cli: CliContext, statuses: tuple[str, ...], phone: str | None, limit: int, as_json: bool) -> None:
    """List tickets, newest first."""
    e164 = cli.settings.normalize_phone(phone) if phone else None
    share = cli.settings.dispatch.at_risk_share
    with cli.db.read() as session:
        tickets = service.list_tickets(session, statuses=statuses, phone=e164, limit=limit, with_offers=True)
        records = [TicketOut.of(t, at_risk_share=share) for t in tickets]
    if as_json:
        print_json(records)
        return
    zone = cli.settings.zone
    for r in records:
        click.echo(
            f"{r.number}  {r.created_at.astimezone(zone):%m-%d %H:%M}  {r.status:<11} {r.urgency:<9} "
            f"{SLA_MARKS[r.sla_state]}{'^' if r.escalated else ' '} "
            f"{r.phone:<15} {r.item_code or '-':<18} {r.description[:40]}"
        )
    if not records:
        click.echo("no tickets", err=True)
