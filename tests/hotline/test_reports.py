"""The centre's reports against hand-counted small data; the XLSX opens in openpyxl; the HTML has
its charts and figures in both languages."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

from openpyxl import load_workbook

from callbacks.models import Complaint, Survey
from config import periods
from config.db import Database
from config.settings import Settings
from hotline.reports import figures, render, volunteers
from providers import ledger
from tests import factories
from tests.providers import builders

OCT = dt.datetime(2026, 10, 12, 2, tzinfo=dt.UTC)  # 10:00 Shanghai, 12 October


def _world(db: Database, settings: Settings) -> None:
    with db.transaction() as session:
        p = builders.provider(session, settings)
        v = builders.provider(
            session, settings, kind="volunteer", phone="+8613857300199", name="志愿者甲", items=("PE-PIPE-LEAK",)
        )
        made = []
        for i, channel in enumerate(("phone", "phone", "sms", "web")):
            t = factories.ticket(session, settings, phone=f"+86138001380{i:02d}", channel=channel)
            t.created_at = OCT + dt.timedelta(hours=i)
            made.append(t)
        # two accepted after 10 and 30 minutes (median 20), one within its time, one late
        made[0].accepted_at, made[0].due_at = (
            made[0].created_at + dt.timedelta(minutes=10),
            made[0].created_at + dt.timedelta(minutes=60),
        )
        made[1].accepted_at, made[1].due_at = (
            made[1].created_at + dt.timedelta(minutes=30),
            made[1].created_at + dt.timedelta(minutes=20),
        )
        made[2].resolution = "told the resident how to reset the breaker"  # first contact
        made[3].due_at = None
        for i, t in enumerate(made[:2]):
            ledger.note(
                session,
                provider_id=p.id,
                kind="completed_on_time",
                ticket_ref=f"ticket:{t.number}",
                at=OCT + dt.timedelta(hours=5 + i),
            )
        ledger.note(session, provider_id=v.id, kind="completed_on_time", ticket_ref="ticket:v1", at=OCT)
        ledger.note(session, provider_id=v.id, kind="service_hours", ticket_ref="ticket:v1", at=OCT, value=2.5)
        ledger.note(session, provider_id=v.id, kind="service_hours", ticket_ref="ticket:v2", at=OCT, value=1.0)
        ledger.note(
            session,
            provider_id=p.id,
            kind="completed_on_time",
            ticket_ref="ticket:sept",
            at=OCT - dt.timedelta(days=30),
        )
        for i, (score, status) in enumerate(((5, "answered"), (4, "answered"), (2, "answered"), (None, "no_answer"))):
            session.add(
                Survey(
                    ticket_id=made[i].id, resident_id=made[i].resident_id, channel="sms", status=status,
                    completed_at=OCT, due_at=OCT, score=score,
                    answered_at=OCT + dt.timedelta(hours=1) if score else None,
                )
            )  # fmt: skip
        session.add(
            Complaint(
                resident_id=made[0].resident_id, ticket_id=made[0].id, provider_id=p.id, source="survey", text="迟到",
                status="decided", outcome="upheld", deadline_at=OCT + dt.timedelta(days=3),
                decided_at=OCT + dt.timedelta(days=4),
                created_at=OCT,
            )
        )  # fmt: skip


def test_centre_figures_match_a_hand_count(db: Database, settings: Settings) -> None:
    _world(db, settings)
    period = periods.parse("2026-10", settings.zone)
    with db.read() as session:
        c = figures.centre(session, period=period, locale="zh_CN")
    assert c.contacts == 4 and c.contacts_by_channel == {"phone": 2, "sms": 1, "web": 1}
    assert c.first_contact == 1
    assert c.accepted == 2 and c.median_acceptance_minutes == 20.0
    assert (c.sla_met, c.sla_due) == (1, 2)
    assert c.services == 3  # two jobs and one volunteer job in October; September's is not counted
    assert (c.surveys_satisfied, c.surveys_answered, c.surveys_finished) == (2, 3, 4)
    assert c.satisfaction == round(2 / 3, 4) and c.reach == 0.75
    assert (c.complaints_received, c.complaints_upheld, c.complaints_overdue) == (1, 1, 1)
    with db.read() as session:
        v = volunteers.volunteers(session, period=period, locale="zh_CN")
    assert v.hours == 3.5 and v.jobs == 1 and v.volunteers == 1
    assert [r.level for r in v.rows] == ["station", "substation", "point", "volunteer"]


def test_files_open_and_pages_speak_both_languages(db: Database, settings: Settings, tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    _world(db, settings)
    with db.transaction() as session:  # a second category: the report lists its categories first
        builders.provider(session, settings, phone="+8613857300177", name="照料服务部", items=("EC-HOME-CARE",))
    out = tmp_path / "oct.xlsx"
    result = cli("report", "--period", "2026-10", "--format", "xlsx", "--out", str(out))
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    assert len(book.sheetnames) >= 4
    first = book[book.sheetnames[0]]
    values = {row[0]: row[1] for row in first.iter_rows(min_row=2, values_only=True)}
    assert values["contacts"] == 4 and values["services_delivered"] == 3
    csv_out = tmp_path / "oct.csv"
    assert cli("report", "--period", "2026-10", "--format", "csv", "--out", str(csv_out)).exit_code == 0
    assert "services_delivered,3" in csv_out.read_text(encoding="utf-8-sig")
    for lang, words in (
        ("zh_CN", ("服务人次", "满意率")),
        ("en", ("Services delivered (person-times)", "Satisfaction rate")),
    ):
        html = tmp_path / f"oct-{lang}.html"
        assert (
            cli("report", "--period", "2026-10", "--format", "html", "--lang", lang, "--out", str(html)).exit_code == 0
        )
        page = html.read_text()
        assert page.count("<svg") >= 3 and "66.7%" in page
        links = re.findall(r'<a href="#(providers-[a-z_]+)">', page)
        assert len(links) == 2 and all(f'<h3 id="{anchor}">' in page for anchor in links)
        assert all(w in page for w in words)
    quarter = tmp_path / "q4.html"
    assert cli("report", "--period", "2026-Q4", "--kind", "packet", "--out", str(quarter)).exit_code == 0
    assert "迟到" in quarter.read_text()
    bad = cli("report", "--period", "2026-Q5", "--out", str(tmp_path / "x.html"))
    assert bad.exit_code == 2 and "2026-Q5" in bad.output
    with db.read() as session:
        ctx = render.context(
            session, kind="all", period=periods.parse("2026-10", settings.zone), settings=settings, locale="en"
        )
    assert load_workbook(io.BytesIO(render.to_xlsx(ctx, "en"))).sheetnames[0] == "Centre report"
