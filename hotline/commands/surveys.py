"""``hotline surveys ...`` (how replies are read, the surveys, the survey call list, figures) and
``hotline complaints ...`` (list, open, decide). Without ``--operator`` the CLI acts as the
server's administrator; with it, as that staff member, whose role is checked."""

from __future__ import annotations

import asyncio
import datetime as dt

import click

from callbacks import complaints as complaint_service
from callbacks import replies, service
from callbacks.schemas import ComplaintOut, DeskEntryOut, FiguresOut, SurveyOut
from callbacks.states import COMPLAINT_STATUSES, OUTCOMES, SURVEY_CHANNELS, SURVEY_STATUSES
from config.audit import AuditEventOut
from config.errors import InvalidInput, NotFound
from dispatch import residents
from dispatch import service as dispatch_service
from hotline.cli_base import CliContext, acting, by_option, group, pass_cli, print_json
from hotline.voice import survey_calls


@group("surveys", help="Satisfaction surveys after every service: replies, the call list, figures.")
def surveys() -> None:
    pass


@surveys.command("read")
@click.argument("reply")
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def read(cli: CliContext, reply: str, as_json: bool) -> None:
    """How a resident's reply would be read (no survey needed): the score, the comment, whether it
    is a complaint, a new request, or needs a clarifying question."""
    reading = replies.read(reply, low_score=cli.settings.callbacks.low_score).as_dict()
    if as_json:
        print_json(reading)
        return
    click.echo("\n".join(f"{key:<13}{'-' if value is None else value}" for key, value in reading.items()))


@surveys.command("list")
@click.option("--ticket", "ticket_number", help="Only this ticket's surveys.")
@click.option("--status", "statuses", multiple=True, type=click.Choice(SURVEY_STATUSES), help="Repeatable.")
@click.option("--channel", "channels", multiple=True, type=click.Choice(SURVEY_CHANNELS), help="Repeatable.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=200, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the public JSON records (docs/json.md).")
@pass_cli
def list_(
    cli: CliContext,
    ticket_number: str | None,
    statuses: tuple[str, ...],
    channels: tuple[str, ...],
    limit: int,
    as_json: bool,
) -> None:
    """Surveys, latest due first."""
    with cli.db.read() as session:
        rows = service.list_surveys(
            session, ticket_number=ticket_number, statuses=statuses, channels=channels, limit=limit
        )
        records = [
            SurveyOut.of(s, [AuditEventOut.of(e) for e in service.survey_events(session, survey_id=s.id)]) for s in rows
        ]
    if as_json:
        print_json(records)
        return
    zone = cli.settings.zone
    for r in records:
        click.echo(
            f"{r.id:>6}  {r.ticket}  {r.channel:<5} {r.status:<10} due {r.due_at.astimezone(zone):%m-%d %H:%M}  "
            f"tries {r.attempts}  score {r.score or '-'}  {r.comment or r.reason or ''}".rstrip()
        )
    if not records:
        click.echo("no surveys", err=True)


@surveys.command("desk")
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def desk(cli: CliContext, as_json: bool) -> None:
    """The survey call list: phone surveys due now, oldest first, with what to say."""
    with cli.db.read() as session:
        entries = [DeskEntryOut.of(s, cli.settings) for s in service.desk_list(session)]
    if as_json:
        print_json(entries)
        return
    zone = cli.settings.zone
    for e in entries:
        s = e.survey
        click.echo(
            f"{s.id:>6}  due {s.due_at.astimezone(zone):%m-%d %H:%M}  {s.phone:<15} {e.resident_name or '':<6} "
            f"ticket {s.ticket}  {e.item_zh or '-'}  tries {s.attempts}"
            + (f" ({e.last_result})" if e.last_result else "")
        )
        click.echo(f"        {e.script}")
    if not entries:
        click.echo("no phone surveys are due", err=True)


@surveys.command("call")
@click.argument("survey_id", type=int)
@click.option("--operator", "extension", required=True, help="The operator's extension: it rings first.")
@pass_cli
def call(cli: CliContext, survey_id: int, extension: str) -> None:
    """Ring the operator's extension, then the resident (AMI Originate); an unanswered call is
    counted as an attempt."""
    result = asyncio.run(
        survey_calls.call_resident(db=cli.db, settings=cli.settings, survey_id=survey_id, extension=extension)
    )
    click.echo(f"survey {survey_id}: {result.number} via extension {extension}: {result.result}")


@surveys.command("record")
@click.argument("survey_id", type=int)
@click.option("--score", type=int, help="1 (very dissatisfied) to 5 (very satisfied).")
@click.option("--comment", default="", help="What the resident said.")
@click.option("--no-answer", "no_answer", is_flag=True, help="Nobody answered: tried again later, or closed.")
@by_option()
@pass_cli
def record(cli: CliContext, survey_id: int, score: int | None, comment: str, no_answer: bool, by: str | None) -> None:
    """Record what a survey call gave: the resident's score (and comment), or no answer."""
    if (score is None) == (not no_answer):
        raise InvalidInput("give --score N or --no-answer")
    with cli.db.transaction() as session:
        survey = service.get_survey(session, survey_id=survey_id)
        actor, _ = acting(session, by, "survey.record")
        if no_answer:
            status = service.record_no_answer(
                session, survey=survey, actor=actor, settings=cli.settings, result="no_answer"
            )
            due = (
                f", next try {survey.due_at.astimezone(cli.settings.zone):%m-%d %H:%M}" if status == "no_answer" else ""
            )
            click.echo(f"survey {survey_id}: {status} after {survey.attempts} attempt(s){due}")
            return
        assert score is not None
        reading = replies.read(comment, low_score=cli.settings.callbacks.low_score)
        complaint = service.record_answer(
            session,
            survey=survey,
            score=score,
            comment=comment,
            actor=actor,
            settings=cli.settings,
            complaint=reading.complaint,
        )
        click.echo(
            f"survey {survey_id}: answered {score}" + (f", complaint {complaint.id} opened" if complaint else "")
        )


