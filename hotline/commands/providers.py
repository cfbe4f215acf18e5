"""``hotline providers ...``: import, export, list, show, vet, approve, change status, record
documents and training."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from config import areas, catalog, clock
from config.errors import Conflict, InvalidInput
from hotline.cli_base import CliContext, acting, acting_member, by_option, group, pass_cli, print_json
from providers import bulk, eligibility, export, imports, ledger, service
from providers import hours as working_hours
from providers.schemas import EligibilityOut, EventOut, LedgerSummaryOut, ProviderDetailOut, ProviderOut
from providers.states import CHECKLIST, COURSES, DOCUMENT_KINDS, KINDS, STATUSES


@group("providers", help="The service resource library: companies, individuals, volunteers.")
def providers() -> None:
    pass


def _date(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{option} {value!r} is not a date (YYYY-MM-DD)") from None


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=False,
    )


@providers.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--partial", is_flag=True, help="Import the good rows; write the others to --rejects.")
@click.option(
    "--rejects", type=click.Path(path_type=Path), help="Where --partial writes rejected rows (.csv or .xlsx)."
)
@by_option()
@click.option("--encoding", help="The CSV's encoding when it is neither UTF-8 nor GBK (e.g. big5, shift_jis).")
@pass_cli
def import_(
    cli: CliContext, file: Path, partial: bool, rejects: Path | None, by: str | None, encoding: str | None
) -> None:
    """Load providers from a CSV or XLSX roster (format: README, "Providers"). All or nothing
    unless --partial."""
    if rejects is not None and not partial:
        raise click.UsageError("--rejects goes with --partial")
    table = imports.read_table(file, encoding=encoding)
    if table.encoding:
        click.echo(f"{file}: read as {table.encoding}", err=True)
    # Checked in a read unit, which takes no lock: the write lock is held only while rows are
    # written (SQLite has one writer; a webhook waiting behind a long import would be spooled).
    with cli.db.read() as reading, _progress() as bar:
        acting(reading, by, "provider.status")  # refused before any work when the role may not
        task = bar.add_task("checking", total=len(table.rows))
        good, errors = imports.check_rows(reading, cli.settings, table, progress=lambda n: bar.advance(task, n))
        if errors and not partial:
            bar.stop()
            report = "\n".join(imports.iter_report(errors))
            raise InvalidInput(
                f"{file}: {len(errors)} of {len(table.rows)} rows have errors; nothing imported "
                f"(fix them, or --partial imports the good rows)\n{report}"
            )
        write = bar.add_task("importing", total=len(good))
        with cli.db.transaction() as session:
            actor, _ = acting(session, by, "provider.status")
            taken = imports.taken_phones(session, [row.phone for row in good])
            if taken:  # registered by someone else while the file was being checked
                raise Conflict(
                    f"{file}: {len(taken)} phone(s) were registered while the file was checked "
                    f"(e.g. {sorted(taken)[0]}); nothing imported, run the import again"
                )
            ids = bulk.write_rows(
                session,
                good,
                actor=actor,
                zone=cli.settings.zone,
                source=file.name,
                progress=lambda n: bar.advance(write, n),
            )
    if errors:
        for line in imports.iter_report(errors):
            click.echo(line, err=True)
        target = rejects or file.with_name(
            f"{file.stem}.rejects{'.xlsx' if file.suffix.lower() == '.xlsx' else '.csv'}"
        )
        bulk.write_rejects(target, table.headers, errors)
        click.echo(f"{len(errors)} rows rejected, written to {target}", err=True)
    click.echo(f"imported {len(ids)} providers from {file}")


@providers.command("export")
@click.option("--format", "fmt", type=click.Choice(["hsds", "csv"]), default="hsds", show_default=True)
@click.option("--out", type=click.Path(path_type=Path), help="File to write (default: standard output).")
@pass_cli
def export_(cli: CliContext, fmt: str, out: Path | None) -> None:
    """Write the directory: HSDS 3.x organizations (JSON) or the roster CSV (the import format)."""
    with cli.db.read() as session:
        rows = service.list_providers(session)
        if fmt == "hsds":
            text = json.dumps(export.hsds(rows, zone=cli.settings.zone), ensure_ascii=False, indent=2) + "\n"
        else:
            text = export.csv_text(rows)
    if out is None:
        click.echo(text, nl=False)
        return
    out.write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8", newline="")
    click.echo(f"{len(rows)} providers written to {out}", err=True)


@providers.command("list")
@click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS), help="Repeatable.")
@click.option("--status", "statuses", multiple=True, type=click.Choice(STATUSES), help="Repeatable.")
@click.option("--eligible-for", "item_code", help="Service item code: add eligibility with reasons.")
@click.option("--community", help="Community code, with --eligible-for.")
@click.option("--only-eligible", is_flag=True, help="With --eligible-for: only those who may be offered the job.")
@click.option("--json", "as_json", is_flag=True, help="Print the public JSON records.")
@pass_cli
def list_(
    cli: CliContext,
    kinds: tuple[str, ...],
    statuses: tuple[str, ...],
    item_code: str | None,
    community: str | None,
    only_eligible: bool,
    as_json: bool,
) -> None:
    """List providers; with --eligible-for ITEM --community CODE, whether each may be offered the
    job now, and why not."""
    if bool(item_code) != bool(community):
        raise click.UsageError("--eligible-for and --community go together")
    now = clock.now()
    with cli.db.read() as session:
        item = catalog.get_item(session, code=item_code) if item_code else None
        area = areas.get_community(session, code=community) if community else None
        rows = service.list_providers(session, kinds=kinds, statuses=statuses, item=item)
        records = []
        if item is not None and area is not None:
            for provider, verdict in eligibility.assess(
                session, providers=rows, at=now, zone=cli.settings.zone, item=item, community=area
            ):
                if only_eligible and not verdict.eligible:
                    continue
                detail = EligibilityOut.of(verdict, at=now, item_code=item.code, community_code=area.code)
                records.append(ProviderOut.of(provider, detail))
        else:
            records = [ProviderOut.of(p) for p in rows]
    if as_json:
        print_json(records)
        return
    for r in records:
        why = ""
        if r.eligibility is not None:
            why = "eligible" if r.eligibility.eligible else "; ".join(x.text_en for x in r.eligibility.reasons)
        click.echo(f"{r.id:>6}  {r.kind:<10} {r.status:<10} {r.phone:<15} {r.name_zh}  {why}".rstrip())
    if not records:
        click.echo("no providers", err=True)


@providers.command("show")
@click.argument("provider_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print the public JSON record.")
@pass_cli
def show(cli: CliContext, provider_id: int, as_json: bool) -> None:
    """A provider's details, documents, training, vetting, history and performance."""
    now = clock.now()
    with cli.db.read() as session:
        p = service.get_provider(session, provider_id=provider_id)
        verdict = eligibility.assess(session, providers=[p], at=now, zone=cli.settings.zone)[0][1]
        base = ProviderOut.of(p, EligibilityOut.of(verdict, at=now, item_code=None, community_code=None))
        record = ProviderDetailOut(
            **base.model_dump(),
            vetting_checks=[c.item for c in p.checks],
            vetting_missing=service.missing_checks(p),
            events=[EventOut.of(e) for e in service.events_of(session, provider=p)],
            ledger=LedgerSummaryOut.of(ledger.summary(session, provider=p, since=now - dt.timedelta(days=365))),
        )
    if as_json:
        print_json(record)
        return
    zone = cli.settings.zone
    lines = [
        f"Provider {record.id}  {record.name_zh}" + (f" / {record.name_en}" if record.name_en else ""),
        f"Kind: {record.kind}   status: {record.status}" + ("   PAUSED" if record.paused else ""),
        f"Phone: {record.phone}" + (f"  also {', '.join(record.other_phones)}" if record.other_phones else ""),
        f"Items: {', '.join(record.item_codes)}",
        f"Areas: {', '.join(record.area_codes)}   capacity: {record.capacity}",
        f"Hours: {working_hours.format(record.hours)}",
        "Documents: " + (", ".join(f"{d.kind} until {d.expires_on or '-'}" for d in record.documents) or "none"),
        "Training: " + (", ".join(f"{t.course} {t.completed_on}" for t in record.trainings) or "none"),
        "Vetting: "
        + (f"missing {', '.join(record.vetting_missing)}" if record.vetting_missing else "checklist complete"),
        "Dispatchable now: "
        + ("yes" if verdict.eligible else "no — " + "; ".join(r.text("en") for r in verdict.reasons)),
        f"Last 12 months: {record.ledger.counts['offered']} offered, {record.ledger.counts['accepted']} accepted, "
        f"{record.ledger.complaints} complaints, mean score {record.ledger.mean_score or '-'}",
        "History:",
    ]
    for e in record.events:
        step = f"{e.from_status or ''} -> {e.to_status}" if e.to_status else e.kind
        lines.append(
            f"  {e.at.astimezone(zone):%Y-%m-%d %H:%M}  {e.actor:<12} {step}" + (f"  {e.note}" if e.note else "")
        )
    click.echo("\n".join(lines))


