"""A provider accepting an offer by text (``Y 4821``) through the signed Twilio webhook, against
the bare insert endpoint of bench/sms_intake.py, same server, same run.

    python bench/offer_reply.py [--replies 1200] [--concurrency 16] [--rounds 4] [--probe 50]

Setup (in this process, on a temporary SQLite database migrated with the real Alembic tree): one
provider per reply (providers.bulk), and for each a ticket (dispatch.service.create_ticket) offered
to that provider alone: ``dispatch.offers``' own offer step (offer row with its code, ticket events,
the ``offered`` ledger fact, the offer text in the outbox) without the ranking, which would pick
the same provider anyway. Then ``--probe`` replies go through ``sms.flows.receive`` in-process: the
first one with every SQL statement counted, all of them timed against a bare insert.

The server is bench/sms_intake.py's (``--serve``: the whole hotline app plus ``POST /bench/bare``);
its client drives both with the same concurrency, alternating rounds (bare, replies, bare, ...).
Every reply is the first answer to a live offer. Prints replies/s, p50/p99 for both and the ratio
(target >= 0.4), then checks every ticket was accepted exactly once by its provider, who got the
details text.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.progress import Progress  # noqa: E402
from rich.table import Table  # noqa: E402
from sqlalchemy import event, func, select  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402

from bench.sms_intake import AUTH_TOKEN, _drive, _forms, _free_port, _percentile  # noqa: E402
from config import areas, catalog, clock  # noqa: E402
from config.db import Database  # noqa: E402
from config.settings import Settings, load_settings  # noqa: E402
from config.spool import Spool  # noqa: E402
from config.staff import Actor  # noqa: E402
from dispatch import offers, residents, service  # noqa: E402
from dispatch.matching import Candidate  # noqa: E402
from dispatch.models import Offer, Ticket, TicketEvent  # noqa: E402
from hotline import db as migrations  # noqa: E402
from hotline import intake, scheduler  # noqa: E402
from providers import bulk  # noqa: E402
from providers import hours as working_hours  # noqa: E402
from providers.imports import ProviderRow  # noqa: E402
from providers.models import LedgerEntry, Provider  # noqa: E402
from providers.states import REQUIRED_DOCUMENTS  # noqa: E402
from sms import flows  # noqa: E402
from sms.models import InboundMessage, OutboundMessage  # noqa: E402

TARGET_RATIO = 0.4
HOTLINE_NUMBER = "+8657396345"
WARMUP = 50
ITEMS = ("PE-PIPE-LEAK", "PE-TAP", "PE-DRAIN-UNBLOCK", "PE-SOCKET-SWITCH", "PE-LIGHTING")
console = Console()


def setup(db: Database, settings: Settings, count: int, progress: Progress) -> list[tuple[str, str]]:
    """``count`` providers, each with one live offer; returns (phone, code) in provider order."""
    migrations.upgrade(db)
    with db.transaction() as session:
        catalog.load(session)
        areas.load(session)
        items = [catalog.get_item(session, code=code) for code in ITEMS]
        communities = areas.list_areas(session, level="community")
        today = clock.now().astimezone(settings.zone).date()
        kinds = ("company", "individual", "individual")
        rows = [
            ProviderRow(
                line=n + 2,
                raw={},
                kind=kinds[n % 3],
                name_zh=f"水电维修{n:05d}",
                name_en=f"Repairs {n:05d}",
                phone=f"+86139{n:08d}",
                other_phones=[],
                items=[items[n % len(items)]],
                areas=[communities[n % len(communities)]],
                capacity=3,
                status="active",
                organisation=None,
                hours=working_hours.parse("daily 00:00-24:00"),
                days_off=[],
                standard_prices=True,
                language="en" if n % 10 == 0 else "zh_CN",
                licence_number=None,
                documents={kind: today + dt.timedelta(days=730) for kind in REQUIRED_DOCUMENTS[kinds[n % 3]]},
                courses={"induction": today, "etiquette": today, "safety": today},
            )
            for n in range(count)
        ]
        ids = bulk.write_rows(session, rows, actor=Actor("bench"), zone=settings.zone, source="bench")
    task = progress.add_task("tickets offered", total=count)
    made: list[tuple[str, str]] = []
    for start in range(0, count, 200):
        with db.transaction() as session:
            chunk = ids[start : start + 200]
            providers = {p.id: p for p in session.scalars(select(Provider).where(Provider.id.in_(chunk)))}
            for n, provider_id in enumerate(chunk, start):
                provider = providers[provider_id]
                community = provider.areas[0]
                resident = residents.create_resident(session, phone=f"+86137{n:08d}")
                resident.name, resident.community, resident.address = (
                    f"居民{n}",
                    community,
                    f"{n % 30 + 1}幢{n % 6 + 1}01",
                )
                ticket, _ = service.create_ticket(
                    session,
                    resident=resident,
                    channel="phone",
                    description="厨房水管漏水",
                    zone=settings.zone,
                    actor=Actor.system(),
                    item=provider.items[0],
                    community=community,
                )
                pick = Candidate(provider, 0.9, {}, ())
                (offer,) = offers._make_offers(
                    session, ticket=ticket, settings=settings, actor=Actor("bench"), picks=[(1, pick)]
                )
                made.append((provider.phone, offer.code))
            progress.advance(task, len(chunk))
    return made


def label(statement: str) -> str:
    """``SELECT offers``, ``INSERT sms_inbound``: the verb and the first table named."""
    verb = statement.split(None, 1)[0].upper()
    found = re.search(r"\b(?:FROM|INTO|UPDATE)\s+(\w+)", statement, re.IGNORECASE)
    return f"{verb} {found.group(1)}" if found and verb in ("SELECT", "INSERT", "UPDATE", "DELETE") else verb


def probe(db: Database, settings: Settings, made: list[tuple[str, str]]) -> tuple[list[str], float, float]:
    """The first reply with its statements listed; then all of ``made`` timed in-process, each
    against a bare insert of one inbound row (bench/sms_intake.py's baseline, in-process)."""
    route = intake.router_for(settings)
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        seen.append(label(statement))

    reply_ms, bare_ms = [], []
    for n, (phone, code) in enumerate(made):
        text = flows.IncomingText(f"SMP{n:031d}", phone, HOTLINE_NUMBER, f"Y {code}")
        if n == 0:
            event.listen(db.engine, "before_cursor_execute", count)
        started = time.perf_counter()
        answer = flows.receive(db, text, route, settings)
        reply_ms.append((time.perf_counter() - started) * 1000)
        if n == 0:
            event.remove(db.engine, "before_cursor_execute", count)
            if not answer or code not in answer:
                raise RuntimeError(f"the probe reply was not accepted: {answer!r}")
        started = time.perf_counter()
        with db.transaction() as session:
            session.add(
                InboundMessage(
                    message_sid=f"SMQ{n:031d}",
                    from_raw=phone,
                    to_number=HOTLINE_NUMBER,
                    body="bare",
                    received_at=clock.now(),
                )
            )
        bare_ms.append((time.perf_counter() - started) * 1000)
    return seen, statistics.median(reply_ms), statistics.median(bare_ms)


def reply_forms(made: list[tuple[str, str]], url: str, prefix: str) -> list[tuple[dict[str, str], str]]:
    validator = RequestValidator(AUTH_TOKEN)
    forms = []
    for n, (phone, code) in enumerate(made):
        form = {
            "MessageSid": f"SM{prefix}{n:031d}",
            "AccountSid": "AC" + "0" * 32,
            "From": phone,
            "To": HOTLINE_NUMBER,
            "Body": f"Y {code}",
            "NumMedia": "0",
        }
        forms.append((form, validator.compute_signature(url, form)))
    return forms


def serve(env: dict[str, str], base: str, port: int) -> subprocess.Popen[bytes]:
    """bench/sms_intake.py's server (the hotline app plus /bench/bare) in a child process."""
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "sms_intake.py"), "--serve", str(port)], env=env, cwd=ROOT
    )
    for _ in range(300):
        try:
            if httpx.get(base + "/healthz", timeout=1.0).status_code < 500:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
        if server.poll() is not None:
            break
    server.terminate()
    raise RuntimeError(f"the bench server on port {port} did not come up")


