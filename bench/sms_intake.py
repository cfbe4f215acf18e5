"""SMS intake throughput: the signed Twilio webhook against a bare endpoint, same server, same run.

    python bench/sms_intake.py [--requests 2000] [--concurrency 16] [--rounds 4]

A real uvicorn server on 127.0.0.1 (a child process, so the client does not share its GIL) serves
the whole hotline app plus ``POST /bench/bare``: the same framework and database, parsing the form
and inserting one row, nothing else. The client (httpx, a bounded pool of connections) posts texts
from the labelled set, each from its own number (new tickets, classified, with TwiML replies).
The two alternate in rounds (bare, intake, bare, intake ...), so a machine that slows down for a
while slows both. Prints texts/s, p50/p99 latency, the ratio intake/bare over all rounds and the
range of the rounds' own ratios. Target: ratio >= 0.5 on SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from fastapi import Request, Response  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402

AUTH_TOKEN = "bench-auth-token"
TARGET_RATIO = 0.5


def bench_app() -> Any:
    """The app the server process runs: the hotline, plus the bare baseline endpoint."""
    from starlette.concurrency import run_in_threadpool

    from config import clock
    from config.settings import load_settings
    from hotline.app import create_app
    from sms.models import InboundMessage

    app = create_app(load_settings())
    database = app.state.db

    def insert(form: dict[str, str]) -> None:
        with database.transaction() as session:
            session.add(
                InboundMessage(
                    message_sid=form.get("MessageSid"),
                    from_raw=form.get("From", ""),
                    to_number=form.get("To", ""),
                    body=form.get("Body", ""),
                    received_at=clock.now(),
                )
            )

    @app.post("/bench/bare")
    async def bare(request: Request) -> Response:
        form = await request.form()
        await run_in_threadpool(insert, {k: v for k, v in form.items() if isinstance(v, str)})
        return Response(status_code=204)

    return app


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _texts() -> list[str]:
    with (ROOT / "tests" / "data" / "sms_labelled.csv").open(encoding="utf-8", newline="") as fh:
        return [row["text"] for row in csv.DictReader(fh)]


def _forms(prefix: str, count: int, url: str, start: int) -> list[tuple[dict[str, str], str]]:
    texts, validator = _texts(), RequestValidator(AUTH_TOKEN)
    forms = []
    for i in range(start, start + count):
        form = {
            "MessageSid": f"SM{prefix}{i:030d}",
            "AccountSid": "AC" + "0" * 32,
            "From": f"+86138{i:08d}",
            "To": "+8657396345",
            "Body": texts[i % len(texts)],
            "NumMedia": "0",
        }
        forms.append((form, validator.compute_signature(url, form)))
    return forms


async def _drive(
    base: str, path: str, forms: list[tuple[dict[str, str], str]], concurrency: int
) -> tuple[float, list[float]]:
    latencies: list[float] = []
    queue: asyncio.Queue[tuple[dict[str, str], str]] = asyncio.Queue()
    for item in forms:
        queue.put_nowait(item)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30.0) as client:

        async def worker() -> None:
            while not queue.empty():
                form, signature = queue.get_nowait()
                began = time.perf_counter()
                response = await client.post(path, data=form, headers={"X-Twilio-Signature": signature})
                latencies.append(time.perf_counter() - began)
                if response.status_code >= 300:
                    raise RuntimeError(f"{path}: HTTP {response.status_code}: {response.text[:200]}")

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
    return len(forms) / elapsed, latencies


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=4, help="alternate bare and intake this many times")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        import uvicorn

        uvicorn.run(bench_app(), host="127.0.0.1", port=args.serve, log_level="warning", access_log=False)
        return

    console = Console()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "HOTLINE_DATABASE_URL": f"sqlite:///{tmp}/bench.db",
            "HOTLINE_SECRET_KEY": secrets.token_urlsafe(32),
            "HOTLINE_PUBLIC_URL": base,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        }
        subprocess.run(
            [sys.executable, "-m", "hotline", "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True
        )
        server = subprocess.Popen([sys.executable, __file__, "--serve", str(port)], env=env, cwd=ROOT)
        try:
            for _ in range(200):
                try:
                    httpx.get(base + "/healthz", timeout=1.0)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            inbound, bare = base + "/sms/twilio/inbound", base + "/bench/bare"
            n, c, rounds = args.requests, args.concurrency, max(1, args.rounds)
            # Warm up both (jieba's dictionary, the classifier, connections), then measure.
            asyncio.run(_drive(base, "/sms/twilio/inbound", _forms("W", 50, inbound, 10_000_000), c))
            asyncio.run(_drive(base, "/bench/bare", _forms("V", 50, bare, 20_000_000), c))
            per_round = max(1, n // rounds)
            results: dict[str, list[tuple[float, list[float]]]] = {"bare": [], "intake": []}
            for r in range(rounds):
                start = r * per_round
                results["bare"].append(asyncio.run(_drive(base, "/bench/bare", _forms("B", per_round, bare, start), c)))
                results["intake"].append(
                    asyncio.run(_drive(base, "/sms/twilio/inbound", _forms("I", per_round, inbound, start), c))
                )
        finally:
            server.terminate()
            server.wait(timeout=10)

    def overall(runs: list[tuple[float, list[float]]]) -> tuple[float, list[float]]:
        latencies = [value for _, lat in runs for value in lat]
        seconds = sum(len(lat) / rate for rate, lat in runs)
        return len(latencies) / seconds, latencies

    bare_rate, bare_lat = overall(results["bare"])
    intake_rate, intake_lat = overall(results["intake"])
    table = Table(title=f"SMS intake on SQLite: {per_round * rounds} texts each in {rounds} rounds, {c} connections")
    for column in ("endpoint", "texts/s", "p50 ms", "p99 ms"):
        table.add_column(column, justify="right" if column != "endpoint" else "left")
    for name, rate, lat in (
        ("bare (parse form, insert one row)", bare_rate, bare_lat),
        ("signed intake (/sms/twilio/inbound)", intake_rate, intake_lat),
    ):
        table.add_row(
            name, f"{rate:,.0f}", f"{_percentile(lat, 0.5) * 1000:.1f}", f"{_percentile(lat, 0.99) * 1000:.1f}"
        )
    console.print(table)
    ratio = intake_rate / bare_rate
    each = [i[0] / b[0] for b, i in zip(results["bare"], results["intake"], strict=True)]
    verdict = "[green]meets[/green]" if ratio >= TARGET_RATIO else "[red]misses[/red]"
    console.print(
        f"ratio intake/bare: {ratio:.2f} ({verdict} the target of {TARGET_RATIO}); "
        f"rounds {min(each):.2f}-{max(each):.2f}"
    )


if __name__ == "__main__":
    main()
