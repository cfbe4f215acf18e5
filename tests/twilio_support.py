"""Real Twilio peers for tests: signatures made with twilio's RequestValidator, and a local HTTP
server on 127.0.0.1 that answers like api.twilio.com's Messages resource."""

from __future__ import annotations

import itertools
import json
import threading
import urllib.parse
from collections.abc import Callable
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from fastapi.testclient import TestClient
from httpx import Response
from twilio.request_validator import RequestValidator

from config import clock

AUTH_TOKEN = "test-auth-token-12345"
ACCOUNT_SID = "AC" + "0" * 32
HOTLINE_NUMBER = "+8657396345"
PUBLIC_URL = "https://hotline.example.org"


def sign(url: str, form: dict[str, str], token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, form)


def post_signed(client: TestClient, path: str, form: dict[str, str], *, public_url: str = PUBLIC_URL) -> Response:
    return client.post(path, data=form, headers={"X-Twilio-Signature": sign(public_url + path, form)})


_sids = itertools.count(1)


def text(
    client: TestClient, body: str | None, *, sender: str | None = "+8613800138000", sid: str | None = None
) -> Response:
    """A resident texts the hotline: Twilio's signed POST to /sms/twilio/inbound."""
    form = {
        "MessageSid": sid or f"SM{next(_sids):032d}",
        "AccountSid": ACCOUNT_SID,
        "To": HOTLINE_NUMBER,
        "NumMedia": "0",
        "NumSegments": "1",
        "SmsStatus": "received",
        "ApiVersion": "2010-04-01",
    }
    if sender is not None:
        form["From"] = sender
    if body is not None:
        form["Body"] = body
    return post_signed(client, "/sms/twilio/inbound", form)


# An answer of the fake API: (HTTP status, JSON body).
Answer = tuple[int, dict[str, object]]


def created(form: dict[str, str], sid: str) -> Answer:
    return 201, {
        "sid": sid,
        "account_sid": ACCOUNT_SID,
        "to": form.get("To"),
        "from": form.get("From"),
        "body": form.get("Body"),
        "status": "queued",
        "num_segments": "1",
        "direction": "outbound-api",
        "api_version": "2010-04-01",
        "date_created": format_datetime(clock.now(), usegmt=True),
        "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}.json",
    }


def error(status: int, code: int, message: str) -> Answer:
    return status, {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


class FakeTwilioApi:
    """Answers POST /2010-04-01/Accounts/{sid}/Messages.json. ``script`` decides each answer from
    the request number (1-based) and the form; every request and every accepted message is kept."""

    def __init__(self, script: Callable[[int, dict[str, str]], Answer] | None = None) -> None:
        self.script = script or (lambda n, form: created(form, f"SM{n:032d}"))
        self.requests: list[dict[str, str]] = []
        self.accepted: list[dict[str, str]] = []
        self.auth: list[str] = []
        self._lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                with api._lock:
                    api.requests.append(form)
                    api.auth.append(self.headers.get("Authorization", ""))
                    status, payload = api.script(len(api.requests), form)
                    if status == 201:
                        api.accepted.append(form)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeTwilioApi:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
