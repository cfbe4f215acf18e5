"""``hotline calls ...`` (the call log) and ``hotline callbacks-desk ...`` (the callback list)."""

from __future__ import annotations

import asyncio

import click

from dispatch import service as dispatch_service
from hotline.cli_base import CliContext, acting, by_option, group, pass_cli, print_json
from hotline.voice import flows, service
from hotline.voice.models import CALLBACK_STATUSES, OUTCOMES
from hotline.voice.schemas import CallbackOut, CallOut


@group("calls", help="The call log (Asterisk and Twilio).")
def calls() -> None:
    pass


@calls.command("list")
@click.option("--outcome", "outcomes", multiple=True, type=click.Choice(OUTCOMES), help="Repeatable.")
@click.option("--phone", help="Only this caller's calls.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=200, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the public JSON records.")
@pass_cli
def calls_list(cli: CliContext, outcomes: tuple[str, ...], phone: str | None, limit: int, as_json: bool) -> None:
    """List calls, newest first."""
    e164 = cli.settings.normalize_phone(phone) if phone else None
    with cli.db.read() as session:
        records = [CallOut.of(c) for c in service.list_calls(session, outcomes=outcomes, phone=e164, limit=limit)]
    if as_json:
        print_json(records)
        return
    zone = cli.settings.zone
    for r in records:
        caller = r.caller_phone or r.caller_number or "withheld"
        seconds = "/".join("-" if s is None else str(s) for s in (r.ring_seconds, r.hold_seconds, r.talk_seconds))
        click.echo(
            f"{r.id:>5}  {r.started_at.astimezone(zone):%m-%d %H:%M}  {r.outcome:<11} {caller:<15} "
            f"queue {r.queue or '-':<6} op {r.operator_extension or '-':<6} ring/hold/talk {seconds:<10} "
            f"cause {r.hangup_cause if r.hangup_cause is not None else '-'}"
            + (f"  ticket {r.ticket_number}" if r.ticket_number else "")
        )
    if not records:
        click.echo("no calls", err=True)


@calls.command("link")
@click.argument("call_id", type=int)
@click.argument("ticket_number")
@by_option()
@pass_cli
def calls_link(cli: CliContext, call_id: int, ticket_number: str, by: str | None) -> None:
    """Link a call to the ticket created or worked during it."""
    with cli.db.transaction() as session:
        call = service.get_call(session, call_id=call_id)
        ticket = dispatch_service.get_ticket(session, number=ticket_number)
        actor, _ = acting(session, by, "ticket.create")
        linked = service.link_call_to_ticket(session, call=call, ticket=ticket, actor=actor)
    click.echo(f"call {call_id} {'linked to' if linked else 'was already linked to'} ticket {ticket_number}")


@group("callbacks-desk", help="The callback list: missed and abandoned callers to ring back.")
def callbacks_desk() -> None:
    pass


@callbacks_desk.command("list")
@click.option("--status", "statuses", multiple=True, type=click.Choice(CALLBACK_STATUSES), default=("open",))
@click.option("--json", "as_json", is_flag=True, help="Print the public JSON records.")
@pass_cli
def callbacks_list(cli: CliContext, statuses: tuple[str, ...], as_json: bool) -> None:
    """List callback entries, oldest first (open ones by default)."""
    with cli.db.read() as session:
        records = [CallbackOut.of(e) for e in service.list_callbacks(session, statuses=statuses)]
    if as_json:
        print_json(records)
        return
    zone = cli.settings.zone
    for r in records:
        click.echo(
            f"{r.id:>5}  {r.last_missed_at.astimezone(zone):%m-%d %H:%M}  {r.status:<5} {r.reason:<9} "
            f"{r.phone or r.number:<15} x{r.missed_count}  {r.resident_name or ''}  attempts {r.attempts}"
            + (f" ({r.last_result})" if r.last_result else "")
        )
    if not records:
        click.echo("the callback list is empty", err=True)


@callbacks_desk.command("call")
@click.argument("entry_id", type=int)
@click.option("--operator", "extension", required=True, help="The operator's extension: it rings first.")
@pass_cli
def callbacks_call(cli: CliContext, entry_id: int, extension: str) -> None:
    """Ring the operator's extension, then the resident (AMI Originate), and print the result."""
    result = asyncio.run(flows.call_back(db=cli.db, settings=cli.settings, entry_id=entry_id, extension=extension))
    click.echo(f"callback {entry_id}: {result.number} via extension {extension}: {result.result}")


@callbacks_desk.command("done")
@click.argument("entry_id", type=int)
@by_option()
@click.option("--note", help="What came of it.")
@pass_cli
def callbacks_done(cli: CliContext, entry_id: int, by: str | None, note: str | None) -> None:
    """Take an entry off the list."""
    with cli.db.transaction() as session:
        entry = service.get_callback(session, entry_id=entry_id)
        _, member = acting(session, by, "ticket.create")
        service.close_callback(session, entry=entry, operator=member, note=note)
    click.echo(f"callback {entry_id} done")
