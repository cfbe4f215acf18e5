"""``hotline residents``: a resident's record (show, tag), their personal data on request (export,
erase: PIPL, GDPR; supervisors), and a stored preferred provider (prefer, in commands/dispatching.py)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from config.errors import NotFound
from dispatch import resident_edits
from dispatch import residents as resident_service
from dispatch.models import RESIDENT_TAGS, Resident
from dispatch.schemas import ResidentRecordOut
from hotline.cli_base import CliContext, acting, acting_member, by_option, group, pass_cli, print_json


@group(
    "residents",
    help="Residents: export or erase a resident's personal data (both audited); a stored preferred provider.",
    lazy={
        "prefer": (
            "hotline.commands.dispatching:prefer",
            "Store the provider a resident asked for: it is put first whenever it is eligible.",
        )
    },
)
def residents() -> None:
    pass


@residents.command("export")
@click.argument("phone")
@click.option("--by", "who", required=True, help="Staff member (name or extension) who hands it out.")
@click.option("--reason", help="Why (e.g. the resident's request of 2026-11-20).")
@click.option("--out", type=click.Path(path_type=Path), help="File to write (default: standard output).")
@pass_cli
def export(cli: CliContext, phone: str, who: str, reason: str | None, out: Path | None) -> None:
    """Everything held about the resident with PHONE, as JSON (docs/json.md)."""
    from hotline import privacy  # every domain's personal data: show and tag need none of it

    e164 = cli.settings.normalize_phone(phone)
    with cli.db.transaction() as session:  # the export is audited in the same transaction
        actor = acting_member(session, who, "resident.data")[0].ref
        data = privacy.export_resident(session, phone=e164, actor=actor, reason=reason)
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if out is None:
        click.echo(text)
        return
    out.write_text(text + "\n", encoding="utf-8")
    out.chmod(0o600)
    click.echo(f"wrote everything held about {e164} to {out}", err=True)


@residents.command("erase")
@click.argument("phone")
@click.option("--by", "who", required=True, help="Staff member (name or extension) who erases.")
@click.option("--reason", required=True, help="Why (e.g. the resident's request of 2026-11-20).")
@pass_cli
def erase(cli: CliContext, phone: str, who: str, reason: str) -> None:
    """Anonymise now everything held about the resident with PHONE; tickets stay countable."""
    from hotline import privacy

    e164 = cli.settings.normalize_phone(phone)
    with cli.db.transaction() as session:
        actor = acting_member(session, who, "resident.data")[0].ref
        counts = privacy.erase_resident(session, phone=e164, actor=actor, reason=reason)
    click.echo("erased: " + ", ".join(f"{name} {count}" for name, count in counts.items()))


def _find(session, cli: CliContext, phone: str) -> Resident:  # type: ignore[no-untyped-def]
    e164 = cli.settings.normalize_phone(phone)
    found = resident_service.get_resident_by_phone(session, phone=e164)
    if found is None:
        raise NotFound(f"no resident with phone {e164}")
    return found


@residents.command("show")
@click.argument("phone")
@click.option("--json", "as_json", is_flag=True, help="Print the record as JSON.")
@pass_cli
def show(cli: CliContext, phone: str, as_json: bool) -> None:
    """A resident's record: tags, language, opt-outs, preferred provider, open tickets, changes."""
    with cli.db.read() as session:
        resident = _find(session, cli, phone)
        record = ResidentRecordOut.of(session, resident)
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


@residents.command("tag")
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