@surveys.command("figures")
@click.option("--since", help="First day (YYYY-MM-DD, the centre's zone).")
@click.option("--until", help="Day after the last (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True)
@pass_cli
def figures(cli: CliContext, since: str | None, until: str | None, as_json: bool) -> None:
    """Per channel: surveys sent, answered, the response rate, the median time to an answer."""
    zone = cli.settings.zone
    with cli.db.read() as session:
        rows = [
            FiguresOut.model_validate(f, from_attributes=True)
            for f in service.figures(session, since=_day(since, zone), until=_day(until, zone))
        ]
    if as_json:
        print_json(rows)
        return
    for r in rows:
        rate = f"{r.response_rate:.0%}" if r.response_rate is not None else "-"
        median = f"{r.median_minutes_to_answer:g} min" if r.median_minutes_to_answer is not None else "-"
        click.echo(f"{r.channel:<6} sent {r.sent:>6}  answered {r.answered:>6}  rate {rate:>5}  median {median}")


def _day(text: str | None, zone: dt.tzinfo) -> dt.datetime | None:
    if text is None:
        return None
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{text!r} is not a day such as 2026-11-01") from None
    return dt.datetime.combine(day, dt.time(), tzinfo=zone)


# --- complaints -------------------------------------------------------------------------------


@group("complaints", help="Complaints: from surveys, texts and operators; owners, deadlines, outcomes.")
def complaints() -> None:
    pass


@complaints.command("list")
@click.option("--status", "statuses", multiple=True, type=click.Choice(COMPLAINT_STATUSES), help="Repeatable.")
@click.option("--json", "as_json", is_flag=True, help="Print the public JSON records (docs/json.md).")
@pass_cli
def complaints_list(cli: CliContext, statuses: tuple[str, ...], as_json: bool) -> None:
    """Complaints, nearest deadline first."""
    with cli.db.read() as session:
        records = [ComplaintOut.of(c) for c in complaint_service.list_complaints(session, statuses=statuses)]
    if as_json:
        print_json(records)
        return
    zone = cli.settings.zone
    for r in records:
        flag = "!!" if r.overdue else "  "
        click.echo(
            f"{r.id:>5} {flag} {r.status:<7} due {r.deadline_at.astimezone(zone):%m-%d %H:%M}  {r.source:<8} "
            f"ticket {r.ticket or '-':<10}  owner {r.owner.name if r.owner else '-':<6} "
            f"{r.outcome or ''}  {r.text[:40]}"
        )
    if not records:
        click.echo("no complaints", err=True)


@complaints.command("open")
@click.option("--phone", required=True, help="The resident's phone.")
@click.option("--text", required=True, help="What the resident complains about.")
@click.option("--ticket", "ticket_number", help="The ticket it is about (its provider is named).")
@by_option()
@pass_cli
def complaints_open(cli: CliContext, phone: str, text: str, ticket_number: str | None, by: str | None) -> None:
    """Record a complaint made by phone, in person or on the web; prints its number and deadline."""
    e164 = cli.settings.normalize_phone(phone)
    with cli.db.transaction() as session:
        actor, _ = acting(session, by, "complaint.open")
        ticket = dispatch_service.get_ticket(session, number=ticket_number) if ticket_number else None
        resident = residents.get_resident_by_phone(session, phone=e164)
        if ticket is not None and ticket.resident.phone != e164:
            raise InvalidInput(f"ticket {ticket.number} is not {e164}'s")
        if resident is None:
            raise NotFound(f"no resident with phone {e164}")
        made = complaint_service.open_complaint(
            session, resident=resident, text=text, source="operator", actor=actor, settings=cli.settings, ticket=ticket
        )
        deadline = made.deadline_at.astimezone(cli.settings.zone)
        click.echo(
            f"complaint {made.id}: due {deadline:%Y-%m-%d %H:%M}, owner {made.owner.name if made.owner else '-'}"
        )


@complaints.command("decide")
@click.argument("complaint_id", type=int)
@click.option("--outcome", required=True, type=click.Choice(OUTCOMES))
@click.option("--note", required=True, help="The reply the resident is told.")
@by_option("Supervisor's name or extension (roles are checked).")
@pass_cli
def complaints_decide(cli: CliContext, complaint_id: int, outcome: str, note: str, by: str | None) -> None:
    """Decide a complaint: the resident is texted the outcome and the note; an upheld complaint
    goes to the provider's ledger."""
    with cli.db.transaction() as session:
        actor, _ = acting(session, by, "complaint.decide")
        complaint = complaint_service.get_complaint(session, complaint_id=complaint_id)
        complaint_service.decide(
            session, complaint=complaint, outcome=outcome, reply=note, actor=actor, settings=cli.settings
        )
        told = "resident texted" if complaint.told_at else "resident not texted (opted out or no mobile)"
    click.echo(f"complaint {complaint_id}: {outcome}; {told}")
