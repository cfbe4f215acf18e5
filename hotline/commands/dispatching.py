"""``hotline ticket suggest | offer | locate | resolve | complete | cancel`` and ``hotline residents
prefer``: dispatch from the command line. Without ``--by`` the CLI acts as the server's
administrator; with it, as that staff member, whose role is checked."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

import click
from pydantic import BaseModel

from config import areas
from config.errors import InvalidInput, NotFound
from dispatch import answers, lifecycle, matching, offers, residents
from dispatch.models import Resident
from dispatch.service import get_ticket
from hotline.cli_base import CliContext, acting, by_option, pass_cli, print_json
from hotline.commands.residents import residents as residents_group
from hotline.commands.tickets import ticket
from providers.eligibility import Reason
from providers.models import Provider

# --- JSON shapes (docs/json.md) -----------------------------------------------------------------


class ProviderBrief(BaseModel):
    id: int
    name: str
    kind: str

    @classmethod
    def of(cls, provider: Provider) -> ProviderBrief:
        return cls(id=provider.id, name=provider.name_zh, kind=provider.kind)


class ReasonOut(BaseModel):
    code: str
    text: str  # in the centre's language (HOTLINE_LOCALE)
    text_en: str
    text_zh: str

    @classmethod
    def of(cls, reason: Reason, locale: str = "zh_CN") -> ReasonOut:
        return cls(code=reason.code, text=reason.text(locale), text_en=reason.text("en"), text_zh=reason.text("zh_CN"))


class CandidateOut(BaseModel):
    provider: ProviderBrief
    score: float
    components: dict[str, dict[str, Any]]
    reasons: list[ReasonOut]


class ExcludedOut(BaseModel):
    provider: ProviderBrief
    reasons: list[ReasonOut]


class SuggestionOut(BaseModel):
    ticket: str
    item_code: str
    community_code: str
    candidates: list[CandidateOut]
    excluded: list[ExcludedOut]
    preferred: ExcludedOut | None  # the provider asked for, when not eligible

    @classmethod
    def of(
        cls, number: str, item_code: str, community_code: str, ranking: matching.Ranking, locale: str
    ) -> SuggestionOut:
        def excluded(e: matching.Excluded) -> ExcludedOut:
            return ExcludedOut(
                provider=ProviderBrief.of(e.provider), reasons=[ReasonOut.of(r, locale) for r in e.reasons]
            )

        return cls(
            ticket=number,
            item_code=item_code,
            community_code=community_code,
            candidates=[
                CandidateOut(
                    provider=ProviderBrief.of(c.provider),
                    score=c.score,
                    components=c.components,
                    reasons=[ReasonOut.of(r, locale) for r in c.reasons],
                )
                for c in ranking.candidates
            ],
            excluded=[excluded(e) for e in ranking.excluded],
            preferred=excluded(ranking.preferred) if ranking.preferred else None,
        )


# --- commands ---------------------------------------------------------------------------------


@ticket.command("suggest")
@click.argument("number")
@click.option("--prefer", type=int, help="Provider id the resident asked for: first when eligible.")
@click.option("--json", "as_json", is_flag=True, help="Print the ranking as JSON (docs/json.md).")
@pass_cli
def suggest(cli: CliContext, number: str, prefer: int | None, as_json: bool) -> None:
    """The providers who may take the ticket, best first, with the score's parts and reasons;
    then those left out and why."""
    with cli.db.read() as session:
        record = get_ticket(session, number=number)
        ranking = offers.suggest(session, ticket=record, settings=cli.settings, prefer=prefer)
        community = record.community or record.resident.community
        assert record.item is not None and community is not None
        out = SuggestionOut.of(record.number, record.item.code, community.code, ranking, cli.settings.locale)
        heading = (
            f"Ticket {record.number}  {record.item.code} {record.item.name_zh}  {community.name_zh}  {record.urgency}"
        )
    if as_json:
        print_json(out)
        return
    lines = [heading]
    if out.preferred:
        why = "; ".join(r.text for r in out.preferred.reasons)
        lines.append(
            f"Preferred provider {out.preferred.provider.id} {out.preferred.provider.name} is not eligible: {why}"
        )
    if not out.candidates:
        lines.append("No provider may take it now.")
    for n, c in enumerate(out.candidates, 1):
        lines.append(f"{n:>3}. {c.score:.3f}  #{c.provider.id:<6} {c.provider.name}  ({c.provider.kind})")
        lines.append("       " + "; ".join(r.text for r in c.reasons))
    if out.excluded:
        lines.append("Left out:")
        for e in out.excluded:
            lines.append(f"       #{e.provider.id:<6} {e.provider.name}: " + "; ".join(r.text for r in e.reasons))
    click.echo("\n".join(lines))


@ticket.command("offer")
@click.argument("number")
@click.option("--provider", "provider_id", type=int, help="Offer to this provider (not the top one: an override).")
@click.option(
    "--fan-out", type=int, default=1, show_default=True, help="Offer to the top N at once; first to accept wins."
)
@click.option("--prefer", type=int, help="Provider id the resident asked for: first when eligible.")
@by_option()
@click.option("--reason", help="Why, when overriding the ranking (required then).")
@pass_cli
def offer(
    cli: CliContext,
    number: str,
    provider_id: int | None,
    fan_out: int,
    prefer: int | None,
    by: str | None,
    reason: str | None,
) -> None:
    """Text the job to the top candidate (or the named one, or the top N)."""
    with cli.db.transaction() as session:
        record = get_ticket(session, number=number)
        actor, member = acting(session, by, "ticket.offer")
        made = offers.offer(
            session,
            ticket=record,
            settings=cli.settings,
            actor=actor,
            staff=member,
            provider_id=provider_id,
            fan_out=fan_out,
            reason=reason,
            prefer=prefer,
        )
        lines = [
            f"{record.number}: offered to #{o.provider.id} {o.provider.name_zh} (code {o.code}, "
            f"answer by {o.expires_at.astimezone(cli.settings.zone):%H:%M})"
            for o in made
        ]
    click.echo("\n".join(lines))


@ticket.command("locate")
@click.argument("number")
@click.option("--community", "community_code", required=True, help="Community code (hotline areas list).")
@click.option("--address", help="Building and room, e.g. 3幢401.")
@by_option()
@pass_cli
def locate(cli: CliContext, number: str, community_code: str, address: str | None, by: str | None) -> None:
    """Set where the service is needed (community and address)."""
    with cli.db.transaction() as session:
        record = get_ticket(session, number=number)
        actor, _ = acting(session, by, "ticket.triage")
        community = areas.get_community(session, code=community_code)
        lifecycle.set_location(session, ticket=record, community=community, address=address, actor=actor)
        click.echo(f"{record.number}: {community.path('zh_CN')} {record.address or ''}".rstrip())


@ticket.command("resolve")
@click.argument("number")
@click.option("--note", required=True, help="How the request was answered (first-contact resolution, 即办件).")
@by_option()
@pass_cli
def resolve(cli: CliContext, number: str, note: str, by: str | None) -> None:
    """Close a request answered during the contact itself (information, consulting)."""
    with cli.db.transaction() as session:
        record = get_ticket(session, number=number)
        actor, _ = acting(session, by, "ticket.resolve")
        lifecycle.resolve(session, ticket=record, note=note, actor=actor)
        click.echo(f"{record.number}: closed at first contact")


@ticket.command("complete")
@click.argument("number")
@click.option("--charged", help="Amount charged in yuan, e.g. 80.00.")
@click.option("--hours", type=float, help="Hours worked (volunteer service).")
@by_option()
@pass_cli
def complete(cli: CliContext, number: str, charged: str | None, hours: float | None, by: str | None) -> None:
    """Record the job done (when the provider could not text DONE)."""
    amount = _amount(charged)
    with cli.db.transaction() as session:
        record = get_ticket(session, number=number)
        actor, _ = acting(session, by, "ticket.resolve")
        answers.complete(session, ticket=record, settings=cli.settings, actor=actor, charged=amount, hours=hours)
        flag = "  (above the standard price: flagged)" if record.overcharged else ""
        click.echo(f"{record.number}: completed{flag}")


@ticket.command("cancel")
@click.argument("number")
@click.option("--reason", required=True, help="Why, for the audit trail.")
@by_option()
@pass_cli
def cancel(cli: CliContext, number: str, reason: str, by: str | None) -> None:
    """Cancel a ticket; live offers and a job in hand are withdrawn and the providers told."""
    with cli.db.transaction() as session:
        record = get_ticket(session, number=number)
        actor, _ = acting(session, by, "ticket.cancel")
        withdrawn = lifecycle.cancel(session, ticket=record, settings=cli.settings, actor=actor, note=reason)
        click.echo(f"{record.number}: cancelled" + (f", {withdrawn} offer(s) withdrawn" if withdrawn else ""))


def _amount(raw: str | None) -> Decimal | None:
    if raw is None:
        return None
    try:
        value = Decimal(raw.strip().lstrip("¥￥").removesuffix("元"))
    except InvalidOperation:
        raise InvalidInput(f"--charged {raw!r} is not an amount such as 80 or 80.50") from None
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        raise InvalidInput(f"--charged {raw!r} is not an amount in yuan with at most two decimals")
    return value


@residents_group.command("prefer")
@click.argument("phone")
@click.option("--provider", "provider_id", type=int, help="Provider id the resident wants (自由选择服务主体).")
@click.option("--clear", is_flag=True, help="Forget the preference.")
@pass_cli
def prefer(cli: CliContext, phone: str, provider_id: int | None, clear: bool) -> None:
    """Store the provider a resident asked for: it is put first whenever it is eligible."""
    if (provider_id is None) == (not clear):
        raise InvalidInput("give --provider ID or --clear")
    e164 = cli.settings.normalize_phone(phone)
    with cli.db.transaction() as session:
        resident: Resident | None = residents.get_resident_by_phone(session, phone=e164)
        if resident is None:
            raise NotFound(f"no resident with phone {e164}")
        chosen = None
        if provider_id is not None:
            chosen = session.get(Provider, provider_id)
            if chosen is None:
                raise NotFound(f"no provider with id {provider_id}")
        residents.set_preferred_provider(session, resident=resident, provider_id=chosen.id if chosen else None)
    click.echo(f"{e164}: " + (f"prefers #{chosen.id} {chosen.name_zh}" if chosen else "no preference"))