def verify(db: Database, made: list[tuple[str, str]]) -> list[str]:
    """What must hold after the run; returns the problems (none: all good)."""
    phones = [phone for phone, _ in made]
    problems = []
    with db.read() as session:
        by_status = Counter(dict(session.execute(select(Ticket.status, func.count()).group_by(Ticket.status)).all()))
        mine = (
            select(func.count())
            .select_from(Offer)
            .join(Ticket, Ticket.id == Offer.ticket_id)
            .where(Offer.status == "accepted", Ticket.provider_id == Offer.provider_id, Ticket.status == "accepted")
        )
        accepted_events = select(TicketEvent.ticket_id).where(TicketEvent.to_status == "accepted")
        twice = accepted_events.group_by(TicketEvent.ticket_id).having(func.count() > 1).subquery()
        facts = select(func.count()).select_from(LedgerEntry).where(LedgerEntry.kind == "accepted")
        details = (
            select(OutboundMessage.to, func.count())
            .where(OutboundMessage.purpose == "offer_accepted", OutboundMessage.to.in_(phones))
            .group_by(OutboundMessage.to)
        )
        told = dict(session.execute(details).all())
        replies = select(func.count()).select_from(InboundMessage).where(InboundMessage.handled_as == "offer_reply")
        checks = [
            ("tickets accepted", by_status["accepted"], len(made)),
            ("tickets accepted by the provider offered", session.scalar(mine), len(made)),
            ("tickets accepted twice", session.scalar(select(func.count()).select_from(twice)), 0),
            ("'accepted' ledger facts", session.scalar(facts), len(made)),
            ("providers with their details text", len(told), len(made)),
            ("details texts", sum(told.values()), len(made)),
            ("texts handled as offer replies", session.scalar(replies), len(made)),
        ]
    for what, got, wanted in checks:
        if got != wanted:
            problems.append(f"{what}: {got}, expected {wanted} (tickets by status: {dict(by_status)})")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replies", type=int, default=1200, help="timed replies (one provider and ticket each)")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=4, help="alternate bare and replies this many times")
    parser.add_argument("--probe", type=int, default=50, help="replies timed in-process (the first one counted)")
    args = parser.parse_args()
    rounds, c = max(1, args.rounds), args.concurrency
    per_round = max(1, args.replies // rounds)
    probes = max(1, args.probe)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="hotline-bench-") as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        env = {
            **os.environ,
            "HOTLINE_DATABASE_URL": url,
            "HOTLINE_SECRET_KEY": secrets.token_urlsafe(32),
            "HOTLINE_PUBLIC_URL": base,
            "HOTLINE_SPOOL_DIR": f"{tmp}/spool",  # texts the webhook could not write in time; not var/spool
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        }
        db = Database(url)
        try:
            settings = load_settings(demo=True, database_url=url, spool_dir=f"{tmp}/spool")
            started = time.perf_counter()
            with Progress(console=console, transient=True) as progress:
                made = setup(db, settings, probes + WARMUP + per_round * rounds, progress)
            setup_s = time.perf_counter() - started
            statements, reply_ms, bare_ms = probe(db, settings, made[:probes])
            server = serve(env, base, port)
        except Exception as exc:
            db.dispose()
            raise SystemExit(f"offer_reply: setup failed: {type(exc).__name__}: {str(exc).splitlines()[0]}") from exc
        inbound, bare = base + "/sms/twilio/inbound", base + "/bench/bare"
        results: dict[str, list[tuple[float, list[float]]]] = {"bare": [], "reply": []}
        try:
            warm = made[probes : probes + WARMUP]
            asyncio.run(_drive(base, "/sms/twilio/inbound", reply_forms(warm, inbound, "W"), c))
            asyncio.run(_drive(base, "/bench/bare", _forms("V", WARMUP, bare, 20_000_000), c))
            timed = made[probes + WARMUP :]
            for r in range(rounds):
                chunk = timed[r * per_round : (r + 1) * per_round]
                results["bare"].append(
                    asyncio.run(_drive(base, "/bench/bare", _forms("B", per_round, bare, r * per_round), c))
                )
                results["reply"].append(
                    asyncio.run(_drive(base, "/sms/twilio/inbound", reply_forms(chunk, inbound, f"R{r}"), c))
                )
        finally:
            server.terminate()
            server.wait(timeout=10)
        # A reply that waited longer than webhook_db_wait for the database was answered with the
        # holding text and kept in the spool: write it now, as the server's spool job would.
        spooled = Spool(settings.spool_dir).count()
        if spooled:
            scheduler.get_job(scheduler.SPOOL_JOB).make(db, settings)()
        problems = verify(db, made)
        if Spool(settings.spool_dir).count():
            problems.append(f"{Spool(settings.spool_dir).count()} texts left in the spool after its replay")
        db.dispose()

    def overall(runs: list[tuple[float, list[float]]]) -> tuple[float, list[float]]:
        latencies = [value for _, lat in runs for value in lat]
        return len(latencies) / sum(len(lat) / rate for rate, lat in runs), latencies

    table = Table(title=f"offer replies on SQLite: {per_round * rounds} each in {rounds} rounds, {c} connections")
    for column in ("endpoint", "texts/s", "p50 ms", "p99 ms"):
        table.add_column(column, justify="right" if column != "endpoint" else "left")
    (bare_rate, bare_lat), (reply_rate, reply_lat) = overall(results["bare"]), overall(results["reply"])
    for name, rate, lat in (
        ("bare (parse form, insert one row)", bare_rate, bare_lat),
        ("signed webhook, 'Y <code>' accepted", reply_rate, reply_lat),
    ):
        table.add_row(
            name, f"{rate:,.0f}", f"{_percentile(lat, 0.5) * 1000:.1f}", f"{_percentile(lat, 0.99) * 1000:.1f}"
        )
    console.print(table)
    ratio = reply_rate / bare_rate
    each = [r[0] / b[0] for b, r in zip(results["bare"], results["reply"], strict=True)]
    verdict = "[green]meets[/green]" if ratio >= TARGET_RATIO else "[red]misses[/red]"
    console.print(
        f"ratio replies/bare: {ratio:.2f} ({verdict} the target of {TARGET_RATIO}); "
        f"rounds {min(each):.2f}-{max(each):.2f}"
    )
    console.print(f"setup: {len(made)} providers, tickets and live offers in {setup_s:.1f} s")
    if spooled:
        console.print(
            f"[yellow]{spooled} replies waited over {settings.webhook_db_wait:g} s for the database: answered with "
            "the holding text, kept in the spool and written by its replay after the run "
            "(the ratio counts them as answered)"
        )
    kinds = Counter(s.split()[0] for s in statements if s not in ("BEGIN", "COMMIT"))
    console.print(
        f"one acceptance (sms.flows.receive in-process): {sum(kinds.values())} statements between BEGIN and COMMIT "
        f"({', '.join(f'{n} {k}' for k, n in kinds.most_common())}); median {reply_ms:.2f} ms against "
        f"{bare_ms:.2f} ms for a bare insert ({probes} each)"
    )
    runs = [(s, len(list(group))) for s, group in itertools.groupby(statements)]
    console.print("  " + ", ".join(f"{s} x{n}" if n > 1 else s for s, n in runs), soft_wrap=True)
    if problems:
        for problem in problems:
            console.print(f"[red]check failed: {problem}")
        sys.exit(1)
    console.print(f"[green]checked: {len(made)} tickets each accepted once by its provider, who got the details text")


if __name__ == "__main__":
    main()
