"""``hotline ratings show``, ``hotline review run|list|decide|appeal|reinstate`` and
``hotline report``: a provider's rating with its evidence, the periodic keep / warn / probation /
remove reviews, and the centre's reports as HTML, CSV or XLSX files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from config import clock, periods
from config.errors import InvalidInput
from hotline.cli_base import CliContext, acting, acting_member, by_option, fail, group, pass_cli, print_json
from hotline.reports import render
from providers import ratings, reviews, service
from providers.models import ProviderReview


def _period(cli: CliContext, period: str | None, first: str | None, last: str | None) -> periods.Period:
    return periods.choose(
        cli.settings.zone,
        period=period,
        first=periods.parse_day(first, "--from") if first else None,
        last=periods.parse_day(last, "--to") if last else None,
        default=cli.settings.reviews.period,
        today=clock.now().astimezone(cli.settings.zone).date(),
    )


@group("ratings", help="Providers' ratings with their evidence (from the performance ledger).")
def ratings_group() -> None:
    pass


@ratings_group.command("show")
@click.argument("provider_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="The rating, components, counts and ranges (docs/json.md).")
@pass_cli
def ratings_show(cli: CliContext, provider_id: int, as_json: bool) -> None:
    """A provider's rating over the last 12 months: each component with its sample size and 95 %
    range, and the months one by one."""
    settings = cli.settings
    with cli.db.read() as session:
        provider = service.get_provider(session, provider_id=provider_id)
        now = clock.now()
        prior = ratings.centre_mean(session, since=now - ratings.HISTORY, until=now)
        record = ratings.records(
            session,
            provider_ids=[provider.id],
            prior_mean=prior if prior is not None else settings.dispatch.rating_prior_mean,
            prior_weight=settings.reviews.prior_weight,
            at=now,
        )[provider.id]
        months = ratings.trend(session, provider_id=provider.id, zone=settings.zone, at=now)
        out: dict[str, Any] = {
            "provider": {"id": provider.id, "name": provider.name_zh, "kind": provider.kind, "status": provider.status},
            "rating": record.rating,
            "prior": {"mean": prior if prior is not None else settings.dispatch.rating_prior_mean,
                      "weight": settings.reviews.prior_weight, "centre_mean": prior is not None},
            "components": record.evidence(),
            "months": [m.__dict__ for m in months],
        }  # fmt: skip
    if as_json:
        print_json(out)
        return
    click.echo(f"{provider_id}  {out['provider']['name']}  {out['provider']['status']}  rating {record.rating:.2f} "
               f"({record.rating_range[0]:.2f}-{record.rating_range[1]:.2f}, {record.surveys} surveys)")  # fmt: skip
    for name, c in out["components"].items():
        value = "-" if c["value"] is None else c["value"]
        click.echo(f"  {name:<20} {value!s:>7}  n={c['n']:<5} range {c['low']}-{c['high']}")
    for m in months:
        click.echo(f"  {m.month}  surveys {m.surveys:>3} mean {m.mean_score or '-'!s:>4}  offers {m.offers:>3} "
                   f"accepted {m.accepted:>3} expired {m.timed_out:>3}  jobs {m.completed:>3} on time {m.on_time:>3}  "
                   f"complaints {m.complaints}  overcharges {m.overcharges}")  # fmt: skip


@group("review", help="Keep / warn / probation / remove proposals per period, decisions and appeals.")
def review() -> None:
    pass


def review_json(row: ProviderReview) -> dict[str, Any]:
    """One proposal as ``hotline review run --json`` prints it (docs/json.md)."""
    p = row.provider
    return {
        "id": row.id,
        "provider": {"id": p.id, "name": p.name_zh, "kind": p.kind},
        "proposal": row.proposal,
        "rule": row.rule,
        "figures": row.figures,
        "status": row.status,
        "decision": row.decision,
        "reason": row.reason,
        "decided_by": row.decided_by.name if row.decided_by else None,
        "decided_at": row.decided_at,
        "appeal": row.appeal,
    }


def _print(rows: list[ProviderReview]) -> None:
    for r in rows:
        f = r.figures
        decided = f" -> {r.decision} ({r.status})" if r.decision else ""
        click.echo(
            f"{r.id:>5}  {r.period:<8} {r.provider_id:>5} {r.provider.name_zh:<16} {r.proposal:<9}{decided:<22} "
            f"{r.rule:<22} rating {f.get('rating')} n={f.get('surveys')}  jobs {f.get('completed')}  "
            f"complaints {f.get('complaints')}"
        )


@review.command("run")
@click.option("--period", help="2026-10 or 2026-Q3 (default: the last whole month, or quarter per [reviews] period).")
@click.option("--json", "as_json", is_flag=True)
@by_option()
@pass_cli
def review_run(cli: CliContext, period: str | None, as_json: bool, by: str | None) -> None:
    """Propose for every active and probation provider. Idempotent per period: undecided
    proposals are recomputed, decisions stay."""
    chosen = _period(cli, period, None, None)
    with cli.db.transaction() as session:
        acting(session, by, "review.decide")
        rows = reviews.run(session, period=chosen, settings=cli.settings)
        out = {"period": chosen.key, "proposals": [review_json(r) for r in rows]}
        if not as_json:
            _print(rows)
    if as_json:
        print_json(out)
    elif not rows:
        click.echo("no providers at work to review", err=True)


@review.command("list")
@click.option("--period")
@click.option("--provider", "provider_id", type=int)
@click.option("--status", "statuses", multiple=True, type=click.Choice(tuple(reviews.REVIEW_STATUS_LABELS)))
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def review_list(
    cli: CliContext, period: str | None, provider_id: int | None, statuses: tuple[str, ...], as_json: bool
) -> None:
    """Stored reviews, latest period first."""
    if period:
        period = periods.parse(period, cli.settings.zone).key
    with cli.db.read() as session:
        rows = reviews.list_reviews(session, period=period, provider_id=provider_id, statuses=statuses)
        out = [review_json(r) for r in rows]
        if not as_json:
            _print(rows)
    if as_json:
        print_json(out)


def _target(
    session: Any, review_id: int | None, period: str | None, provider_id: int | None, zone: Any
) -> ProviderReview:
    if review_id is not None:
        return reviews.get_review(session, review_id=review_id)
    if period and provider_id is not None:
        return reviews.find_review(session, period=periods.parse(period, zone).key, provider_id=provider_id)
    raise InvalidInput("name the review: its id, or --period and --provider")


@review.command("decide")
@click.argument("review_id", type=int, required=False)
@click.option("--period")
@click.option("--provider", "provider_id", type=int)
@click.option("--confirm", is_flag=True, help="Decide what was proposed.")
@click.option("--decision", type=click.Choice(reviews.DECISIONS), help="Override the proposal.")
@click.option("--reason", required=True, help="Why (audited; required).")
@by_option("The supervisor who decides (name or extension; required).")
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def review_decide(
    cli: CliContext,
    review_id: int | None,
    period: str | None,
    provider_id: int | None,
    confirm: bool,
    decision: str | None,
    reason: str,
    by: str | None,
    as_json: bool,
) -> None:
    """Confirm (--confirm) or override (--decision) a proposal with a reason. The provider's status
    follows at once and the provider is texted."""
    if confirm == bool(decision):
        fail("give --confirm or --decision (one of them)")
    with cli.db.transaction() as session:
        actor, member = acting_member(session, by or "", "review.decide")
        row = _target(session, review_id, period, provider_id, cli.settings.zone)
        reviews.decide(
            session, review=row, decision=decision or row.proposal, reason=reason, actor=actor, staff=member,
            settings=cli.settings,
        )  # fmt: skip
        out = review_json(row)
    if as_json:
        print_json(out)
    else:
        click.echo(f"review {out['id']}: provider {out['provider']['id']} {out['decision']} ({out['reason']})")


@review.command("appeal")
@click.argument("review_id", type=int)
@click.option("--note", required=True, help="What the provider says (recorded).")
@by_option()
@pass_cli
def review_appeal(cli: CliContext, review_id: int, note: str, by: str | None) -> None:
    """Record a provider's appeal against a warning, probation or suspension (removal is final:
    the provider may apply again)."""
    with cli.db.transaction() as session:
        actor, _ = acting(session, by, "provider.vet")
        row = reviews.appeal(session, review=reviews.get_review(session, review_id=review_id), note=note, actor=actor)
        click.echo(f"review {row.id}: appeal recorded")


@review.command("reinstate")
@click.argument("review_id", type=int)
@click.option("--reason", required=True)
@by_option("The supervisor who reinstates (name or extension; required).")
@pass_cli
def review_reinstate(cli: CliContext, review_id: int, reason: str, by: str | None) -> None:
    """Uphold an appeal: the provider is active again and is texted."""
    with cli.db.transaction() as session:
        actor, member = acting_member(session, by or "", "review.decide")
        row = reviews.reinstate(
            session, review=reviews.get_review(session, review_id=review_id), reason=reason, actor=actor,
            staff=member, settings=cli.settings,
        )  # fmt: skip
        click.echo(f"review {row.id}: provider {row.provider_id} reinstated ({row.provider.status})")


@click.command("report")
@click.option("--period", help="2026-10 or 2026-Q3 (default: the last whole month).")
@click.option("--from", "first", help="First day, YYYY-MM-DD (with --to).")
@click.option("--to", "last", help="Last day, included.")
@click.option(
    "--kind", type=click.Choice(("all", *render.KINDS)), default="all", show_default=True,
    help="all = centre, providers and volunteers; packet = the social supervisors' quarterly packet.",
)  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(("html", "csv", "xlsx")), default="html", show_default=True)
@click.option("--lang", type=click.Choice(("zh_CN", "en")), help="Language of the report (default: the centre's).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True), help="File to write.")
@pass_cli
def report(
    cli: CliContext, period: str | None, first: str | None, last: str | None, kind: str, fmt: str, lang: str | None,
    out: str,
) -> None:  # fmt: skip
    """Write the centre's report for a period as HTML (printable, charts inline), CSV or XLSX."""
    chosen = _period(cli, period, first, last)
    locale = lang or cli.settings.locale
    started = dt.datetime.now()
    with cli.db.read() as session:
        ctx = render.context(session, kind=kind, period=chosen, settings=cli.settings, locale=locale)
        if fmt == "html":
            data: bytes = render.to_html(ctx, settings=cli.settings, locale=locale).encode()
        elif fmt == "csv":
            data = render.to_csv(ctx, locale).encode()
        else:
            data = render.to_xlsx(ctx, locale)
    path = Path(out)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(path)
    seconds = (dt.datetime.now() - started).total_seconds()
    click.echo(f"{kind} report {chosen.key} -> {path} ({len(data):,} bytes, {seconds:.1f} s)", err=True)
