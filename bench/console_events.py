"""Live console latency: from a signed SMS webhook's 2xx to the event at every connected console.

    python bench/console_events.py [--consoles 20] [--texts 60]

A real uvicorn server (a child process) serves the hotline on SQLite. ``--consoles`` clients hold
``/queue/events`` open (Server-Sent Events, with an observer's API key); the bench then posts
signed texts that each open a ticket, one at a time, and waits until every console has the event
before the next. A console's latency is the time from the webhook's answer to its event (zero if
the event came first: it is published on commit, before the answer is sent). Prints p50/p99/max
over every console and text. Target: p99 < 250 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402

AUTH_TOKEN = "bench-auth-token"
TARGET_P99_MS = 250.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def start_server(tmp: str) -> tuple[subprocess.Popen[bytes], str, str]:
    """Migrate a fresh SQLite database, make an observer's API key, serve; returns (process, url, key)."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "HOTLINE_DATABASE_URL": f"sqlite:///{tmp}/bench.db",
        "HOTLINE_SECRET_KEY": secrets.token_urlsafe(32),
        "HOTLINE_PUBLIC_URL": base,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
    }
    hotline = [sys.executable, "-m", "hotline"]
    subprocess.run([*hotline, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    made = subprocess.run(
        [*hotline, "apikeys", "create", "--name", "bench", "--role", "observer"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    key = made.stdout.strip().splitlines()[-1]
    server = subprocess.Popen([*hotline, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env, cwd=ROOT)
    for _ in range(300):
        try:
            if httpx.get(base + "/healthz", timeout=1.0).status_code == 200:
                break
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    return server, base, key


async def _console(base: str, key: str, arrivals: list[float], ready: asyncio.Event, counter: list[int]) -> None:
    headers = {"authorization": f"Bearer {key}", "accept": "text/event-stream"}
    async with (
        httpx.AsyncClient(base_url=base, timeout=None) as client,
        client.stream("GET", "/queue/events", headers=headers) as stream,
    ):
        async for line in stream.aiter_lines():
            if line.startswith(": connected"):
                counter[0] += 1
                if counter[0] >= counter[1]:
                    ready.set()
            elif line.startswith("event: tickets"):
                arrivals.append(time.perf_counter())


async def run(base: str, key: str, consoles: int, texts: int) -> list[float]:
    arrivals: list[list[float]] = [[] for _ in range(consoles)]
    ready = asyncio.Event()
    counter = [0, consoles]
    tasks = [asyncio.create_task(_console(base, key, arrivals[i], ready, counter)) for i in range(consoles)]
    await asyncio.wait_for(ready.wait(), 30)
    validator = RequestValidator(AUTH_TOKEN)
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        for i in range(texts):
            form = {
                "MessageSid": f"SM{i:032d}",
                "AccountSid": "AC" + "0" * 32,
                "From": f"+86138{i:08d}",
                "To": "+8657396345",
                "Body": "厨房水管漏水，请派人维修",
            }
            signature = validator.compute_signature(base + "/sms/twilio/inbound", form)
            response = await client.post("/sms/twilio/inbound", data=form, headers={"X-Twilio-Signature": signature})
            answered = time.perf_counter()
            response.raise_for_status()
            deadline = answered + 5
            while any(len(a) <= i for a in arrivals) and time.perf_counter() < deadline:
                await asyncio.sleep(0.002)
            for a in arrivals:
                latencies.append(max(0.0, a[i] - answered) if len(a) > i else 5.0)
            await asyncio.sleep(0.05)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--consoles", type=int, default=20)
    parser.add_argument("--texts", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        server, base, key = start_server(tmp)
        try:
            latencies = asyncio.run(run(base, key, args.consoles, args.texts))
        finally:
            server.terminate()
            server.wait(timeout=10)
    p50, p99 = _percentile(latencies, 0.5) * 1000, _percentile(latencies, 0.99) * 1000
    print(
        f"{args.consoles} consoles x {args.texts} texts: webhook 2xx -> SSE event "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {max(latencies) * 1000:.1f} ms "
        f"(target p99 < {TARGET_P99_MS:.0f} ms: {'met' if p99 < TARGET_P99_MS else 'NOT met'})"
    )


if __name__ == "__main__":
    main()
