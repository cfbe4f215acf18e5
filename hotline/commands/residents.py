"""``hotline residents show | tag``: a resident's record from the command line. ``hotline.cli``
adds ``COMMANDS`` to the residents group (``commands/dispatching.py``, with ``residents prefer``)."""

from __future__ import annotations

import click
from pydantic import BaseModel

from config.errors import NotFound
from dispatch import resident_edits, residents, service
from dispatch.models import RESIDENT_TAGS, Resident
from dispatch.schemas import ResidentOut
from hotline.cli_base import CliContext, acting, by_option, pass_cli, print_json


class ResidentRecordOut(BaseModel):
    resident: ResidentOut
    call_opt_out: bool
    preferred_provider_id: int | None
    open_tickets: list[str]
    history: list[dict[str, object]]


def _find(session, cli: CliContext, phone: str) -> Resident:  # type: ignore[no-untyped-def]
    e164 = cli.settings.normalize_phone(phone)
    found = residents.get_resident_by_phone(session, phone=e164)
    if found is None:
        raise NotFound(f"no resident with phone {e164}")
    return found


@click.command("show")
@click.argument("phone")
@click.option("--json", "as_json", is_flag=True, help="Print the record as JSON.")
@pass_cli
def show(cli: CliContext, phone: str, as_json: bool) -> None:
    """A resident's record: tags, language, opt-outs, preferred provider, open tickets, changes."""
    with cli.db.read() as session:
        resident = _find(session, cli, phone)
        record = ResidentRecordOut(
            resident=ResidentOut.of(resident),
            call_opt_out=resident.call_opt_out,
            preferred_provider_id=resident.preferred_provider_id,
            open_tickets=[t.number for t in service.open_tickets_of(session, resident=resident)],
            history=[
                {"at": e.at.isoformat(), "actor": e.actor, "kind": e.kind, "changes": e.data}
                for e in resident_edits.history(session, resident=resident)
            ],
        )
    if as_json:
        print_json(record)
        return
    r = record.resident
    click.echo(f"{r.phone}  {r.name or '(no name)'}  {r.language}  tags: {', '.join(r.tags) or '-'}")
    texts, calls = ("opted out" if flag else "yes" for flag in (r.sms_opt_out, record.call_opt_out))
    click.echo(f"texts: {texts}  survey calls: {calls}  preferred provider: {record.preferred_provider_id or '-'}")
    click.echo(f"open tickets: {', '.join(record.open_tickets) or '-'}")
    for e in record.history:
        click.echo(f"  {e['at']}  {e['actor']}  {e['changes']}")


@click.command("tag")
@click.argument("phone")
@click.option("--add", "added", multiple=True, type=click.Choice(RESIDENT_TAGS), help="Repeatable.")
@click.option("--remove", "removed", multiple=True, type=click.Choice(RESIDENT_TAGS), help="Repeatable.")
@by_option()
@pass_cli
def tag(cli: CliContext, phone: str, added: tuple[str, ...], removed: tuple[str, ...], by: str | None) -> None:
    """Add or remove tags (one_touch enrols the resident on the one-touch emergency line)."""
    with cli.db.transaction() as session:
        actor, _ = acting(session, by, "resident.edit")
        resident = _find(session, cli, phone)
        wanted = (set(resident.tags) | set(added)) - set(removed)
        resident_edits.edit_resident(session, resident=resident, actor=actor, tags=wanted)
        click.echo(f"{resident.phone}: tags {', '.join(sorted(wanted)) or '-'}")


COMMANDS = (show, tag)