@providers.command("status")
@click.argument("provider_id", type=int)
@click.argument("status", type=click.Choice(STATUSES))
@click.option("--by", "by", required=True, help="Staff member (name or extension) taking the decision; role checked.")
@click.option("--reason", required=True, help="Why, for the audit trail.")
@pass_cli
def status(cli: CliContext, provider_id: int, status: str, by: str, reason: str) -> None:
    """Move a provider to another status (approval and reinstatement: supervisors only)."""
    with cli.db.transaction() as session:
        actor, member = acting_member(session, by, "provider.status")
        p = service.get_provider(session, provider_id=provider_id)
        event = service.change_status(session, provider=p, to=status, actor=actor, reason=reason, staff=member)
        click.echo(f"provider {p.id}: {event.from_status} -> {event.to_status}")


@providers.command("vet")
@click.argument("provider_id", type=int)
@click.option("--check", "checks", multiple=True, required=True, help="Checklist item done (repeatable).")
@click.option("--by", "by", required=True, help="Staff member (name or extension) who checked; role checked.")
@click.option("--note")
@pass_cli
def vet(cli: CliContext, provider_id: int, checks: tuple[str, ...], by: str, note: str | None) -> None:
    """Tick vetting checklist items; prints what is still missing."""
    with cli.db.transaction() as session:
        _, member = acting_member(session, by, "provider.vet")
        p = service.get_provider(session, provider_id=provider_id)
        for item in checks:
            service.check_vetting_item(session, provider=p, item=item, staff=member, note=note)
        missing = service.missing_checks(p)
        click.echo(
            f"provider {p.id}: " + (f"still to check: {', '.join(missing)}" if missing else "checklist complete")
        )
        click.echo(f"checklist for {p.kind}: {', '.join(CHECKLIST[p.kind])}", err=True)


@providers.command("approve")
@click.argument("provider_id", type=int)
@click.option("--by", "by", required=True, help="Supervisor (name or extension); role checked.")
@click.option("--probation", is_flag=True, help="Approve on probation rather than fully.")
@click.option("--reason", default="vetting complete", show_default=True)
@pass_cli
def approve(cli: CliContext, provider_id: int, by: str, probation: bool, reason: str) -> None:
    """Approve a provider after vetting (supervisor or admin; the checklist must be complete)."""
    with cli.db.transaction() as session:
        actor, member = acting_member(session, by, "provider.approve")
        p = service.get_provider(session, provider_id=provider_id)
        to = "probation" if probation else "active"
        event = service.change_status(session, provider=p, to=to, actor=actor, reason=reason, staff=member)
        click.echo(f"provider {p.id}: {event.from_status} -> {event.to_status}")


@providers.command("document")
@click.argument("provider_id", type=int)
@click.argument("kind", type=click.Choice(DOCUMENT_KINDS))
@click.option("--expires", required=True, help="Expiry date, YYYY-MM-DD.")
@click.option("--number", help="Licence or policy number.")
@by_option()
@pass_cli
def document(cli: CliContext, provider_id: int, kind: str, expires: str, number: str | None, by: str | None) -> None:
    """Record a document (a renewal replaces the previous one); reminders are scheduled."""
    with cli.db.transaction() as session:
        actor, _ = acting(session, by, "provider.vet")
        p = service.get_provider(session, provider_id=provider_id)
        service.add_document(
            session,
            provider=p,
            kind=kind,
            expires_on=_date(expires, "--expires"),
            number=number,
            actor=actor,
            zone=cli.settings.zone,
        )
        click.echo(f"provider {p.id}: {kind} valid until {expires}")


@providers.command("training")
@click.argument("provider_id", type=int)
@click.argument("course", type=click.Choice(COURSES))
@click.option("--completed", required=True, help="Date the course was completed, YYYY-MM-DD.")
@by_option()
@pass_cli
def training(cli: CliContext, provider_id: int, course: str, completed: str, by: str | None) -> None:
    """Record a completed training course (with --by during vetting, a checklist course is ticked)."""
    with cli.db.transaction() as session:
        actor, member = acting(session, by, "provider.vet")
        p = service.get_provider(session, provider_id=provider_id)
        record = service.add_training(
            session,
            provider=p,
            course=course,
            completed_on=_date(completed, "--completed"),
            actor=actor,
            zone=cli.settings.zone,
            staff=member,
        )
        click.echo(f"provider {p.id}: {course} until {record.expires_on or 'no expiry'}")
